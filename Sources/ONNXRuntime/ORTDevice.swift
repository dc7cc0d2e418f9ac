/// Where a session runs: `model.device` of the server manifest.
///
/// `cpu`; `cuda` or `cuda:N` (the CUDA execution provider, an error naming what is missing when it cannot be
/// used); `auto` or `auto:N` (CUDA when it works, else CPU with a log line).
public struct ORTDevice: Sendable, Hashable, CustomStringConvertible {
    enum Kind: Hashable, Sendable { case cpu, cuda, auto }
    let kind: Kind
    /// The CUDA device ordinal (`device_id`).
    public let deviceID: Int

    private init(kind: Kind, deviceID: Int) {
        self.kind = kind
        self.deviceID = deviceID
    }

    public static let cpu = Self(kind: .cpu, deviceID: 0)
    public static func cuda(_ deviceID: Int = 0) -> Self { Self(kind: .cuda, deviceID: deviceID) }
    public static func auto(_ deviceID: Int = 0) -> Self { Self(kind: .auto, deviceID: deviceID) }

    /// Parses `cpu`, `cuda`, `cuda:N`, `auto`, `auto:N` (case-insensitive).
    public init(parsing text: String) throws(ORTError) {
        let lower = text.lowercased()
        let parts = lower.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        var id = 0
        if parts.count == 2 {
            guard let n = Int(parts[1]), n >= 0 else {
                throw ORTError(.invalidArgument, "model.device '\(text)': the device index must be a non-negative integer")
            }
            id = n
        }
        switch parts[0] {
        case "cpu" where parts.count == 1: self = .cpu
        case "cuda": self = .cuda(id)
        case "auto": self = .auto(id)
        default:
            throw ORTError(.invalidArgument, "model.device '\(text)' is not supported by ONNX Runtime here: use cpu, cuda, cuda:N or auto")
        }
    }

    public var description: String {
        switch kind {
        case .cpu: "cpu"
        case .cuda: "cuda:\(deviceID)"
        case .auto: "auto:\(deviceID)"
        }
    }
}

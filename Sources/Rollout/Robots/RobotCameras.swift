public import Cameras

extension CameraConfiguration {
    /// Parses `--robot.cameras` (an inline map of camera maps, in its order) into validated cameras; errors name
    /// the flag, the camera and the field.
    public static func parse(_ text: String) throws(RolloutError) -> [CameraConfiguration] {
        guard let entries = try FlowMapParser.parse(text, flag: "robot.cameras").entries else { return [] }
        var cameras: [CameraConfiguration] = []
        for entry in entries {
            guard let fields = entry.value.entries else {
                throw RolloutError(
                    .invalidOption,
                    "--robot.cameras: camera '\(entry.key)' must be a map like {type: opencv, index_or_path: 0, width: 640, height: 480, fps: 30}"
                )
            }
            guard !cameras.contains(where: { $0.name == entry.key }) else {
                throw RolloutError(.invalidOption, "--robot.cameras: camera '\(entry.key)' is given twice")
            }
            var pairs: [(key: String, value: String)] = []
            for field in fields {
                guard let value = field.value.scalar else {
                    throw RolloutError(.invalidOption, "--robot.cameras: \(entry.key).\(field.key) must be a single value")
                }
                pairs.append((field.key, value))
            }
            do {
                cameras.append(try CameraConfiguration.make(name: entry.key, fields: pairs))
            } catch {
                throw RolloutError(.invalidOption, error.message)
            }
        }
        return cameras
    }
}

/// A camera that could not give a fresh frame this tick.
public struct CameraFault: Sendable, Hashable {
    /// The camera's name (`front`).
    public var camera: String
    /// What went wrong: `timeout` (the newest frame is too old), `noFrame`, `ended`, ...
    public var code: CameraError.Code
    /// Names the camera and what happened (a stale frame's age changes from tick to tick).
    public var message: String

    public init(camera: String, code: CameraError.Code, message: String) {
        self.camera = camera
        self.code = code
        self.message = message
    }

    /// The camera has stopped for good (its stream ended, or 10 reads failed in a row); otherwise its newest
    /// frame is only too old, or not there yet.
    public var isTerminal: Bool { code == .ended || code == .notConnected }

    /// Whether `other` is the same condition of the same camera (not just a newer age).
    public func isSame(as other: CameraFault?) -> Bool { other?.camera == camera && other?.code == code }
}

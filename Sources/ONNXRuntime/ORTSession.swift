import Foundation
public import Logging

/// How a session is built.
public struct ORTSessionOptions: Sendable, Hashable {
    /// Threads inside one operator. One by default: small policies run faster single-threaded, and the server
    /// runs one inference at a time.
    public var intraOpThreads: Int
    public var interOpThreads: Int
    public var device: ORTDevice
    /// `GraphOptimizationLevel`: 0 none, 1 basic, 2 extended, 99 all.
    public var graphOptimizationLevel: Int32
    /// Extra `AddSessionConfigEntry` key/value pairs.
    public var configEntries: [String: String]

    public init(
        intraOpThreads: Int = 1, interOpThreads: Int = 1, device: ORTDevice = .cpu, graphOptimizationLevel: Int32 = 99,
        configEntries: [String: String] = [:]
    ) {
        self.intraOpThreads = intraOpThreads
        self.interOpThreads = interOpThreads
        self.device = device
        self.graphOptimizationLevel = graphOptimizationLevel
        self.configEntries = configEntries
    }
}

/// One ONNX model loaded into ONNX Runtime. `run` may be called from any thread (ONNX Runtime allows concurrent
/// runs on one session).
// @unchecked: wraps the OrtSession C handle, which ONNX Runtime allows to run concurrently from any thread.
public final class ORTSession: @unchecked Sendable {
    public let library: ORTLibrary
    public let modelPath: String
    /// The model's input and output names, in graph order.
    public let inputNames: [String]
    public let outputNames: [String]
    /// `CPUExecutionProvider` or `CUDAExecutionProvider`.
    public let provider: String
    let handle: OpaquePointer
    let inputNamePointers: [UnsafeMutablePointer<CChar>]
    let outputNamePointers: [UnsafeMutablePointer<CChar>]

    public init(
        library: ORTLibrary, modelPath: String, options: ORTSessionOptions = .init(),
        logger: Logger = Logger(label: "lerobot.onnxruntime")
    ) throws(ORTError) {
        guard FileManager.default.fileExists(atPath: modelPath) else {
            throw ORTError(.invalidArgument, "ONNX model not found: \(modelPath)")
        }
        self.library = library
        self.modelPath = modelPath
        let api = library.api
        let created: (OpaquePointer, String)
        switch options.device.kind {
        case .cpu:
            created = (try Self.create(library, modelPath, options, cuda: nil), "CPUExecutionProvider")
        case .cuda:
            created = (try Self.create(library, modelPath, options, cuda: options.device.deviceID), "CUDAExecutionProvider")
        case .auto:
            do {
                created = (try Self.create(library, modelPath, options, cuda: options.device.deviceID), "CUDAExecutionProvider")
            } catch {
                logger.info(
                    "model.device=auto: CUDA unavailable, running on CPU",
                    metadata: ["onnxruntime.reason": "\(error.message)", "onnxruntime.model": "\(modelPath)"])
                created = (try Self.create(library, modelPath, options, cuda: nil), "CPUExecutionProvider")
            }
        }
        let handle = created.0
        self.handle = handle
        self.provider = created.1
        do {
            inputNames = try Self.names(api, handle, library, count: api.sessionGetInputCount, name: api.sessionGetInputName)
            outputNames = try Self.names(api, handle, library, count: api.sessionGetOutputCount, name: api.sessionGetOutputName)
        } catch {
            api.releaseSession(handle)
            throw error
        }
        inputNamePointers = inputNames.map { strdup($0)! }
        outputNamePointers = outputNames.map { strdup($0)! }
    }

    deinit {
        library.api.releaseSession(handle)
        for pointer in inputNamePointers + outputNamePointers { free(pointer) }
    }

    private static func create(_ library: ORTLibrary, _ modelPath: String, _ options: ORTSessionOptions, cuda: Int?)
        throws(ORTError) -> OpaquePointer
    {
        let api = library.api
        var sessionOptions: OpaquePointer?
        try api.check(api.createSessionOptions(&sessionOptions), "CreateSessionOptions")
        guard let sessionOptions else { throw ORTError(.runtime, "CreateSessionOptions returned NULL") }
        defer { api.releaseSessionOptions(sessionOptions) }
        guard options.intraOpThreads >= 0, options.interOpThreads >= 0 else {
            throw ORTError(.invalidArgument, "ONNX Runtime thread counts must be >= 0 (0 = the runtime's default)")
        }
        try api.check(api.setIntraOpNumThreads(sessionOptions, Int32(clamping: options.intraOpThreads)), "intra-op threads")
        try api.check(api.setInterOpNumThreads(sessionOptions, Int32(clamping: options.interOpThreads)), "inter-op threads")
        try api.check(
            api.setGraphOptimizationLevel(sessionOptions, options.graphOptimizationLevel),
            "graph optimization level \(options.graphOptimizationLevel)")
        for (key, value) in options.configEntries.sorted(by: { $0.key < $1.key }) {
            try api.check(api.addSessionConfigEntry(sessionOptions, key, value), "session config entry \(key)=\(value)")
        }
        if let cuda { try ORTCUDASupport.append(to: sessionOptions, library: library, deviceID: cuda) }
        var session: OpaquePointer?
        try api.check(api.createSession(library.env, modelPath, sessionOptions, &session), "loading \(modelPath)")
        guard let session else { throw ORTError(.runtime, "CreateSession returned NULL for \(modelPath)") }
        return session
    }

    private static func names(
        _ api: ORTAPI, _ session: OpaquePointer, _ library: ORTLibrary,
        count: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>?) -> OpaquePointer?,
        name: @convention(c) (OpaquePointer?, Int, OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> OpaquePointer?
    ) throws(ORTError) -> [String] {
        var n = 0
        try api.check(count(session, &n), "counting model inputs/outputs")
        var result: [String] = []
        for index in 0..<n {
            var pointer: UnsafeMutablePointer<CChar>?
            try api.check(name(session, index, library.defaultAllocator, &pointer), "reading input/output name \(index)")
            guard let pointer else { throw ORTError(.runtime, "input/output name \(index) is NULL") }
            result.append(String(cString: pointer))
            try api.check(api.allocatorFree(library.defaultAllocator, pointer), "AllocatorFree")
        }
        return result
    }
}

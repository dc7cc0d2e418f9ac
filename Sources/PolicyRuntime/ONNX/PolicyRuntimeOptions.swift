public import Logging

/// How policies that run on ONNX Runtime are set up (the server's `model.*` keys).
public struct PolicyRuntimeOptions: Sendable {
    /// `model.device`: `cpu`, `cuda`, `cuda:N` or `auto`.
    public var device: String
    /// The `libonnxruntime` file; nil = `LEROBOT_ONNXRUNTIME_LIB`, then the places `ORTLibraryLocator` searches.
    public var onnxRuntimeLibrary: String?
    /// Threads inside one operator (1 by default; measure before raising it).
    public var intraOpThreads: Int
    public var logger: Logger

    public init(
        device: String = "cpu", onnxRuntimeLibrary: String? = nil, intraOpThreads: Int = 1,
        logger: Logger = Logger(label: "lerobot.policy_runtime")
    ) {
        self.device = device
        self.onnxRuntimeLibrary = onnxRuntimeLibrary
        self.intraOpThreads = intraOpThreads
        self.logger = logger
    }
}

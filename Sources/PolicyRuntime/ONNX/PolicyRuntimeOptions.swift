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
    /// `rtc.prefix_attention_schedule` (ZEROS, ONES, LINEAR, EXP) for flow-matching policies.
    public var rtcPrefixAttentionSchedule: String
    /// `rtc.max_guidance_weight`.
    public var rtcMaxGuidanceWeight: Double
    /// Seeds the initial noise of sampling policies; nil = a random seed per process.
    public var noiseSeed: UInt64?

    public init(
        device: String = "cpu", onnxRuntimeLibrary: String? = nil, intraOpThreads: Int = 1,
        logger: Logger = Logger(label: "lerobot.policy_runtime"), rtcPrefixAttentionSchedule: String = "LINEAR",
        rtcMaxGuidanceWeight: Double = 10, noiseSeed: UInt64? = nil
    ) {
        self.device = device
        self.onnxRuntimeLibrary = onnxRuntimeLibrary
        self.intraOpThreads = intraOpThreads
        self.logger = logger
        self.rtcPrefixAttentionSchedule = rtcPrefixAttentionSchedule
        self.rtcMaxGuidanceWeight = rtcMaxGuidanceWeight
        self.noiseSeed = noiseSeed
    }
}

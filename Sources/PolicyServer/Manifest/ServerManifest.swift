/// The server's configuration: `--manifest server.yaml` with every key also settable as a dotted flag
/// (`--model.repo_or_path=…`); flags override the file. Validated once at start-up.
public struct ServerManifest: Sendable, Hashable {
    public struct Model: Sendable, Hashable {
        /// Hub repo id or local directory.
        public var repoOrPath: String
        public var revision: String
        /// Optional cast after load (`bfloat16`, `float16`, ...).
        public var dtype: String?
        /// `cuda`, `cuda:1`, `cpu` (or `auto`).
        public var device: String
        /// The `libonnxruntime` file; nil = `LEROBOT_ONNXRUNTIME_LIB`, then the searched locations.
        public var onnxRuntimeLibrary: String? = nil
        /// ONNX Runtime intra-op threads.
        public var intraOpThreads: Int = 1
    }

    public struct RTC: Sendable, Hashable {
        public var enabled: Bool
        public var executionHorizon: Int
        public var maxGuidanceWeight: Double
        public var prefixAttentionSchedule: String
    }

    public struct ZenohSettings: Sendable, Hashable {
        /// `client` (dial a router) or `peer` (listen and/or connect directly).
        public var mode: String
        public var connectEndpoints: [String]
        public var listenEndpoints: [String]
        public var tlsRootCACertificate: String?
        public var tlsConnectCertificate: String?
        public var tlsConnectPrivateKey: String?
        public var extraConfigJSON5: String?
    }

    public struct Debug: Sendable, Hashable {
        /// Where raw request/reply bodies are kept for replay (a ring of `capture_max` files); nil = off.
        public var captureDir: String?
        public var captureMax: Int
    }

    public enum SchedulerKind: String, Sendable, Hashable, CaseIterable {
        case roundRobin = "round_robin"
        case batch
    }

    public enum ServingModeRequest: String, Sendable, Hashable, CaseIterable {
        case auto, shared, exclusive
    }

    public var model: Model
    public var defaultTask: String
    public var pinTask: Bool
    public var serviceName: String
    public var servingMode: ServingModeRequest
    public var maxSessions: Int
    /// How the worker picks work: one session per run (round-robin) or several ready sessions stacked into one
    /// batched run (policies with a dynamic-batch graph).
    public var scheduler: SchedulerKind = .roundRobin
    /// The most sessions one batched run takes.
    public var schedulerMaxBatch: Int = 8
    public var warmupInferences: Int
    public var trainedFPS: Double
    public var strictFPS: Bool
    public var rtc: RTC
    public var sessionIdleTimeoutSeconds: Double
    /// 0 disables the health/metrics HTTP server.
    public var healthPort: Int
    public var zenoh: ZenohSettings
    public var debug: Debug

    /// The task chunk of the service key prefix: `service_name`, else `default_task`, else `default`.
    public var serviceTask: String {
        !serviceName.isEmpty ? serviceName : (!defaultTask.isEmpty ? defaultTask : "default")
    }
}

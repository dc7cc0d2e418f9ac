/// Every manifest key: its dotted path (also the CLI flag), its default as shown in `--help`, and what it does.
public struct ManifestKey: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case string, optionalString, int, double, bool, stringList
    }

    public let path: String
    public let kind: Kind
    public let defaultText: String
    public let help: String
}

extension ServerManifest {
    /// The keys, in the order `--help` lists them.
    public static let keys: [ManifestKey] = [
        .init(
            path: "model.repo_or_path", kind: .string, defaultText: "required",
            help: "Hugging Face Hub repo id or local checkpoint directory of the policy to serve"),
        .init(path: "model.revision", kind: .string, defaultText: "main", help: "Hub revision (branch, tag or commit)"),
        .init(
            path: "model.dtype", kind: .optionalString, defaultText: "null",
            help: "optional cast after load, e.g. bfloat16"),
        .init(path: "model.device", kind: .string, defaultText: "cuda", help: "cuda, cuda:N, cpu or auto"),
        .init(
            path: "model.onnxruntime_lib", kind: .optionalString, defaultText: "null",
            help: "libonnxruntime file (default: $LEROBOT_ONNXRUNTIME_LIB, then the onnxruntime wheel in .venv)"),
        .init(
            path: "model.intra_op_threads", kind: .int, defaultText: "1",
            help: "ONNX Runtime threads inside one operator"),
        .init(
            path: "default_task", kind: .string, defaultText: "\"\"",
            help: "task used when a robot sends none; also the default service namespace"),
        .init(path: "pin_task", kind: .bool, defaultText: "false", help: "reject sessions that ask for another task"),
        .init(
            path: "service_name", kind: .string, defaultText: "\"\"",
            help: "overrides the task chunk of the service key prefix"),
        .init(
            path: "serving_mode", kind: .string, defaultText: "auto",
            help: "auto | shared | exclusive (shared never overrides a stateful policy)"),
        .init(path: "max_sessions", kind: .int, defaultText: "5", help: "concurrent robots (forced to 1 when exclusive)"),
        .init(
            path: "scheduler", kind: .string, defaultText: "round_robin",
            help: "round_robin | batch (ready sessions stacked into one run of a dynamic-batch policy)"),
        .init(path: "scheduler_max_batch", kind: .int, defaultText: "8", help: "most sessions in one batched run"),
        .init(
            path: "warmup_inferences", kind: .int, defaultText: "2",
            help: "dummy requests through the full path before serving"),
        .init(path: "trained_fps", kind: .double, defaultText: "30.0", help: "the control rate the policy was trained at"),
        .init(path: "strict_fps", kind: .bool, defaultText: "false", help: "reject robots whose fps differs"),
        .init(path: "rtc.enabled", kind: .bool, defaultText: "true", help: "real-time chunking (RTC-capable policies)"),
        .init(path: "rtc.execution_horizon", kind: .int, defaultText: "10", help: "prefix rows an RTC request uses"),
        .init(path: "rtc.max_guidance_weight", kind: .double, defaultText: "10.0", help: "RTC guidance clip"),
        .init(
            path: "rtc.prefix_attention_schedule", kind: .string, defaultText: "LINEAR",
            help: "ZEROS | ONES | LINEAR | EXP"),
        .init(
            path: "session_idle_timeout_s", kind: .double, defaultText: "300.0",
            help: "close sessions silent for this long"),
        .init(path: "health_port", kind: .int, defaultText: "9100", help: "HTTP /healthz and /metrics; 0 disables"),
        .init(
            path: "zenoh.mode", kind: .string, defaultText: "client",
            help: "client (dial a router) or peer (listen / connect directly)"),
        .init(
            path: "zenoh.connect_endpoints", kind: .stringList, defaultText: "[]",
            help: "e.g. [\"tcp/router:7447\"]; required in client mode"),
        .init(path: "zenoh.listen_endpoints", kind: .stringList, defaultText: "[]", help: "e.g. [\"tcp/0.0.0.0:7447\"]"),
        .init(
            path: "zenoh.tls_root_ca_certificate", kind: .optionalString, defaultText: "null",
            help: "PEM CA file (TLS: all three or none)"),
        .init(
            path: "zenoh.tls_connect_certificate", kind: .optionalString, defaultText: "null",
            help: "PEM certificate file"),
        .init(
            path: "zenoh.tls_connect_private_key", kind: .optionalString, defaultText: "null",
            help: "PEM private key file"),
        .init(
            path: "zenoh.extra_config_json5", kind: .optionalString, defaultText: "null",
            help: "raw zenoh configuration merged last"),
        .init(
            path: "debug.capture_dir", kind: .optionalString, defaultText: "null",
            help: "keep raw request/reply bodies here for byte-exact replay"),
        .init(path: "debug.capture_max", kind: .int, defaultText: "256", help: "size of the capture ring"),
    ]
}

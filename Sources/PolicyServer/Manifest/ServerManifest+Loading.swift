import Foundation
import JSON
import Yams

extension ServerManifest {
    /// Builds the manifest from an optional YAML document and `--dotted.key=value` overrides (applied last,
    /// in order), then validates it. Errors name the key and carry LeRobot's texts.
    ///
    /// Override values are read as YAML (`'["tcp/0.0.0.0:7447"]'` is a list, `false` a bool); string keys
    /// take the text as given.
    public init(yaml: String?, overrides: [(key: String, value: String)] = []) throws(PolicyServerError) {
        var values: [String: Any] = [:]
        if let yaml, !yaml.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            let document: Any?
            do {
                document = try Yams.load(yaml: yaml)
            } catch {
                throw PolicyServerError(.manifestInvalid, "manifest is not valid YAML: \(error)")
            }
            if let document, !(document is NSNull) {
                guard let map = document as? [String: Any] else {
                    throw PolicyServerError(.manifestInvalid, "manifest must be a YAML mapping of keys to values")
                }
                try Self.flatten(map, prefix: "", into: &values)
            }
        }
        for (key, text) in overrides {
            guard let spec = Self.keys.first(where: { $0.path == key }) else {
                throw Self.unknownKey(key)
            }
            switch spec.kind {
            case .string: values[key] = text
            case .optionalString: values[key] = (text.isEmpty || text == "null" || text == "None") ? NSNull() : text
            default: values[key] = (try? Yams.load(yaml: text)).flatMap { $0 } ?? text
            }
        }
        try self.init(values: values)
    }

    private static func unknownKey(_ key: String) -> PolicyServerError {
        PolicyServerError(.manifestInvalid, "unknown manifest key '\(key)' (lerobot-policy-server --help lists the keys)")
    }

    private static func flatten(_ map: [String: Any], prefix: String, into values: inout [String: Any])
        throws(PolicyServerError)
    {
        for (name, value) in map {
            let path = prefix.isEmpty ? name : "\(prefix).\(name)"
            if let nested = value as? [String: Any], !keys.contains(where: { $0.path == path }) {
                guard keys.contains(where: { $0.path.hasPrefix(path + ".") }) else { throw unknownKey(path) }
                try flatten(nested, prefix: path, into: &values)
            } else {
                guard keys.contains(where: { $0.path == path }) else { throw unknownKey(path) }
                values[path] = value
            }
        }
    }

    private init(values: [String: Any]) throws(PolicyServerError) {
        let v = ManifestValues(values: values)
        let repo = try v.optionalString("model.repo_or_path") ?? ""
        guard !repo.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PolicyServerError(.manifestInvalid, "--model.repo_or_path is required (the policy this server serves)")
        }
        model = Model(
            repoOrPath: repo, revision: try v.string("model.revision", "main"),
            dtype: try v.optionalString("model.dtype"), device: try v.string("model.device", "cuda"),
            onnxRuntimeLibrary: try v.optionalString("model.onnxruntime_lib"), intraOpThreads: try v.int("model.intra_op_threads", 1))
        guard model.intraOpThreads >= 0 else {
            throw PolicyServerError(
                .manifestInvalid, "model.intra_op_threads must be >= 0 (0 = ONNX Runtime's default), got \(model.intraOpThreads)")
        }
        defaultTask = try v.string("default_task", "")
        pinTask = try v.bool("pin_task", false)
        serviceName = try v.string("service_name", "")
        let mode = try v.string("serving_mode", "auto")
        guard let servingMode = ServingModeRequest(rawValue: mode) else {
            throw PolicyServerError(.manifestInvalid, "serving_mode must be one of auto|shared|exclusive, got '\(mode)'")
        }
        self.servingMode = servingMode
        maxSessions = try v.int("max_sessions", 5)
        guard maxSessions >= 1 else {
            throw PolicyServerError(.manifestInvalid, "max_sessions must be >= 1, got \(maxSessions)")
        }
        let scheduler = try v.string("scheduler", "round_robin")
        guard let schedulerKind = SchedulerKind(rawValue: scheduler) else {
            throw PolicyServerError(.manifestInvalid, "scheduler must be one of round_robin|batch, got '\(scheduler)'")
        }
        self.scheduler = schedulerKind
        schedulerMaxBatch = try v.int("scheduler_max_batch", 8)
        guard schedulerMaxBatch >= 1 else {
            throw PolicyServerError(.manifestInvalid, "scheduler_max_batch must be >= 1, got \(schedulerMaxBatch)")
        }
        warmupInferences = try v.int("warmup_inferences", 2)
        guard warmupInferences >= 0 else {
            throw PolicyServerError(.manifestInvalid, "warmup_inferences must be >= 0, got \(warmupInferences)")
        }
        trainedFPS = try v.double("trained_fps", 30)
        guard trainedFPS > 0 else {
            throw PolicyServerError(.manifestInvalid, "trained_fps must be > 0, got \(pythonRepr(trainedFPS))")
        }
        strictFPS = try v.bool("strict_fps", false)
        rtc = RTC(
            enabled: try v.bool("rtc.enabled", true), executionHorizon: try v.int("rtc.execution_horizon", 10),
            maxGuidanceWeight: try v.double("rtc.max_guidance_weight", 10),
            prefixAttentionSchedule: try v.string("rtc.prefix_attention_schedule", "LINEAR").uppercased())
        guard rtc.executionHorizon >= 1 else {
            throw PolicyServerError(
                .manifestInvalid, "rtc.execution_horizon must be >= 1, got \(rtc.executionHorizon)")
        }
        guard ["ZEROS", "ONES", "LINEAR", "EXP"].contains(rtc.prefixAttentionSchedule) else {
            throw PolicyServerError(
                .manifestInvalid,
                "rtc.prefix_attention_schedule must be one of ZEROS|ONES|LINEAR|EXP, got '\(rtc.prefixAttentionSchedule)'")
        }
        sessionIdleTimeoutSeconds = try v.double("session_idle_timeout_s", 300)
        healthPort = try v.int("health_port", 9100)
        guard (0...65535).contains(healthPort) else {
            throw PolicyServerError(.manifestInvalid, "health_port must be within 0...65535 (0 disables), got \(healthPort)")
        }
        zenoh = ZenohSettings(
            mode: try v.string("zenoh.mode", "client"),
            connectEndpoints: try v.stringList("zenoh.connect_endpoints"),
            listenEndpoints: try v.stringList("zenoh.listen_endpoints"),
            tlsRootCACertificate: try v.optionalString("zenoh.tls_root_ca_certificate"),
            tlsConnectCertificate: try v.optionalString("zenoh.tls_connect_certificate"),
            tlsConnectPrivateKey: try v.optionalString("zenoh.tls_connect_private_key"),
            extraConfigJSON5: try v.optionalString("zenoh.extra_config_json5"))
        guard zenoh.mode == "client" || zenoh.mode == "peer" else {
            throw PolicyServerError(.manifestInvalid, "zenoh.mode must be 'client' or 'peer', got '\(zenoh.mode)'")
        }
        if zenoh.mode == "client" && zenoh.connectEndpoints.isEmpty {
            throw PolicyServerError(
                .manifestInvalid, "zenoh.connect_endpoints is required in client mode (router address)")
        }
        let tls = [zenoh.tlsRootCACertificate, zenoh.tlsConnectCertificate, zenoh.tlsConnectPrivateKey]
        if tls.contains(where: { $0 != nil }) && tls.contains(where: { $0 == nil }) {
            throw PolicyServerError(
                .manifestInvalid,
                "TLS requires all of tls_root_ca_certificate, tls_connect_certificate, tls_connect_private_key")
        }
        debug = Debug(captureDir: try v.optionalString("debug.capture_dir"), captureMax: try v.int("debug.capture_max", 256))
        guard debug.captureMax >= 1 else {
            throw PolicyServerError(.manifestInvalid, "debug.capture_max must be >= 1, got \(debug.captureMax)")
        }
    }
}

/// Typed reads of flattened manifest values; type errors name the key and show the value.
private struct ManifestValues {
    let values: [String: Any]

    func present(_ key: String) -> Any? {
        guard let value = values[key], !(value is NSNull) else { return nil }
        return value
    }

    func wrong(_ key: String, _ expected: String, _ value: Any) -> PolicyServerError {
        PolicyServerError(.manifestInvalid, "\(key) must be \(expected), got '\(value)'")
    }

    func string(_ key: String, _ fallback: String) throws(PolicyServerError) -> String {
        try optionalString(key) ?? fallback
    }

    func optionalString(_ key: String) throws(PolicyServerError) -> String? {
        guard let value = present(key) else { return nil }
        switch value {
        case let s as String: return s
        case let b as Bool: return b ? "true" : "false"
        case let i as Int: return String(i)
        case let d as Double: return pythonRepr(d)
        default: throw wrong(key, "a string", value)
        }
    }

    func int(_ key: String, _ fallback: Int) throws(PolicyServerError) -> Int {
        guard let value = present(key) else { return fallback }
        if value is Bool { throw wrong(key, "an integer", value) }
        if let i = value as? Int { return i }
        if let s = value as? String, let i = Int(s.trimmingCharacters(in: .whitespaces)) { return i }
        throw wrong(key, "an integer", value)
    }

    func double(_ key: String, _ fallback: Double) throws(PolicyServerError) -> Double {
        guard let value = present(key) else { return fallback }
        if value is Bool { throw wrong(key, "a number", value) }
        if let d = value as? Double { return d }
        if let i = value as? Int { return Double(i) }
        if let s = value as? String, let d = Double(s.trimmingCharacters(in: .whitespaces)) { return d }
        throw wrong(key, "a number", value)
    }

    func bool(_ key: String, _ fallback: Bool) throws(PolicyServerError) -> Bool {
        guard let value = present(key) else { return fallback }
        if let b = value as? Bool { return b }
        if let s = value as? String {
            switch s.lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            default: break
            }
        }
        throw wrong(key, "true or false", value)
    }

    func stringList(_ key: String) throws(PolicyServerError) -> [String] {
        guard let value = present(key) else { return [] }
        if let list = value as? [Any] {
            var out: [String] = []
            for item in list {
                guard let s = item as? String else { throw wrong(key, "a list of strings", value) }
                out.append(s)
            }
            return out
        }
        if let s = value as? String { return [s] }
        throw wrong(key, "a list of strings", value)
    }
}

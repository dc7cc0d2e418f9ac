/// `lerobot-policy-server` arguments: `--manifest server.yaml` plus any manifest key as a dotted flag
/// (`--max_sessions=3`, `--zenoh.listen_endpoints '["tcp/0.0.0.0:7447"]'`); flags override the file.
public struct ServerCommandLine: Sendable, Hashable {
    public var manifestPath: String?
    public var overrides: [Override]
    public var wantsHelp: Bool

    public struct Override: Sendable, Hashable {
        public var key: String
        public var value: String
    }

    /// The overrides as `ServerManifest(yaml:overrides:)` takes them.
    public var overridePairs: [(key: String, value: String)] { overrides.map { ($0.key, $0.value) } }

    /// Parses `arguments` (without the program name).
    public static func parse(_ arguments: [String]) throws(PolicyServerError) -> ServerCommandLine {
        var result = ServerCommandLine(manifestPath: nil, overrides: [], wantsHelp: false)
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "-h" || argument == "--help" {
                result.wantsHelp = true
                continue
            }
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw PolicyServerError(
                    .manifestInvalid, "unexpected argument '\(argument)' (flags look like --max_sessions=3; see --help)")
            }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if name == "manifest" || name == "config_path" {
                guard let path = value ?? (index < arguments.count ? arguments[index] : nil) else {
                    throw PolicyServerError(.manifestInvalid, "--manifest needs a file path")
                }
                if value == nil { index += 1 }
                result.manifestPath = path
                continue
            }
            guard let key = ServerManifest.keys.first(where: { $0.path == name }) else {
                throw PolicyServerError(
                    .manifestInvalid, "unknown flag '--\(name)' (lerobot-policy-server --help lists the keys)")
            }
            if value == nil {
                if key.kind == .bool && (index >= arguments.count || arguments[index].hasPrefix("--")) {
                    value = "true"
                } else if index < arguments.count {
                    value = arguments[index]
                    index += 1
                } else {
                    throw PolicyServerError(.manifestInvalid, "--\(name) needs a value")
                }
            }
            result.overrides.append(Override(key: name, value: value ?? ""))
        }
        return result
    }

    /// `--help`: usage, then every key with its default.
    public static var helpText: String {
        var lines = [
            "USAGE: lerobot-policy-server [--manifest server.yaml] [--<key>=<value> ...]",
            "",
            "Serves one policy (one model, revision and device) to LeRobot robots over Zenoh. Every manifest key",
            "below is also a flag; flags override the file. Lists are YAML: --zenoh.listen_endpoints='[\"tcp/0.0.0.0:7447\"]'.",
            "",
            "Policies: model packages written by tools/export_onnx.py (a LeRobot checkpoint plus onnx/; today ACT) run",
            "on ONNX Runtime (the onnxruntime wheel's libonnxruntime.so; use --model.device=cpu without a GPU).",
            "Built-in test policy: a checkpoint whose config.json has \"type\": \"mock\" (see examples/mock_policy) is a",
            "test fixture, not a policy: chunk_model[t][j] = state[j] + 0.01·t and chunk_robot = 2 × chunk_model.",
            "",
            "OPTIONS:",
            "  --manifest <file>    YAML manifest with the keys below",
            "  -h, --help           show this help",
            "",
            "KEYS (default in brackets):",
        ]
        let width = (ServerManifest.keys.map(\.path.count).max() ?? 20) + 4
        for key in ServerManifest.keys {
            let flag = "  --\(key.path)"
            lines.append(flag.padding(toLength: width + 4) + "\(key.help) [\(key.defaultText)]")
        }
        lines += [
            "",
            "ENVIRONMENT: HF_HOME, HF_HUB_OFFLINE, HF_TOKEN, HF_ENDPOINT (model downloads);",
            "LEROBOT_ONNXRUNTIME_LIB (the libonnxruntime file, when --model.onnxruntime_lib is not given).",
            "Start-up prints 'Policy server up: prefix=<prefix> mode=<mode> max_sessions=<n> rtc=<bool>' when ready.",
        ]
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func padding(toLength length: Int) -> String {
        count >= length ? self + " " : self + String(repeating: " ", count: length - count)
    }
}

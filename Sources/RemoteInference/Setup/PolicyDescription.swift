import Foundation
public import HubClient

/// The config-only view of a policy (`--policy.path`): `config.json` from a directory or the Hub, never
/// weights. Used for pre-flight checks and action ordering on the weightless edge.
public struct PolicyDescription: Sendable, Hashable {
    /// The policy family (`act`, `pi0`, `mock`, ...).
    public var type: String
    /// `action_feature_names` when the config has it; empty otherwise.
    public var actionFeatureNames: [String]
    /// Full keys of the `VISUAL` input features, in the file's order.
    public var visualFeatures: [String]
    /// `observation.state`'s length (0 when absent).
    public var stateDim: Int
    /// Where the configuration came from (`--policy.path`): the default service model id.
    public var path: String

    public init(type: String, actionFeatureNames: [String] = [], visualFeatures: [String] = [], stateDim: Int = 0, path: String) {
        self.type = type
        self.actionFeatureNames = actionFeatureNames
        self.visualFeatures = visualFeatures
        self.stateDim = stateDim
        self.path = path
    }

    /// Parses `config.json` text.
    public init(json text: String, path: String) throws(RemoteInferenceError) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)), let map = object as? [String: Any] else {
            throw RemoteInferenceError(.policyConfig, "--policy.path \(path): config.json is not a JSON object")
        }
        guard let type = map["type"] as? String, !type.isEmpty else {
            throw RemoteInferenceError(.policyConfig, "--policy.path \(path): config.json has no \"type\" (the policy family)")
        }
        var visual: [String] = []
        var stateDim = 0
        if let inputs = map["input_features"] as? [String: Any] {
            // JSONSerialization loses key order; the file's order is recovered from the text.
            let ordered = inputs.keys.sorted { Self.position(of: $0, in: text) < Self.position(of: $1, in: text) }
            for key in ordered {
                guard let feature = inputs[key] as? [String: Any] else { continue }
                if (feature["type"] as? String) == "VISUAL" { visual.append(key) }
                if key == "observation.state", let shape = feature["shape"] as? [Int] { stateDim = shape.first ?? 0 }
            }
        }
        let names = (map["action_feature_names"] as? [Any])?.compactMap { $0 as? String } ?? []
        self.init(type: type, actionFeatureNames: names, visualFeatures: visual, stateDim: stateDim, path: path)
    }

    private static func position(of key: String, in text: String) -> Int {
        guard let range = text.range(of: "\"\(key)\"") else { return Int.max }
        return text.distance(from: text.startIndex, to: range.lowerBound)
    }

    /// Reads `config.json` from the directory `path`, or (when no such directory exists) downloads only
    /// `config.json` of the Hub repo `path` at `revision` into the standard cache.
    public static func load(
        path: String, revision: String = "main", hub: HubConfiguration = .fromEnvironment()
    ) async throws(RemoteInferenceError) -> PolicyDescription {
        guard !path.isEmpty else {
            throw RemoteInferenceError(.policyConfig, "--policy.path is required with --inference.type=remote (config only, no weights)")
        }
        var isDirectory: ObjCBool = false
        let directory: URL
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            directory = URL(fileURLWithPath: path)
        } else {
            do {
                directory = try await HubClient(configuration: hub).snapshot(repo: path, revision: revision, matching: ["config.json"])
            } catch {
                throw RemoteInferenceError(.policyConfig, "--policy.path \(path): \(error.message)")
            }
        }
        let file = directory.appendingPathComponent("config.json")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw RemoteInferenceError(.policyConfig, "--policy.path \(path): cannot read \(file.path)")
        }
        return try PolicyDescription(json: text, path: path)
    }
}

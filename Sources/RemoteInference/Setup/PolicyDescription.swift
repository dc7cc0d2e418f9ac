import Foundation
public import HubClient
import JSON

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
        let map: JSONValue
        do { map = try JSONValue(parsing: text) } catch {
            throw RemoteInferenceError(.policyConfig, "--policy.path \(path): config.json is not valid JSON: \(error)")
        }
        guard map.object != nil else {
            throw RemoteInferenceError(.policyConfig, "--policy.path \(path): config.json is not a JSON object")
        }
        guard let type = map["type"]?.string, !type.isEmpty else {
            throw RemoteInferenceError(.policyConfig, "--policy.path \(path): config.json has no \"type\" (the policy family)")
        }
        var visual: [String] = []
        var stateDim = 0
        // In the file's order: LeRobot's camera order.
        for (key, feature) in map["input_features"]?.uniqueMembers ?? [] {
            if feature["type"]?.string == "VISUAL" { visual.append(key) }
            if key == "observation.state", let shape = feature["shape"]?.ints { stateDim = shape.first ?? 0 }
        }
        let names = map["action_feature_names"]?.array?.compactMap(\.string) ?? []
        self.init(type: type, actionFeatureNames: names, visualFeatures: visual, stateDim: stateDim, path: path)
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

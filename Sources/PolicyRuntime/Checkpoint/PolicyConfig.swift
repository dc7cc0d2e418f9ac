public import Foundation
public import JSON

/// The parts of a LeRobot policy `config.json` that serving needs (edge-semantics §6.2).
public struct PolicyConfig: Sendable, Hashable {
    /// One entry of `input_features` / `output_features`.
    public struct Feature: Sendable, Hashable {
        public var key: String
        /// `STATE`, `VISUAL`, `ENV`, `ACTION`, ...
        public var type: String
        /// Image shapes are channel-first `[3, H, W]`.
        public var shape: [Int]
    }

    /// The policy family (`act`, `pi0`, `smolvla`, `diffusion`, `mock`, ...).
    public var type: String
    public var nObsSteps: Int
    /// In the file's order.
    public var inputFeatures: [Feature]
    public var outputFeatures: [Feature]
    /// Rows of one predicted chunk.
    public var chunkSize: Int
    /// `action_feature_names` when the config has it (pi0 family, our mock); empty otherwise.
    public var actionFeatureNames: [String]
    /// The whole parsed file, for policy-specific fields (`raw["num_steps"]?.int`).
    public var raw: JSONValue

    /// `observation.state`'s length (0 when the policy takes no state).
    public var stateDim: Int {
        inputFeatures.first { $0.key == "observation.state" }?.shape.first ?? 0
    }

    /// Camera feature keys, in the config's order.
    public var cameraKeys: [String] { inputFeatures.filter { $0.type == "VISUAL" }.map(\.key) }

    /// The action dimension.
    public var actionDim: Int { outputFeatures.first { $0.key == "action" }?.shape.first ?? 0 }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.type == rhs.type && lhs.nObsSteps == rhs.nObsSteps && lhs.inputFeatures == rhs.inputFeatures
            && lhs.outputFeatures == rhs.outputFeatures && lhs.chunkSize == rhs.chunkSize
            && lhs.actionFeatureNames == rhs.actionFeatureNames
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(inputFeatures)
    }
}

extension PolicyConfig {
    /// Parses `config.json` text; `source` names the file in errors.
    public init(json text: String, source: String = "config.json") throws(PolicyRuntimeError) {
        let map: JSONValue
        do { map = try JSONValue(parsing: text) } catch {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(source) is not valid JSON: \(error)")
        }
        guard map.object != nil else {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(source) must hold a JSON object")
        }
        guard let type = map["type"]?.string, !type.isEmpty else {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(source) has no \"type\" (the policy family)")
        }
        self.type = type
        self.nObsSteps = map["n_obs_steps"]?.int ?? 1
        self.inputFeatures = try Self.features(map["input_features"], field: "input_features", source: source)
        self.outputFeatures = try Self.features(map["output_features"], field: "output_features", source: source)
        // Diffusion returns n_action_steps rows; the others chunk_size.
        let chunkKey = type == "diffusion" ? "n_action_steps" : "chunk_size"
        guard let chunk = map[chunkKey]?.int, chunk > 0 else {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(source) has no positive \"\(chunkKey)\" for policy type '\(type)'")
        }
        self.chunkSize = chunk
        self.actionFeatureNames = map["action_feature_names"]?.array?.compactMap(\.string) ?? []
        self.raw = map
        guard actionDim > 0 else {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(source): output_features has no \"action\" with a shape")
        }
        if !actionFeatureNames.isEmpty && actionFeatureNames.count != actionDim {
            throw PolicyRuntimeError(
                .invalidCheckpoint,
                "\(source): action_feature_names has \(actionFeatureNames.count) names but the action has \(actionDim) dimensions")
        }
    }

    /// Reads `<directory>/config.json`.
    public init(directory: URL) throws(PolicyRuntimeError) {
        let file = directory.appendingPathComponent("config.json")
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw PolicyRuntimeError(.invalidCheckpoint, "cannot read \(file.path): \(error.localizedDescription)")
        }
        try self.init(json: text, source: file.path)
    }

    /// The features in the file's order (LeRobot's order: camera order matters). A key given twice keeps its first
    /// place and its last value, as Python's `dict` reads it.
    private static func features(_ value: JSONValue?, field: String, source: String) throws(PolicyRuntimeError)
        -> [Feature]
    {
        guard let value else { return [] }
        guard let members = value.uniqueMembers else {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(source): \(field) must be an object")
        }
        var features: [Feature] = []
        for (key, entry) in members {
            guard let type = entry["type"]?.string, let shape = entry["shape"]?.array else {
                throw PolicyRuntimeError(.invalidCheckpoint, "\(source): \(field).\(key) needs \"type\" and \"shape\"")
            }
            features.append(Feature(key: key, type: type, shape: shape.compactMap(\.int)))
        }
        return features
    }
}

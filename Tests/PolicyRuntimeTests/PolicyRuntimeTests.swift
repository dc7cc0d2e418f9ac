import Foundation
import PolicyRuntime
import Testing

@Suite("Policy config and the mock policy")
struct PolicyRuntimeTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/mock_policy")

    @Test("The shipped mock checkpoint: features in file order, dims, names")
    func config() throws {
        let config = try PolicyConfig(directory: Self.examples)
        #expect(config.type == "mock" && config.chunkSize == 50 && config.stateDim == 6 && config.actionDim == 6)
        #expect(config.cameraKeys == ["observation.images.front", "observation.images.wrist"])
        #expect(config.actionFeatureNames.first == "shoulder_pan.pos" && config.actionFeatureNames.count == 6)
    }

    @Test("Camera order follows the file, not the parser")
    func order() throws {
        let json = """
            {"type": "act", "chunk_size": 10, "input_features": {"observation.images.zeta": {"type": "VISUAL", "shape": [3, 4, 4]},
             "observation.images.alpha": {"type": "VISUAL", "shape": [3, 4, 4]}, "observation.state": {"type": "STATE", "shape": [2]}},
             "output_features": {"action": {"type": "ACTION", "shape": [2]}}}
            """
        let config = try PolicyConfig(json: json)
        #expect(config.cameraKeys == ["observation.images.zeta", "observation.images.alpha"])
    }

    @Test("Mock: chunk_model[t][j] = state[j] + 0.01·t, chunk_robot = 2 × chunk_model")
    func mock() throws {
        let policy = try PolicyLoader.load(directory: Self.examples)
        let state: [Float] = [0.5, -1, 2, 3, 4, 5]
        let out = try policy.predictChunk(PolicyRequest(state: state), session: policy.makeSessionState())
        #expect(out.rows == 50 && out.columns == 6)
        #expect(Array(out.chunkModel[0..<6]) == state)
        for t in 0..<50 {
            for j in 0..<6 {
                #expect(out.chunkModel[t * 6 + j] == state[j] + 0.01 * Float(t))
                #expect(out.chunkRobot[t * 6 + j] == 2 * out.chunkModel[t * 6 + j])
            }
        }
        #expect(throws: PolicyRuntimeError.self) {
            try policy.predictChunk(PolicyRequest(state: [1, 2]), session: policy.makeSessionState())
        }
    }

    @Test("Errors name the file and the field")
    func errors() throws {
        #expect {
            try PolicyConfig(json: "{\"chunk_size\": 3}", source: "x/config.json")
        } throws: { ($0 as? PolicyRuntimeError)?.message == "x/config.json has no \"type\" (the policy family)" }
        #expect {
            try PolicyConfig(json: "{\"type\": \"act\"}", source: "c.json")
        } throws: { ($0 as? PolicyRuntimeError)?.message == "c.json has no positive \"chunk_size\" for policy type 'act'" }
        #expect(throws: PolicyRuntimeError.self) { try PolicyConfig(json: "not json") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("act-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try """
        {"type": "act", "chunk_size": 10, "output_features": {"action": {"type": "ACTION", "shape": [2]}}}
        """.write(to: directory.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        #expect {
            try PolicyLoader.load(directory: directory)
        } throws: { ($0 as? PolicyRuntimeError)?.message.hasPrefix("policy type 'act'") == true }
        #expect {
            try PolicyLoader.load(directory: directory.appendingPathComponent("missing"))
        } throws: { ($0 as? PolicyRuntimeError)?.message.hasPrefix("cannot read") == true }
    }
}

import Foundation
import HubClient
import InteropSupport
import RemoteInference
import Testing

/// The config-only policy path: `config.json` from a directory or the Hub (a fake Hub on loopback), the
/// action ordering and the camera check (edge-semantics §4.3).
@Suite("Config-only policy and pre-flight")
struct PolicyDescriptionTests {
    static let robotKeys = EdgeFixture.names

    @Test("config.json from a directory: type, action names, visual features in file order, state dim")
    func directory() async throws {
        let policy = try await PolicyDescription.load(path: try EdgeFixture.checkpoint().path)
        #expect(policy.type == "mock" && policy.actionFeatureNames == EdgeFixture.names)
        #expect(policy.visualFeatures == [EdgeFixture.camera] && policy.stateDim == 6)
        let two = try PolicyDescription(
            json: """
                {"type": "act", "input_features": {"observation.images.wrist": {"type": "VISUAL", "shape": [3, 4, 4]},
                 "observation.state": {"type": "STATE", "shape": [6]}, "observation.images.front": {"type": "VISUAL", "shape": [3, 4, 4]}}}
                """, path: "p")
        #expect(two.visualFeatures == ["observation.images.wrist", "observation.images.front"] && two.actionFeatureNames.isEmpty)
    }

    @Test("Only config.json is fetched from the Hub (no weights)")
    func hub() async throws {
        let root = try PythonRunner.temporaryDirectory("edge-hubroot")
        let repo = root.appendingPathComponent("lerobot/so100_mock")
        _ = try EdgeFixture.checkpoint(at: repo)
        try Data(repeating: 7, count: 1_000_000).write(to: repo.appendingPathComponent("model.safetensors"))
        let hub = try PythonProcess("fake_hub.py", [root.path])
        defer { hub.stop() }
        let port = try await hub.awaitLine { $0.hasPrefix("READY ") }.line.dropFirst(6)
        let home = try PythonRunner.temporaryDirectory("edge-hfhome")
        let configuration = HubConfiguration.fromEnvironment(["HF_ENDPOINT": "http://127.0.0.1:\(port)", "HF_HOME": home.path])
        let policy = try await PolicyDescription.load(path: "lerobot/so100_mock", hub: configuration)
        #expect(policy.actionFeatureNames == EdgeFixture.names && policy.path == "lerobot/so100_mock")
        let downloads = hub.output.filter { $0.contains("/resolve/") }
        #expect(downloads.count == 1 && downloads[0].hasSuffix("config.json"), "\(downloads)")
    }

    @Test("A missing path or a bad config names --policy.path")
    func failures() async throws {
        let empty = await #expect(throws: RemoteInferenceError.self) { try await PolicyDescription.load(path: "") }
        #expect(empty?.message == "--policy.path is required with --inference.type=remote (config only, no weights)")
        let bad = #expect(throws: RemoteInferenceError.self) { try PolicyDescription(json: "{\"chunk_size\": 3}", path: "x") }
        #expect(bad?.message == "--policy.path x: config.json has no \"type\" (the policy family)")
    }

    @Test("Ordering: the policy's names when they are the robot's set, else the robot's order with a warning")
    func ordering() {
        let reversed = Array(Self.robotKeys.reversed())
        let policy = PolicyDescription(type: "act", actionFeatureNames: reversed, path: "p")
        let named = RobotDescription.orderedActionKeys(policy: policy, robotActionKeys: Self.robotKeys)
        #expect(named.keys == reversed && named.warning == nil)
        let other = PolicyDescription(type: "act", actionFeatureNames: ["a.pos", "b.pos"], path: "p")
        let fallback = RobotDescription.orderedActionKeys(policy: other, robotActionKeys: Self.robotKeys)
        #expect(fallback.keys == Self.robotKeys && fallback.warning != nil)
        let unnamed = RobotDescription.orderedActionKeys(policy: PolicyDescription(type: "act", path: "p"), robotActionKeys: Self.robotKeys)
        #expect(unnamed.keys == Self.robotKeys && unnamed.warning != nil)
    }

    @Test("Camera check: subsets pass either way, disjoint sets fail, a rename map skips it")
    func cameras() throws {
        let policy = PolicyDescription(type: "act", visualFeatures: ["observation.images.front", "observation.images.wrist"], path: "p")
        try RobotDescription.checkCameras(policy: policy, cameraKeys: ["observation.images.front"], renameMap: [:])
        try RobotDescription.checkCameras(
            policy: policy, cameraKeys: ["observation.images.front", "observation.images.wrist", "observation.images.top"], renameMap: [:])
        let error = #expect(throws: RemoteInferenceError.self) {
            try RobotDescription.checkCameras(policy: policy, cameraKeys: ["observation.images.top"], renameMap: [:])
        }
        #expect(error?.code == .visualMismatch && error?.message.hasPrefix("Visual feature mismatch") == true)
        try RobotDescription.checkCameras(
            policy: policy, cameraKeys: ["observation.images.top"], renameMap: ["observation.images.top": "observation.images.front"])
    }
}

import Foundation
import HubClient
import PolicyRuntime
import PolicyServer
import Testing

@Suite("Start-up: load, classify, warm up")
struct BootstrapTests {
    static let mockDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/mock_policy").path

    @Test("The shipped mock checkpoint from a local directory: shared, RTC, ready line")
    func local() async throws {
        let manifest = try ServerManifest(
            yaml: nil,
            overrides: [
                ("model.repo_or_path", Self.mockDirectory), ("zenoh.mode", "peer"), ("default_task", "pick up the cube"),
                ("max_sessions", "4"),
            ])
        let server = try await ServerStartup.load(manifest)
        #expect(server.servingMode == .shared && server.maxSessions == 4 && server.rtcActive)
        #expect(server.capabilities.expectedCameras == ["observation.images.front", "observation.images.wrist"])
        #expect(
            server.readyLine.hasPrefix("Policy server up: prefix=@lerobot/")
                && server.readyLine.hasSuffix("/pick-up-the-cube mode=shared max_sessions=4 rtc=True"))
        let runner = try InferenceRunner(
            policy: server.policy, settings: .init(servingMode: .shared, rtcExecutionHorizon: 10, defaultTask: ""))
        try ServerStartup.warmUp(server, runner: runner)
    }

    @Test("Exclusive forces one session; a missing model names what was looked for")
    func exclusiveAndMissing() async throws {
        let manifest = try ServerManifest(
            yaml: nil,
            overrides: [
                ("model.repo_or_path", Self.mockDirectory), ("zenoh.mode", "peer"), ("serving_mode", "exclusive"),
                ("rtc.enabled", "false"),
            ])
        let server = try await ServerStartup.load(manifest)
        #expect(server.maxSessions == 1 && server.servingMode == .exclusive && !server.rtcActive)
        #expect(server.readyLine.hasSuffix("rtc=False"))
        let offline = try ServerManifest(yaml: nil, overrides: [("model.repo_or_path", "nobody/nothing"), ("zenoh.mode", "peer")])
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("hf-\(UUID().uuidString)")
        await #expect(throws: (any Error).self) {
            try await ServerStartup.load(
                offline, hub: .init(endpoint: URL(string: "http://127.0.0.1:1")!, cacheDirectory: empty, isOffline: true))
        }
    }
}

import Foundation
import InteropSupport
import Logging
import RemoteInference
import Testing

/// Our robot against a server that is not Swift: `python/lerobot_server.py`, written from the protocol
/// (eclipse-zenoh + msgpack + numpy), through a real Rust router and with the Python server listening in peer
/// mode.
@Suite("Edge engine ⇄ a Python server written from the protocol", .serialized)
struct PythonServerTests {
    @Test("Exact mock values in ordered_action_keys order, RTC prefixes and delays on the wire", arguments: ["router", "peer"])
    func streamsFromAPythonServer(_ topology: String) async throws {
        let model = try EdgeFixture.checkpoint()
        let router = topology == "router" ? try await ZenohRouter.start() : nil
        defer { router?.stop() }
        let endpoint = router?.endpoint ?? "tcp/127.0.0.1:\(freeLoopbackPort())"
        let server = try PythonProcess(
            "lerobot_server.py",
            [router == nil ? "-l" : "-e", endpoint, "--model", model.path, "--task", EdgeFixture.task])
        defer { server.stop() }
        try await server.awaitReady()
        let engine = try RemoteEngine(
            configuration: EdgeFixture.configuration(router: endpoint) { configuration in
                configuration.zenohMode = router == nil ? "peer" : "client"
            },
            robot: EdgeFixture.robot(), policy: EdgeFixture.policy(model), logger: Logger(label: "test.edge"))
        engine.reset()
        try await engine.start()
        #expect(engine.state == .streaming && engine.isRTCActive)
        let loop = TestControlLoop(engine: engine)
        #expect(await EdgeFixture.eventually { engine.stats.merges >= 4 })
        loop.stop()
        let served = loop.actions.compactMap { $0 }
        #expect(!served.isEmpty)
        #expect(served.allSatisfy { EngineStreamingTests.matchingRow($0) != nil }, "an action is no row of the mock chunk")
        #expect(engine.stats.timeouts == 0 && engine.stats.lateChunksDropped == 0)
        // After the first chunk the robot sends its leftover as the RTC prefix with its delay.
        let requests = server.jsonLines().filter { $0["event"] as? String == "served" }
        #expect(requests.count >= 4)
        #expect(
            requests.dropFirst().contains { ($0["prefix_rows"] as? Int ?? 0) > 0 && ($0["delay"] as? Int ?? 0) > 0 },
            "\(requests)")
        await engine.stop()
    }

    @Test("Reset bumps the episode the Python server sees")
    func resetBumpsTheEpisode() async throws {
        let model = try EdgeFixture.checkpoint()
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let server = try PythonProcess("lerobot_server.py", ["-e", router.endpoint, "--model", model.path, "--task", EdgeFixture.task])
        defer { server.stop() }
        try await server.awaitReady()
        let engine = try RemoteEngine(
            configuration: EdgeFixture.configuration(router: router.endpoint), robot: EdgeFixture.robot(),
            policy: EdgeFixture.policy(model), logger: Logger(label: "test.edge"))
        engine.reset()
        try await engine.start()
        let loop = TestControlLoop(engine: engine)
        #expect(await EdgeFixture.eventually { engine.stats.merges >= 2 })
        let before = engine.stats.merges
        engine.reset()
        #expect(await EdgeFixture.eventually { engine.stats.merges >= before + 2 })
        loop.stop()
        let episodes = Set(server.jsonLines().filter { $0["event"] as? String == "served" }.compactMap { $0["episode"] as? Int })
        #expect(episodes.count >= 2 && episodes.contains(1), "episodes seen by the server: \(episodes.sorted())")
        await engine.stop()
    }
}

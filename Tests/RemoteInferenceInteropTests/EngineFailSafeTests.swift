import Foundation
import InteropSupport
import Logging
import PolicyWire
import RemoteInference
import Synchronization
import Testing

/// The seed's fail-safe table with real processes: our server (in process or as a binary) behind a real
/// Rust router, killed, drained, replaced.
@Suite("Remote engine fail-safe with real processes", .serialized)
struct EngineFailSafeTests {
    /// Short timings so a whole outage fits in a few seconds.
    static func quick(_ configuration: inout RemoteInferenceConfiguration) {
        configuration.failSafe.requestTimeout = 0.5
        configuration.failSafe.reconnectInitialBackoff = 0.1
        configuration.failSafe.reconnectMaxBackoff = 0.4
        configuration.handshakeTimeout = 0.5
        configuration.fallback = .repeatLast
    }

    static func visited(_ engine: RemoteEngine) -> [LinkState] { engine.stats.transitions.map(\.state) }

    @Test("Server SIGKILL mid-run: RECONNECTING, fallback ticks, action() never waits; restarted → STREAMING, new epoch")
    func serverKilled() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        var server = try await ServerProcess(router: router.endpoint, model: model)
        let engine = try RemoteEngine(
            configuration: EdgeFixture.configuration(router: router.endpoint, Self.quick), robot: EdgeFixture.robot(),
            policy: EdgeFixture.policy(model), logger: Logger(label: "test.edge"))
        engine.reset()
        try await engine.start()
        let loop = TestControlLoop(engine: engine)
        #expect(await EdgeFixture.eventually { engine.stats.merges >= 2 })
        let epochBefore = engine.epoch
        server.kill()
        #expect(await EdgeFixture.eventually { engine.state == .reconnecting })
        #expect(await EdgeFixture.eventually { engine.stats.fallbackTicks >= 10 })
        server = try await ServerProcess(router: router.endpoint, model: model)
        #expect(await EdgeFixture.eventually(timeout: 15) { engine.state == .streaming && engine.stats.reconnects == 1 })
        let mergesAfter = engine.stats.merges
        #expect(await EdgeFixture.eventually { engine.stats.merges > mergesAfter })
        loop.stop()
        #expect(engine.epoch > epochBefore)
        #expect(Self.visited(engine).contains(.reconnecting))
        #expect(loop.longestCall < 0.25, "action() took \(loop.longestCall) s: it must never wait on the network")
        #expect(engine.deathReason == nil)
        await engine.stop()
        server.kill()
    }

    @Test("Router killed mid-run: link lost → RECONNECTING, fallback ticks; router back → STREAMING again")
    func routerKilled() async throws {
        let port = freeLoopbackPort()
        var router = try await ZenohRouter.start(port: port)
        let model = try EdgeFixture.checkpoint()
        let server = try await InProcessServer(router: router.endpoint, model: model)
        let engine = try RemoteEngine(
            configuration: EdgeFixture.configuration(router: router.endpoint, Self.quick), robot: EdgeFixture.robot(),
            policy: EdgeFixture.policy(model), logger: Logger(label: "test.edge"))
        engine.reset()
        try await engine.start()
        let loop = TestControlLoop(engine: engine)
        #expect(await EdgeFixture.eventually { engine.stats.merges >= 2 })
        router.process.kill()
        #expect(await EdgeFixture.eventually { engine.state == .reconnecting })
        let fallbackDuringOutage = await EdgeFixture.eventually { engine.stats.fallbackTicks >= 10 }
        router = try await ZenohRouter.start(port: port)
        defer { router.stop() }
        #expect(await EdgeFixture.eventually(timeout: 20) { engine.state == .streaming && engine.stats.reconnects >= 1 })
        let mergesAfter = engine.stats.merges
        #expect(await EdgeFixture.eventually(timeout: 10) { engine.stats.merges > mergesAfter })
        loop.stop()
        #expect(fallbackDuringOutage)
        #expect(loop.longestCall < 0.25, "action() took \(loop.longestCall) s")
        await engine.stop()
        await server.stop()
    }

    @Test("A different model on reconnect: DEAD, the rollout is told, no chunk of it is executed")
    func wrongModel() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        // Two checkpoints whose paths sanitize to the same key segment: the same service, another model.
        let root = try PythonRunner.temporaryDirectory("edge-wrong")
        let first = try EdgeFixture.checkpoint(at: root.appendingPathComponent("wrong/model"))
        let second = try EdgeFixture.checkpoint(at: root.appendingPathComponent("wrong-model"))
        var server = try await InProcessServer(router: router.endpoint, model: first)
        let died = Mutex<String?>(nil)
        let engine = try RemoteEngine(
            configuration: EdgeFixture.configuration(router: router.endpoint, Self.quick), robot: EdgeFixture.robot(),
            policy: EdgeFixture.policy(first), logger: Logger(label: "test.edge"), onDeath: { reason in died.withLock { $0 = reason } })
        engine.reset()
        try await engine.start()
        let loop = TestControlLoop(engine: engine)
        #expect(await EdgeFixture.eventually { engine.stats.merges >= 1 })
        await server.stop()
        #expect(await EdgeFixture.eventually { engine.state == .reconnecting })
        let merges = engine.stats.merges
        server = try await InProcessServer(router: router.endpoint, model: second)
        #expect(await EdgeFixture.eventually(timeout: 15) { engine.state == .dead })
        loop.stop()
        let reason = try #require(died.withLock { $0 })
        #expect(
            reason
                == "Server model changed across reconnect (\(first.path)@main → \(second.path)@main) — refusing to execute wrong-model chunks"
        )
        #expect(engine.stats.merges == merges)
        #expect(engine.action() == nil)
        await engine.stop()
        await server.stop()
    }

    @Test("No server for max_offline_s: DEAD with the offline reason")
    func maxOffline() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let server = try await InProcessServer(router: router.endpoint, model: model)
        let died = Mutex<String?>(nil)
        let engine = try RemoteEngine(
            configuration: EdgeFixture.configuration(router: router.endpoint) {
                Self.quick(&$0)
                $0.failSafe.maxOffline = 1.5
            },
            robot: EdgeFixture.robot(), policy: EdgeFixture.policy(model), logger: Logger(label: "test.edge"),
            onDeath: { reason in died.withLock { $0 = reason } })
        engine.reset()
        try await engine.start()
        let loop = TestControlLoop(engine: engine)
        #expect(await EdgeFixture.eventually { engine.stats.merges >= 1 })
        await server.stop()
        #expect(await EdgeFixture.eventually(timeout: 15) { engine.state == .dead })
        loop.stop()
        let reason = try #require(died.withLock { $0 })
        #expect(reason.hasPrefix("offline for ") && reason.hasSuffix("(max_offline_s=1.5)"))
        #expect(Self.visited(engine).suffix(2) == [.reconnecting, .dead])
        await engine.stop()
    }

    @Test("Buffered actions older than max_action_age_s are dropped unexecuted when the server goes away")
    func staleness() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint(chunkSize: 50)
        let server = try await InProcessServer(router: router.endpoint, model: model, rtc: false)
        let engine = try RemoteEngine(
            configuration: EdgeFixture.configuration(router: router.endpoint) {
                Self.quick(&$0)
                $0.fallback = .hold
                $0.failSafe.maxActionAge = 1.0
            },
            robot: EdgeFixture.robot(fps: 10), policy: EdgeFixture.policy(model), logger: Logger(label: "test.edge"))
        engine.reset()
        try await engine.start()
        let loop = TestControlLoop(engine: engine, fps: 10)
        #expect(await EdgeFixture.eventually { engine.stats.merges >= 1 })
        await server.stop()  // 50 rows at 10 Hz = 5 s of buffer; only 1 s of it may run
        #expect(await EdgeFixture.eventually { engine.stats.staleDrops >= 1 })
        let served = loop.actions.compactMap { $0 }.count
        try await Task.sleep(for: .milliseconds(300))
        loop.stop()
        #expect(served <= 13, "\(served) buffered actions ran; at 10 Hz only about 10 fit in max_action_age_s=1")
        #expect(loop.actions.suffix(2).allSatisfy { $0 == nil }, "after the drop the arm holds (nothing sent)")
        await engine.stop()
    }

    @Test("Fail fast before the robot moves: no server, or action names in another order")
    func failFast() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let lonely = try RemoteEngine(
            configuration: EdgeFixture.configuration(router: router.endpoint, Self.quick), robot: EdgeFixture.robot(),
            policy: EdgeFixture.policy(model), logger: Logger(label: "test.edge"))
        let noServer = await #expect(throws: RemoteInferenceError.self) { try await lonely.start() }
        #expect(noServer?.code == .noServer)
        #expect(
            noServer?.message == "No policy server answered status query at '\(lonely.keys.status)' via '\(router.endpoint)' (timeout 0.5s)"
        )
        await lonely.stop()

        let server = try await InProcessServer(router: router.endpoint, model: model)
        let swapped = [EdgeFixture.names[1], EdgeFixture.names[0]] + EdgeFixture.names.dropFirst(2)
        let engine = try RemoteEngine(
            configuration: EdgeFixture.configuration(router: router.endpoint), robot: EdgeFixture.robot(keys: swapped),
            policy: EdgeFixture.policy(model), logger: Logger(label: "test.edge"))
        let mismatch = await #expect(throws: RemoteInferenceError.self) { try await engine.start() }
        #expect(mismatch?.message.hasPrefix("Policy server rejected the session: action feature names/order mismatch") == true)
        await engine.stop()
        await server.stop()
    }
}

extension EngineFailSafeTests {
    @Test("Server frozen (SIGSTOP): DEGRADED → STALLED → RECONNECTING in order; thawed → STREAMING")
    func serverFrozen() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let server = try await ServerProcess(router: router.endpoint, model: model)
        let engine = try RemoteEngine(
            configuration: EdgeFixture.configuration(router: router.endpoint) {
                Self.quick(&$0)
                $0.failSafe.requestTimeout = 0.3
            },
            robot: EdgeFixture.robot(), policy: EdgeFixture.policy(model), logger: Logger(label: "test.edge"))
        engine.reset()
        try await engine.start()
        let loop = TestControlLoop(engine: engine)
        #expect(await EdgeFixture.eventually { engine.stats.merges >= 3 })
        kill(server.process.processIdentifier, SIGSTOP)  // alive for the router (lease), silent for the robot
        #expect(await EdgeFixture.eventually { engine.state == .reconnecting })
        try await Task.sleep(for: .milliseconds(500))
        kill(server.process.processIdentifier, SIGCONT)
        #expect(await EdgeFixture.eventually(timeout: 15) { engine.state == .streaming && engine.stats.reconnects >= 1 })
        loop.stop()
        let states = Self.visited(engine)
        let outage = Array(states.drop { $0 != .degraded })
        #expect(Array(outage.prefix(3)) == [.degraded, .stalled, .reconnecting], "\(states)")
        #expect(states.last == .streaming)
        #expect(engine.stats.timeouts >= 1)
        await engine.stop()
        server.kill()
    }
}

import Foundation
import InteropSupport
import Logging
import PolicyServer
import Zenoh

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Our policy server (in this process) with the mock policy and its health port, behind a real Rust router or
/// listening in Zenoh peer mode (robots then connect to it directly).
final class ServerFixture: Sendable {
    enum Topology: String, Sendable, CaseIterable {
        /// Server and robots are clients of a Rust router.
        case router
        /// The server listens in peer mode; robots connect to it as peers (the router-less quickstart).
        case peer
        /// The server listens in peer mode; robots connect to it in client mode.
        case peerWithClientRobots
    }

    let router: ZenohRouter?
    /// Where robots connect: the router, or the server's own listener.
    let endpoint: String
    /// The robots' Zenoh mode (`-m`): client through the router, peer straight to the listening server.
    let robotMode: String
    let zenoh: ZenohSession
    let service: PolicyService
    let health: HealthServer
    let server: LoadedServer
    let model: URL

    static let names = (0..<6).map { "joint_\($0).pos" }

    /// LeRobot's own test fixture: 6 joints, chunk 20, one 48×64 camera `observation.images.front`.
    static func mockCheckpoint() throws -> URL {
        let directory = try PythonRunner.temporaryDirectory("mock-model")
        try """
        {"type": "mock", "n_obs_steps": 1, "chunk_size": 20,
         "input_features": {"observation.state": {"type": "STATE", "shape": [6]},
                            "observation.images.front": {"type": "VISUAL", "shape": [3, 48, 64]}},
         "output_features": {"action": {"type": "ACTION", "shape": [6]}},
         "action_feature_names": [\(names.map { "\"\($0)\"" }.joined(separator: ", "))]}
        """.write(to: directory.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        return directory
    }

    /// Serves `model` (default: the mock checkpoint) with the manifest `extra` keys.
    init(
        maxSessions: Int = 4, extra: [(key: String, value: String)] = [], model: URL? = nil,
        capture: DebugCapture? = nil, topology: Topology = .router
    ) async throws {
        let router = topology == .router ? try await ZenohRouter.start() : nil
        self.router = router
        self.model = try model ?? Self.mockCheckpoint()
        let zenohKeys: [(key: String, value: String)] =
            if let router {
                [("zenoh.connect_endpoints", "[\"\(router.endpoint)\"]")]
            } else {
                [("zenoh.mode", "peer"), ("zenoh.listen_endpoints", "[\"tcp/127.0.0.1:0\"]")]
            }
        let manifest = try ServerManifest(
            yaml: nil,
            overrides: [
                ("model.repo_or_path", self.model.path), ("max_sessions", "\(maxSessions)"), ("warmup_inferences", "0"),
                ("default_task", "test task"),
            ] + zenohKeys + extra)
        server = try await ServerStartup.load(manifest)
        let runner = try InferenceRunner(
            policy: server.policy,
            settings: .init(servingMode: server.servingMode, rtcExecutionHorizon: 10, defaultTask: manifest.defaultTask))
        zenoh = try await ZenohSession.open(configuration: try manifest.zenoh.sessionConfiguration())
        endpoint = router?.endpoint ?? "\(zenoh.listeningEndpoints[0])"
        robotMode = topology == .peer ? "peer" : "client"
        let metrics = ServerMetrics(maxSessions: server.maxSessions)
        service = PolicyService(
            server: server, zenoh: zenoh, runner: runner, metrics: metrics, logger: Logger(label: "test.server"),
            auditLogger: Logger(label: "test.audit"), capture: capture)
        let service = service
        health = try await HealthServer.start(host: "127.0.0.1", port: 0, metrics: metrics, isWorkerAlive: { service.isWorkerAlive })
        try service.start()
    }

    func stop() async {
        await service.drain()
        await zenoh.close()
        await health.close()
        router?.stop()
    }

    /// Runs `python/lerobot_client.py` against this server and returns its JSON events.
    func client(
        _ uuid: String, _ extra: [String] = [], state: String = "0.1,0.2,0.3,0.4,0.5,0.6",
        cameras: String = "observation.images.front"
    ) async throws -> [[String: Any]] {
        let process = try PythonProcess(
            "lerobot_client.py",
            [
                "-e", endpoint, "-m", robotMode, "--model", model.path, "--task", "test task", "--uuid", uuid, "--state", state,
                "--cameras", cameras, "--image-size", "48x64",
            ] + extra)
        try await process.awaitLine(timeout: 60) { $0.contains("\"event\": \"done\"") || $0.contains("\"event\": \"error\"") }
        process.stop()
        return process.jsonLines()
    }

    func get(_ path: String) async throws -> (Int, String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(health.port)\(path)")!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}

import Foundation
import InteropSupport
import Logging
import PolicyServer
import PolicyWire
import RemoteInference
import Synchronization
import Zenoh

/// Our policy server, in this process, on a real Rust router; it can be drained and started again (the
/// same or another checkpoint) while the router keeps running.
final class InProcessServer: Sendable {
    let zenoh: ZenohSession
    let service: PolicyService
    let server: LoadedServer

    convenience init(router: String, model: URL, rtc: Bool = true, task: String = EdgeFixture.task) async throws {
        try await self.init(zenoh: [("zenoh.connect_endpoints", "[\"\(router)\"]")], model: model, rtc: rtc, task: task)
    }

    /// A server with these `zenoh.*` manifest keys (peer mode, listen endpoints, TLS files).
    init(
        zenoh zenohKeys: [(key: String, value: String)], model: URL, rtc: Bool = true, task: String = EdgeFixture.task
    ) async throws {
        let manifest = try ServerManifest(
            yaml: nil,
            overrides: [
                ("model.repo_or_path", model.path), ("max_sessions", "4"), ("warmup_inferences", "0"),
                ("default_task", task), ("rtc.enabled", rtc ? "true" : "false"), ("health_port", "0"),
            ] + zenohKeys)
        server = try await ServerStartup.load(manifest)
        let runner = try InferenceRunner(
            policy: server.policy,
            settings: .init(servingMode: server.servingMode, rtcExecutionHorizon: 10, defaultTask: manifest.defaultTask))
        zenoh = try await ZenohSession.open(configuration: try manifest.zenoh.sessionConfiguration())
        service = PolicyService(
            server: server, zenoh: zenoh, runner: runner, metrics: ServerMetrics(maxSessions: server.maxSessions),
            logger: Logger(label: "test.server"), auditLogger: Logger(label: "test.audit"))
        try service.start()
    }

    func stop() async {
        await service.drain()
        await zenoh.close()
    }
}

enum EdgeFixture {
    static let task = "pick up the cube"
    static let names = ["shoulder_pan.pos", "shoulder_lift.pos", "elbow_flex.pos", "wrist_flex.pos", "wrist_roll.pos", "gripper.pos"]
    static let camera = "observation.images.front"

    /// A mock checkpoint with the SO-100 joint names and one 48×64 camera, in `directory` (created). 50 rows
    /// (1.7 s at 30 Hz) so that the RTC trim of a slow round trip on a loaded machine leaves rows to play.
    static func checkpoint(at directory: URL? = nil, computeMs: Int = 0, chunkSize: Int = 50) throws -> URL {
        let dir = try directory ?? PythonRunner.temporaryDirectory("edge-model")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
        {"type": "mock", "n_obs_steps": 1, "chunk_size": \(chunkSize), "mock_compute_ms": \(computeMs),
         "input_features": {"observation.state": {"type": "STATE", "shape": [6]},
                            "\(camera)": {"type": "VISUAL", "shape": [3, 48, 64]}},
         "output_features": {"action": {"type": "ACTION", "shape": [6]}},
         "action_feature_names": [\(names.map { "\"\($0)\"" }.joined(separator: ", "))]}
        """.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        return dir
    }

    static func robot(fps: Double = 30, keys: [String] = names) -> RobotDescription {
        RobotDescription(robotType: "sim", fps: fps, orderedActionKeys: keys, stateDim: 6, cameraKeys: [camera], task: task)
    }

    static func policy(_ model: URL) -> PolicyDescription {
        PolicyDescription(type: "mock", actionFeatureNames: names, visualFeatures: [camera], stateDim: 6, path: model.path)
    }

    static func configuration(router: String, _ change: (inout RemoteInferenceConfiguration) -> Void = { _ in })
        -> RemoteInferenceConfiguration
    {
        var configuration = RemoteInferenceConfiguration()
        configuration.connectEndpoint = router
        configuration.clientUUID = "robot-\(UInt32.random(in: 0...UInt32.max))"
        change(&configuration)
        return configuration
    }

    /// Distinct per joint, so a column swap shows.
    static let state: [Float] = [1, 2, 3, 4, 5, 6]

    static func observation(_ state: [Float] = state) -> RobotObservation {
        let image = try! RGBImage(width: 64, height: 48, pixels: [UInt8](repeating: 90, count: 64 * 48 * 3))
        return RobotObservation(state: state, cameras: [.init(key: camera, image: image)])
    }

    /// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
    static func eventually(timeout: Double = 10, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}

/// A control loop on its own thread: notify + action at `fps`, recording every action and the longest
/// `action()` call (which must never wait on the network).
final class TestControlLoop: Sendable {
    private let engine: RemoteEngine
    private let fps: Double
    private let state = Mutex<(actions: [[Float]?], longestCall: Double, running: Bool, observation: RobotObservation)>(
        ([], 0, true, EdgeFixture.observation()))
    private let done = DispatchSemaphore(value: 0)

    init(engine: RemoteEngine, fps: Double = 30) {
        self.engine = engine
        self.fps = fps
        let thread = Thread { [self] in self.loop() }
        thread.start()
    }

    private func loop() {
        let period = 1 / fps
        var next = MonotonicClock.seconds
        while state.withLock({ $0.running }) {
            engine.notifyObservation(state.withLock { $0.observation })
            let before = MonotonicClock.seconds
            let action = engine.action()
            let took = MonotonicClock.seconds - before
            state.withLock {
                $0.actions.append(action)
                $0.longestCall = max($0.longestCall, took)
            }
            next += period
            let wait = next - MonotonicClock.seconds
            if wait > 0 { usleep(useconds_t(wait * 1e6)) }
        }
        done.signal()
    }

    func setObservation(_ observation: RobotObservation) { state.withLock { $0.observation = observation } }
    var actions: [[Float]?] { state.withLock { $0.actions } }
    var longestCall: Double { state.withLock { $0.longestCall } }

    func stop() {
        state.withLock { $0.running = false }
        done.wait()
    }
}

/// The `lerobot-policy-server` executable as a child process (for SIGKILL chaos).
final class ServerProcess: Sendable {
    let process = Process()

    static var executable: URL {
        get throws {
            let candidates = [
                URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                PythonRunner.packageRoot.appendingPathComponent(".build/debug"),
            ].map { $0.appendingPathComponent("lerobot-policy-server") }
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw PythonRunner.Failure(description: "lerobot-policy-server is not built (looked in \(candidates.map(\.path)))")
            }
            return found
        }
    }

    /// Starts the server and waits for its ready line.
    init(router: String, model: URL, _ extra: [String] = []) async throws {
        process.executableURL = try Self.executable
        process.arguments =
            [
                "--model.repo_or_path=\(model.path)", "--default_task=\(EdgeFixture.task)", "--warmup_inferences=0",
                "--health_port=0", "--zenoh.connect_endpoints=[\"\(router)\"]",
            ] + extra
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let handle = output.fileHandleForReading
        let ready = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: handle.availableData) }
        }
        guard String(decoding: ready, as: UTF8.self).hasPrefix("Policy server up:") else {
            throw PythonRunner.Failure(description: "the server did not come up: \(String(decoding: ready, as: UTF8.self))")
        }
    }

    /// SIGKILL, as a crash.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { kill() }
    }
}

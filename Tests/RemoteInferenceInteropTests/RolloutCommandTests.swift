import Foundation
import InteropSupport
import Synchronization
import Testing

/// The `lerobot-rollout` executable end to end: a simulated robot against our server binary through a
/// real router.
@Suite("lerobot-rollout end to end", .serialized)
struct RolloutCommandTests {
    static var executable: URL {
        get throws {
            let server = try ServerProcess.executable
            let rollout = server.deletingLastPathComponent().appendingPathComponent("lerobot-rollout")
            guard FileManager.default.isExecutableFile(atPath: rollout.path) else {
                throw PythonRunner.Failure(description: "lerobot-rollout is not built next to \(server.path)")
            }
            return rollout
        }
    }

    struct Run {
        var status: Int32
        var stats: [String: Any]
        var stderr: String
    }

    /// Runs the rollout with `arguments`, calling `during` once it is running.
    static func rollout(
        _ arguments: [String], environment: [String: String] = [:], standardInput: FileHandle? = nil,
        started: @Sendable (Int32) -> Void = { _ in },
        during: @escaping @Sendable (FileHandle) async throws -> Void = { _ in }
    ) async throws -> Run {
        let process = Process()
        process.executableURL = try executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        // stdin: a pipe the test writes to (closed after `during`), or the given handle (a terminal).
        let input = Pipe()
        if let standardInput { process.standardInput = standardInput } else { process.standardInput = input }
        try process.run()
        started(process.processIdentifier)
        try await during(input.fileHandleForWriting)
        try? input.fileHandleForWriting.close()
        let (stdout, stderr) = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let stdout = out.fileHandleForReading.readDataToEndOfFile()
                let stderr = err.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (stdout, stderr))
            }
        }
        let lastLine = String(decoding: stdout, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        let stats = (try? JSONSerialization.jsonObject(with: Data(lastLine.utf8))) as? [String: Any] ?? [:]
        return Run(status: process.terminationStatus, stats: stats, stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func arguments(router: String, model: URL, _ extra: [String]) -> [String] {
        [
            "--strategy.type=base", "--policy.path=\(model.path)", "--inference.type=remote",
            "--inference.connect_endpoint=\(router)", "--robot.type=sim",
            "--robot.cameras={ front: {type: sim, width: 64, height: 48, fps: 30}}",
            "--task=\(EdgeFixture.task)",
        ] + extra
    }

    @Test("A 3 s base rollout with --robot.type=sim streams, prints JSON stats and returns to the initial position")
    func baseRollout() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let server = try await ServerProcess(router: router.endpoint, model: model)
        defer { server.kill() }
        let run = try await Self.rollout(Self.arguments(router: router.endpoint, model: model, ["--duration=3"]))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stats["final_state"] as? String == "STREAMING")
        #expect((run.stats["merges"] as? Int ?? 0) >= 1)
        #expect((run.stats["actions_sent"] as? Int ?? 0) >= 1)
        #expect((run.stats["ticks"] as? Int ?? 0) >= 1)
        #expect(run.stats["returned_to_initial_position"] as? Bool == true)
        #expect(run.stats["dead_reason"] is NSNull)
        #expect(run.stats["rtc_active"] as? Bool == true)
        let merges = run.stats["merges"] as? Int ?? 0
        #expect((run.stats["chunk_transitions"] as? Int).map { $0 >= 1 && $0 < merges } == true, "\(run.stats)")
        #expect((run.stats["action_step_max"] as? Double).map { $0 >= (run.stats["action_step_p50"] as? Double ?? .infinity) } == true)
        #expect(run.stderr.contains("state CONNECTING → STREAMING") || run.stderr.contains("state STREAMING"))
    }

    @Test("Server gone for max_offline_s: DEAD stops the rollout cleanly (exit 3, reason, return to initial position)")
    func deadRollout() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let server = try await ServerProcess(router: router.endpoint, model: model)
        let run = try await Self.rollout(
            Self.arguments(
                router: router.endpoint, model: model,
                [
                    "--duration=60", "--inference.max_offline_s=1", "--inference.request_timeout_s=0.5",
                    "--inference.handshake_timeout_s=0.3", "--inference.reconnect_initial_backoff_s=0.1",
                    "--inference.reconnect_max_backoff_s=0.2",
                ]),
            during: { _ in
                try await Task.sleep(for: .seconds(2))
                server.kill()
            })
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stats["final_state"] as? String == "DEAD")
        #expect((run.stats["dead_reason"] as? String)?.hasPrefix("offline for ") == true)
        #expect(run.stats["returned_to_initial_position"] as? Bool == true)
        #expect((run.stats["duration_s"] as? Double ?? 60) < 30)
    }

    @Test("No server: the rollout fails before the robot moves, with LeRobot's message (exit 2)")
    func noServer() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let run = try await Self.rollout(Self.arguments(router: router.endpoint, model: model, ["--duration=3"]))
        #expect(run.status == 2)
        #expect(run.stderr.contains("error: No policy server answered status query at '@lerobot/"), "\(run.stderr)")
        #expect(run.stats.isEmpty)
    }

    @Test("episodic: policy phases and reset phases; every episode starts with a reset")
    func episodic() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let server = try await ServerProcess(router: router.endpoint, model: model)
        defer { server.kill() }
        let run = try await Self.rollout(
            Self.arguments(
                router: router.endpoint, model: model,
                [
                    "--strategy.type=episodic", "--dataset.episode_time_s=1", "--dataset.reset_time_s=0.5", "--dataset.num_episodes=2",
                    "--duration=30",
                ]))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stats["episodes"] as? Int == 2)
        #expect(run.stats["resets"] as? Int == 3)  // before start, then at the start of each episode
        #expect(run.stderr.contains("Episode 2/2") && run.stderr.contains("Reset phase"))
        #expect((run.stats["duration_s"] as? Double ?? 30) < 20)
    }

    @Test("dagger from stdin: pause (engine paused, last action held), resume (episode boundary), q stops")
    func dagger() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let server = try await ServerProcess(router: router.endpoint, model: model)
        defer { server.kill() }
        let run = try await Self.rollout(
            Self.arguments(router: router.endpoint, model: model, ["--strategy.type=dagger", "--duration=60"]),
            during: { stdin in
                try await Task.sleep(for: .seconds(2))
                stdin.write(Data("p\n".utf8))
                try await Task.sleep(for: .seconds(1))
                stdin.write(Data("c\n".utf8))
                try await Task.sleep(for: .milliseconds(500))
                stdin.write(Data("c\n".utf8))
                try await Task.sleep(for: .milliseconds(500))
                stdin.write(Data("p\n".utf8))
                try await Task.sleep(for: .seconds(1))
                stdin.write(Data("q\n".utf8))
            })
        #expect(run.status == 0, "\(run.stderr)")
        let phases = run.stderr.split(separator: "\n").filter { $0.hasPrefix("dagger: ") }.map { String($0.dropFirst(8)) }
        #expect(phases == ["PAUSED", "CORRECTING", "PAUSED", "AUTONOMOUS"], "\(run.stderr)")
        #expect(run.stderr.contains("No teleoperator (--teleop.type): the arm holds while correcting"))
        #expect(run.stats["resets"] as? Int == 3)  // before start, at the run start, back to AUTONOMOUS
        #expect((run.stats["duration_s"] as? Double ?? 60) < 30)
        #expect(run.stats["final_state"] as? String == "STREAMING")
    }

    @Test("SIGINT stops the rollout cleanly: exit 0, stats printed, return to the initial position")
    func interrupted() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let server = try await ServerProcess(router: router.endpoint, model: model)
        defer { server.kill() }
        let pid = Mutex<Int32>(0)
        let run = try await Self.rollout(
            Self.arguments(router: router.endpoint, model: model, ["--duration=60"]),
            started: { started in pid.withLock { $0 = started } },
            during: { _ in
                try await Task.sleep(for: .seconds(2))
                kill(pid.withLock { $0 }, SIGINT)
            })
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stats["final_state"] as? String == "STREAMING")
        #expect(run.stats["returned_to_initial_position"] as? Bool == true)
        #expect((run.stats["duration_s"] as? Double ?? 60) < 30)
    }
}

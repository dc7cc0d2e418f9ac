import Foundation
import InteropSupport
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
    static func rollout(_ arguments: [String], during: @escaping @Sendable () async throws -> Void = {}) async throws -> Run {
        let process = Process()
        process.executableURL = try executable
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try await during()
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
            "--robot.cameras={ front: {type: opencv, index_or_path: 0, width: 64, height: 48, fps: 30}}",
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
        #expect(run.stderr.contains("state CONNECTING → STREAMING") || run.stderr.contains("state STREAMING"))
    }

    @Test("Server gone for max_offline_s: DEAD stops the rollout cleanly (exit 3, reason, return to initial position)")
    func deadRollout() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let server = try await ServerProcess(router: router.endpoint, model: model)
        let run = try await Self.rollout(
            Self.arguments(router: router.endpoint, model: model, [
                "--duration=60", "--inference.max_offline_s=1", "--inference.request_timeout_s=0.5",
                "--inference.handshake_timeout_s=0.3", "--inference.reconnect_initial_backoff_s=0.1",
                "--inference.reconnect_max_backoff_s=0.2",
            ]),
            during: {
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
}

import Foundation
import InteropSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `lerobot-policy-server` executable itself, stopped with SIGTERM while a request is in flight.
@Suite("Drain on SIGTERM", .serialized)
struct DrainTests {
    static var executable: URL {
        get throws {
            let candidates = [
                URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                PythonRunner.packageRoot.appendingPathComponent(".build/debug"),
            ].map { $0.appendingPathComponent("lerobot-policy-server") }
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw PythonRunner.Failure(
                    description:
                        "lerobot-policy-server is not built (looked in \(candidates.map(\.path))); run `swift build --build-tests` or ./scripts/test"
                )
            }
            return found
        }
    }

    @Test(
        "SIGTERM: the server token vanishes first, the in-flight request is answered, exit status 0",
        arguments: [ServerFixture.Topology.router, .peer])
    func drain(_ topology: ServerFixture.Topology) async throws {
        let router = topology == .router ? try await ZenohRouter.start() : nil
        defer { router?.stop() }
        let endpoint = router?.endpoint ?? "tcp/127.0.0.1:\(freeLoopbackPort())"
        let zenohFlags =
            router == nil
            ? ["--zenoh.mode=peer", "--zenoh.listen_endpoints=[\"\(endpoint)\"]"]
            : ["--zenoh.connect_endpoints=[\"\(endpoint)\"]"]
        let robotMode = router == nil ? "peer" : "client"
        let model = try ServerFixture.mockCheckpoint()
        // 1.5 s of simulated inference so the signal lands while a request is being served.
        var config = try String(contentsOf: model.appendingPathComponent("config.json"), encoding: .utf8)
        config = config.replacingOccurrences(of: "\"chunk_size\": 20,", with: "\"chunk_size\": 20, \"mock_compute_ms\": 1500,")
        try config.write(to: model.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)

        let server = Process()
        server.executableURL = try Self.executable
        server.arguments =
            [
                "--model.repo_or_path=\(model.path)", "--default_task=test task", "--warmup_inferences=0", "--health_port=0",
            ] + zenohFlags
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        let handle = output.fileHandleForReading
        let ready = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: handle.availableData) }
        }
        #expect(String(decoding: ready, as: UTF8.self).hasPrefix("Policy server up: prefix=@lerobot/"))

        let prefix = String(decoding: ready, as: UTF8.self).split(separator: " ")[3].dropFirst("prefix=".count)
        let watcher = try PythonProcess(
            "zenoh_tool.py", ["-m", robotMode, "-e", endpoint, "liveliness-sub", "-k", "\(prefix)/server/alive", "--history"])
        defer { watcher.stop() }
        try await watcher.awaitLine { $0.contains("\"kind\": \"PUT\"") }

        let robot = try PythonProcess(
            "lerobot_client.py",
            [
                "-e", endpoint, "-m", robotMode, "--model", model.path, "--task", "test task", "--uuid", "drain-robot", "--count", "1",
                "--cameras", "observation.images.front", "--image-size", "48x64", "--timeout", "10",
            ])
        defer { robot.stop() }
        try await robot.awaitLine { $0.contains("\"event\": \"ack\"") }
        try await Task.sleep(for: .milliseconds(700))  // the observation left 0.3 s after the ack; inference takes 1.5 s
        kill(server.processIdentifier, SIGTERM)

        try await watcher.awaitLine(timeout: 5) { $0.contains("\"kind\": \"DELETE\"") }
        let chunk = try await robot.awaitLine(timeout: 10) { $0.contains("\"event\": \"chunk\"") || $0.contains("\"event\": \"error\"") }
        #expect(chunk.line.contains("\"event\": \"chunk\""), "the in-flight request was not answered: \(robot.output)")
        let status = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                server.waitUntilExit()
                continuation.resume(returning: server.terminationStatus)
            }
        }
        #expect(status == 0)
    }
}

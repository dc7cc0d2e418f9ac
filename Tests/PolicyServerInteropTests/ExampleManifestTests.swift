import Foundation
import InteropSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The shipped manifests, run as a user would: `lerobot-policy-server --manifest examples/<name>.yaml` (with
/// flags overriding the addresses and, for TLS, the certificate files), a LeRobot-protocol robot written in
/// Python served through it, then SIGTERM and a clean exit.
@Suite("Example manifests: start, serve, drain", .serialized)
struct ExampleManifestRunTests {
    @Test("examples/server-*.yaml", arguments: ["server-router", "server-peer", "server-tls"])
    func serves(_ example: String) async throws {
        let port = freeLoopbackPort()
        var flags = ["--manifest", "examples/\(example).yaml", "--health_port=0", "--warmup_inferences=0"]
        var robotFlags: [String] = []
        var router: ZenohRouter?
        defer { router?.stop() }
        switch example {
        case "server-router":
            let started = try await ZenohRouter.start()
            router = started
            flags.append("--zenoh.connect_endpoints=[\"\(started.endpoint)\"]")
            robotFlags = ["-e", started.endpoint]
        case "server-peer":
            flags.append("--zenoh.listen_endpoints=[\"tcp/127.0.0.1:\(port)\"]")
            robotFlags = ["-e", "tcp/127.0.0.1:\(port)", "-m", "peer"]
        default:
            let certificates = try TestCertificates.make()
            flags += [
                "--zenoh.listen_endpoints=[\"tls/127.0.0.1:\(port)\"]",
                "--zenoh.tls_root_ca_certificate=\(certificates.ca)",
                "--zenoh.tls_connect_certificate=\(certificates.serverCertificate)",
                "--zenoh.tls_connect_private_key=\(certificates.serverKey)",
            ]
            robotFlags = [
                "-e", "tls/127.0.0.1:\(port)", "-m", "peer", "--tls-ca", certificates.ca,
                "--tls-cert", certificates.clientCertificate, "--tls-key", certificates.clientKey,
            ]
        }
        let server = Process()
        server.executableURL = try DrainTests.executable
        server.currentDirectoryURL = PythonRunner.packageRoot  // the manifests name examples/mock_policy
        server.arguments = flags
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        let handle = output.fileHandleForReading
        let ready = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: handle.availableData) }
        }
        #expect(
            String(decoding: ready, as: UTF8.self).hasPrefix("Policy server up: prefix=@lerobot/examples-mock_policy/main/pick-up-the-cube")
        )

        let robot = try PythonProcess(
            "lerobot_client.py",
            robotFlags + [
                "--model", "examples/mock_policy", "--task", "pick up the cube", "--count", "2", "--close",
                "--action-names", "shoulder_pan.pos,shoulder_lift.pos,elbow_flex.pos,wrist_flex.pos,wrist_roll.pos,gripper.pos",
                "--cameras", "observation.images.front,observation.images.wrist", "--image-size", "480x640",
            ])
        defer { robot.stop() }
        let done = try await robot.awaitLine(timeout: 30) { $0.contains("\"event\": \"done\"") || $0.contains("\"event\": \"error\"") }
        #expect(done.line.contains("\"event\": \"done\""), "\(example): \(robot.output.suffix(5))")
        #expect(robot.jsonLines().filter { $0["event"] as? String == "chunk" }.count == 2)

        kill(server.processIdentifier, SIGTERM)
        let status = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                server.waitUntilExit()
                continuation.resume(returning: server.terminationStatus)
            }
        }
        #expect(status == 0)
    }
}

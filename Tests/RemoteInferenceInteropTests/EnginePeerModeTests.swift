import Foundation
import InteropSupport
import Logging
import RemoteInference
import Testing
import Zenoh

/// The router-less quickstart: our server listens in Zenoh peer mode and our robot connects to it directly,
/// over TCP and over mutual TLS (certificates made by the test).
@Suite("Edge engine ⇄ listening server (peer mode, TCP and mTLS)", .serialized)
struct EnginePeerModeTests {
    @Test("Exact mock values reach the robot from a server listening in peer mode", arguments: ["tcp", "mtls"])
    func streamsFromAListeningServer(_ link: String) async throws {
        let model = try EdgeFixture.checkpoint()
        var keys: [(key: String, value: String)] = [("zenoh.mode", "peer")]
        var certificates: TestCertificates?
        if link == "mtls" {
            let made = try TestCertificates.make()
            certificates = made
            keys += [
                ("zenoh.listen_endpoints", "[\"tls/127.0.0.1:0\"]"), ("zenoh.tls_root_ca_certificate", made.ca),
                ("zenoh.tls_connect_certificate", made.serverCertificate), ("zenoh.tls_connect_private_key", made.serverKey),
            ]
        } else {
            keys.append(("zenoh.listen_endpoints", "[\"tcp/127.0.0.1:0\"]"))
        }
        let server = try await InProcessServer(zenoh: keys, model: model)
        let endpoint = "\(server.zenoh.listeningEndpoints[0])"
        let engine = try RemoteEngine(
            configuration: EdgeFixture.configuration(router: endpoint) { configuration in
                configuration.zenohMode = "peer"
                if let certificates {
                    configuration.tlsCA = certificates.ca
                    configuration.tlsCert = certificates.clientCertificate
                    configuration.tlsKey = certificates.clientKey
                }
            },
            robot: EdgeFixture.robot(), policy: EdgeFixture.policy(model), logger: Logger(label: "test.edge"))
        engine.reset()
        try await engine.start()
        #expect(engine.state == .streaming && engine.isRTCActive)
        let loop = TestControlLoop(engine: engine)
        #expect(await EdgeFixture.eventually { engine.stats.merges >= 3 })
        loop.stop()
        let served = loop.actions.compactMap { $0 }
        #expect(!served.isEmpty)
        #expect(served.allSatisfy { EngineStreamingTests.matchingRow($0) != nil })
        #expect(engine.stats.timeouts == 0)
        await engine.stop()
        await server.stop()
    }

    @Test("A robot without the TLS files is refused before it moves, naming the flags")
    func tlsEndpointWithoutFiles() async throws {
        let model = try EdgeFixture.checkpoint()
        let engine = try RemoteEngine(
            configuration: EdgeFixture.configuration(router: "tls/127.0.0.1:7447") { $0.zenohMode = "peer" },
            robot: EdgeFixture.robot(), policy: EdgeFixture.policy(model), logger: Logger(label: "test.edge"))
        do {
            try await engine.start()
            Issue.record("started without TLS files")
        } catch {
            #expect(error.message.contains("--inference.tls_ca"), "\(error)")
        }
    }
}

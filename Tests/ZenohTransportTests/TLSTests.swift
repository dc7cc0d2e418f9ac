import Foundation
import InteropSupport
import NIOCore
import Testing
import ZenohProtocol
import ZenohTransport

/// TLS and mTLS links with certificates made by `openssl` for the run: Swift ↔ Swift, Swift → Rust router,
/// Rust → Swift listener, and the refusals (each must fail fast and say why).
@Suite("TLS and mTLS links", .serialized)
struct TLSTests {
    let certificates: TestCertificates

    init() throws {
        self.certificates = try TestCertificates.make()
    }

    var serverTLS: ZenohTLSConfiguration {
        ZenohTLSConfiguration(
            rootCACertificate: certificates.ca, listenCertificate: certificates.serverCertificate,
            listenPrivateKey: certificates.serverKey)
    }

    var mutualServerTLS: ZenohTLSConfiguration {
        var tls = self.serverTLS
        tls.enableMTLS = true
        return tls
    }

    var clientTLS: ZenohTLSConfiguration { ZenohTLSConfiguration(rootCACertificate: certificates.ca) }

    var mutualClientTLS: ZenohTLSConfiguration {
        ZenohTLSConfiguration(
            rootCACertificate: certificates.ca, connectCertificate: certificates.clientCertificate,
            connectPrivateKey: certificates.clientKey, enableMTLS: true)
    }

    func connect(_ endpoint: ZenohEndpoint, _ tls: ZenohTLSConfiguration, recorder: EventRecorder = EventRecorder())
        async throws(ZenohError) -> any ZenohTransportConnection
    {
        try await TCPTransportConnector(tls: tls).connect(to: endpoint, configuration: .init()) { recorder.record($0) }
    }

    /// Connects, expects a refusal within 5 s and returns its message.
    func refusal(_ endpoint: ZenohEndpoint, _ tls: ZenohTLSConfiguration) async throws -> String {
        let started = ContinuousClock.now
        do {
            let transport = try await self.connect(endpoint, tls)
            await transport.close()
            throw TestFailure("\(endpoint) accepted a connection that should have been refused")
        } catch let error as ZenohError {
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < .seconds(5), "refusal took \(elapsed)")
            return error.message
        }
    }

    @Test(arguments: [false, true])
    func swiftToSwiftListener(mutual: Bool) async throws {
        let (listener, accepted) = try await ListenerTests.listen(
            linkProtocol: .tls, tls: mutual ? self.mutualServerTLS : self.serverTLS)
        defer { Task { await listener.close() } }
        let recorder = EventRecorder()
        let started = ContinuousClock.now
        let client = try await self.connect(listener.localEndpoint, mutual ? self.mutualClientTLS : self.clientTLS, recorder: recorder)
        print("TLS handshake + Zenoh open, Swift → Swift listener (mTLS: \(mutual)): \(ContinuousClock.now - started)")
        let (server, serverEvents) = try #require(try await accepted.wait().first)
        let big = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 3) }
        #expect(client.send(Fixtures.push("tls/big", payload: big), options: .init(congestionControl: .block)))
        #expect(server.send(Fixtures.push("tls/back", payload: [9]), options: .init()))
        let up = try await serverEvents.wait(for: "1 MiB over TLS") { $0.put(on: "tls/big") }
        #expect(Array(up.payload.readableBytesView) == big)
        _ = try await recorder.wait(for: "reply over TLS") { $0.put(on: "tls/back") }
        await client.close()
    }

    @Test func byDNSNameToo() async throws {
        let (listener, accepted) = try await ListenerTests.listen(linkProtocol: .tls, tls: self.mutualServerTLS)
        defer { Task { await listener.close() } }
        let endpoint = ZenohEndpoint(linkProtocol: .tls, host: "localhost", port: listener.localEndpoint.port)
        let transport = try await self.connect(endpoint, self.mutualClientTLS)
        _ = try await accepted.wait()
        await transport.close()
    }

    @Test(arguments: [false, true])
    func swiftToRustRouter(mutual: Bool) async throws {
        var options = ["--tls-ca", certificates.ca, "--tls-cert", certificates.serverCertificate, "--tls-key", certificates.serverKey]
        if mutual { options.append("--tls-mtls") }
        let router = try await ZenohRouter.start(linkProtocol: "tls", options: options)
        defer { router.stop() }
        let endpoint = try ZenohEndpoint(parsing: router.endpoint)
        let recorder = EventRecorder()
        let started = ContinuousClock.now
        let transport = try await self.connect(endpoint, mutual ? self.mutualClientTLS : self.clientTLS, recorder: recorder)
        print("TLS handshake + Zenoh open, Swift → Rust router (mTLS: \(mutual)): \(ContinuousClock.now - started)")
        #expect(transport.info.remoteWhatAmI == .router)
        let declare = NetworkMessage.declare(
            .init(declaration: .subscriber(EntityDeclaration(id: 1, wireExpr: WireExpr(suffix: "tls/**")))))
        #expect(transport.send(declare, options: .control))
        // A Rust client over TLS (with its own certificate when mutual) publishes through the router.
        var python = ["--tls-ca", certificates.ca]
        if mutual { python += ["--tls-cert", certificates.clientCertificate, "--tls-key", certificates.clientKey, "--tls-mtls"] }
        var put: ZenohMessage.Put?
        for _ in 0..<3 where put == nil {
            try PythonRunner.succeed("zenoh_tool.py", python + ["-e", router.endpoint, "put", "-k", "tls/rust", "-p", "0102"])
            put = try? await recorder.wait(for: "the Rust put", timeout: 3) { $0.put(on: "tls/rust") }
        }
        #expect(put.map { Array($0.payload.readableBytesView) } == [1, 2])
        await transport.close()
    }

    @Test func rustClientToSwiftMutualTLSListener() async throws {
        let (listener, accepted) = try await ListenerTests.listen(linkProtocol: .tls, tls: self.mutualServerTLS)
        defer { Task { await listener.close() } }
        try PythonRunner.succeed(
            "zenoh_tool.py",
            [
                "--tls-ca", certificates.ca, "--tls-cert", certificates.clientCertificate, "--tls-key", certificates.clientKey,
                "--tls-mtls", "-e", "\(listener.localEndpoint)", "put", "-k", "tls/from-rust", "-p", "ab",
            ])
        let (_, events) = try #require(try await accepted.wait().first)
        let put = try await events.wait(for: "the Rust client's put") { $0.put(on: "tls/from-rust") }
        #expect(Array(put.payload.readableBytesView) == [0xAB])
    }

    @Test func refusalsAreFastAndSayWhy() async throws {
        let (mutual, mutualAccepted) = try await ListenerTests.listen(linkProtocol: .tls, tls: self.mutualServerTLS)
        defer { Task { await mutual.close() } }
        // No client certificate against mTLS.
        let noCertificate = try await self.refusal(mutual.localEndpoint, self.clientTLS)
        #expect(noCertificate.contains("client certificate"), "\(noCertificate)")
        // A client certificate from another CA.
        var foreign = self.mutualClientTLS
        foreign.connectCertificate = certificates.otherClientCertificate
        foreign.connectPrivateKey = certificates.otherClientKey
        let foreignMessage = try await self.refusal(mutual.localEndpoint, foreign)
        #expect(foreignMessage.contains("refused our client certificate"), "\(foreignMessage)")
        #expect(foreignMessage.contains(certificates.otherClientCertificate))
        // A server certificate from a CA we do not trust.
        var wrongCA = self.mutualClientTLS
        wrongCA.rootCACertificate = certificates.otherCA
        let wrongCAMessage = try await self.refusal(mutual.localEndpoint, wrongCA)
        #expect(wrongCAMessage.contains("not signed by root_ca_certificate '\(certificates.otherCA)'"), "\(wrongCAMessage)")
        #expect(mutualAccepted.all.isEmpty)
        // A server certificate that names other.example only: refused by IP with verification, accepted without.
        let wrongNameTLS = ZenohTLSConfiguration(
            listenCertificate: certificates.wrongNameCertificate, listenPrivateKey: certificates.wrongNameKey)
        let (wrongName, _) = try await ListenerTests.listen(linkProtocol: .tls, tls: wrongNameTLS)
        defer { Task { await wrongName.close() } }
        let mismatch = try await self.refusal(wrongName.localEndpoint, self.clientTLS)
        #expect(mismatch.contains("does not name '127.0.0.1'"), "\(mismatch)")
        var unverified = self.clientTLS
        unverified.verifyNameOnConnect = false
        let transport = try await self.connect(wrongName.localEndpoint, unverified)
        await transport.close()
    }

    @Test func rustRefusesASwiftClientWithoutCertificate() async throws {
        let router = try await ZenohRouter.start(
            linkProtocol: "tls",
            options: [
                "--tls-ca", certificates.ca, "--tls-cert", certificates.serverCertificate, "--tls-key",
                certificates.serverKey, "--tls-mtls",
            ])
        defer { router.stop() }
        let message = try await self.refusal(try ZenohEndpoint(parsing: router.endpoint), self.clientTLS)
        #expect(message.contains("TLS with"), "\(message)")
    }

    @Test func settingsErrorsNameTheFile() async throws {
        let endpoint = ZenohEndpoint(linkProtocol: .tls, host: "127.0.0.1", port: freeLoopbackPort())
        let missing = certificates.path("missing.pem")
        for (tls, expected) in [
            (ZenohTLSConfiguration(rootCACertificate: missing), "root_ca_certificate '\(missing)' does not exist"),
            (ZenohTLSConfiguration(rootCACertificate: certificates.serverKey), "holds no readable PEM certificate"),
            (ZenohTLSConfiguration(enableMTLS: true), "needs connect_certificate and connect_private_key"),
            (
                ZenohTLSConfiguration(
                    connectCertificate: certificates.clientCertificate, connectPrivateKey: certificates.ca,
                    enableMTLS: true), "connect_private_key '\(certificates.ca)' holds no readable PEM private key"
            ),
        ] {
            do {
                _ = try await self.connect(endpoint, tls)
                Issue.record("connected with \(tls)")
            } catch {
                #expect(error.code == .invalidConfiguration)
                #expect(error.message.contains(expected), "\(error.message)")
            }
        }
        do {
            _ = try await ListenerTests.listen(linkProtocol: .tls, tls: ZenohTLSConfiguration(listenCertificate: missing))
            Issue.record("listened without a key")
        } catch let error as ZenohError {
            #expect(error.message.contains("needs listen_certificate and listen_private_key"))
        }
        do {
            _ = try await ListenerTests.listen(linkProtocol: .tcp, tls: self.serverTLS)
            Issue.record("tls settings on tcp/ accepted")
        } catch let error as ZenohError {
            #expect(error.code == .invalidConfiguration)
        }
    }
}

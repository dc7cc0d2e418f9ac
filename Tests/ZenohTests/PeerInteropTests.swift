import Foundation
import InteropSupport
import NIOCore
import Testing
import Zenoh
import ZenohProtocol
import ZenohTransport

/// Peer mode, the interop matrix: Swift listening and connecting peers against real Rust Zenoh peers and
/// clients (`eclipse-zenoh` 1.10.2) and against Swift, over TCP and over mTLS with certificates made by the
/// test; every pairing runs every primitive both ways (pub/sub, get ⇄ queryable, liveliness with history and
/// liveliness get, 1 MiB).
@Suite("Zenoh peer mode: interop matrix", .serialized)
struct PeerInteropTests {
    enum Pairing: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case swiftListenerRustPeer = "Swift listening peer ← Rust peer"
        case swiftListenerRustClient = "Swift listening peer ← Rust client"
        case swiftPeerRustListener = "Swift peer → Rust listening peer"
        case swiftClientSwiftListener = "Swift client → Swift listening peer"
        case swiftPeerSwiftListener = "Swift peer ⇄ Swift listening peer"

        var testDescription: String { self.rawValue }
    }

    enum Link: String, CaseIterable, Sendable {
        case tcp, mtls
    }

    static let certificates = Result { try TestCertificates.make() }

    /// Swift TLS settings of a listener (`listening`) or a connecting side, with mTLS.
    static func swiftTLS(listening: Bool) throws -> ZenohTLSConfiguration {
        let certificates = try Self.certificates.get()
        var tls = ZenohTLSConfiguration(rootCACertificate: certificates.ca, enableMTLS: true)
        if listening {
            tls.listenCertificate = certificates.serverCertificate
            tls.listenPrivateKey = certificates.serverKey
        } else {
            tls.connectCertificate = certificates.clientCertificate
            tls.connectPrivateKey = certificates.clientKey
        }
        return tls
    }

    /// The agent's TLS arguments for a listener or a connecting side, with mTLS.
    static func rustTLS(listening: Bool) throws -> [String] {
        let certificates = try Self.certificates.get()
        return [
            "--tls-ca", certificates.ca,
            "--tls-cert", listening ? certificates.serverCertificate : certificates.clientCertificate,
            "--tls-key", listening ? certificates.serverKey : certificates.clientKey, "--tls-mtls",
        ]
    }

    static func configuration(
        mode: ZenohConfiguration.Mode, connect: [String] = [], listen: [String] = [], link: Link, listening: Bool
    ) throws -> ZenohConfiguration {
        var configuration = ZenohConfiguration(
            mode: mode, connect: try connect.map { try ZenohEndpoint(parsing: $0) },
            listen: try listen.map { try ZenohEndpoint(parsing: $0) },
            tls: link == .mtls ? try Self.swiftTLS(listening: listening) : nil)
        configuration.queryTimeout = .seconds(5)
        configuration.reconnect = .init(initialDelay: .milliseconds(200), maximumDelay: .seconds(1))
        return configuration
    }

    /// A Swift peer listening on a free loopback port.
    static func swiftListener(name: String, link: Link) async throws -> (side: SwiftMatrixSide, endpoint: String) {
        let side = try await SwiftMatrixSide(
            name: name,
            configuration: try Self.configuration(
                mode: .peer, listen: ["\(link == .tcp ? "tcp" : "tls")/127.0.0.1:0"], link: link, listening: true))
        return (side, "\(side.session.listeningEndpoints[0])")
    }

    @Test(arguments: Pairing.allCases, Link.allCases)
    func everyPrimitiveBothWays(_ pairing: Pairing, _ link: Link) async throws {
        let label = "\(pairing.rawValue) over \(link)"
        let a: any MatrixSide
        let b: any MatrixSide
        switch pairing {
        case .swiftListenerRustPeer, .swiftListenerRustClient:
            let (listener, endpoint) = try await Self.swiftListener(name: "swift", link: link)
            a = listener
            let mode = pairing == .swiftListenerRustPeer ? "peer" : "client"
            let tls = link == .mtls ? try Self.rustTLS(listening: false) : []
            b = try await RustMatrixSide(name: "rust", arguments: tls + ["-m", mode, "-e", endpoint])
        case .swiftPeerRustListener:
            let port = freeLoopbackPort()
            let endpoint = "\(link == .tcp ? "tcp" : "tls")/127.0.0.1:\(port)"
            let tls = link == .mtls ? try Self.rustTLS(listening: true) : []
            b = try await RustMatrixSide(name: "rust", arguments: tls + ["-m", "peer", "-l", endpoint])
            a = try await SwiftMatrixSide(
                name: "swift", configuration: try Self.configuration(mode: .peer, connect: [endpoint], link: link, listening: false))
        case .swiftClientSwiftListener, .swiftPeerSwiftListener:
            let (listener, endpoint) = try await Self.swiftListener(name: "swiftL", link: link)
            a = listener
            let mode: ZenohConfiguration.Mode = pairing == .swiftClientSwiftListener ? .client : .peer
            b = try await SwiftMatrixSide(
                name: "swiftC", configuration: try Self.configuration(mode: mode, connect: [endpoint], link: link, listening: false))
        }
        do {
            try await exerciseMatrix(a, b, label: label)
        } catch {
            await b.stop()
            await a.stop()
            throw error
        }
        await b.stop()
        await a.stop()
    }

    /// A remote killed with SIGKILL is detected within its lease: its token goes, which the Swift peer's
    /// liveliness subscriber and a Rust client served by it (through the propagated undeclaration) both see.
    @Test func aKilledPeerIsDetectedWithinItsLeaseAndItsTokensAreDropped() async throws {
        let (listener, endpoint) = try await Self.swiftListener(name: "swift", link: .tcp)
        let observer = try await RustMatrixSide(name: "observer", arguments: ["-m", "client", "-e", endpoint])
        let victim = try await RustMatrixSide(name: "victim", arguments: ["-m", "peer", "-e", endpoint])
        try await listener.waitForLiveliness("PUT", "matrix/live/victim", timeout: 15)
        try await observer.waitForLiveliness("PUT", "matrix/live/victim", timeout: 15)
        #expect(listener.session.remoteCount == 2)
        let killed = ContinuousClock.now
        victim.agent.kill()
        // Rust's lease is 10 s; the listener closes the link after that much silence.
        try await listener.waitForLiveliness("DELETE", "matrix/live/victim", timeout: 14)
        let detected = ContinuousClock.now - killed
        try await observer.waitForLiveliness("DELETE", "matrix/live/victim", timeout: 5)
        #expect(detected < .seconds(13), "detected after \(detected)")
        #expect(listener.session.remoteCount == 1)
        #expect(try await listener.livelinessGet("matrix/live/**") == ["matrix/live/observer"])

        // Frozen (SIGSTOP) rather than killed: the socket stays open, only the lease can tell.
        let frozen = try await RustMatrixSide(name: "frozen", arguments: ["-m", "peer", "-e", endpoint])
        try await listener.waitForLiveliness("PUT", "matrix/live/frozen", timeout: 15)
        let stopped = ContinuousClock.now
        frozen.agent.signal(SIGSTOP)
        try await listener.waitForLiveliness("DELETE", "matrix/live/frozen", timeout: 16)
        let leaseDetection = ContinuousClock.now - stopped
        try await observer.waitForLiveliness("DELETE", "matrix/live/frozen", timeout: 5)
        #expect(leaseDetection > .seconds(5) && leaseDetection < .seconds(15), "lease expiry after \(leaseDetection)")
        frozen.agent.kill()
        await observer.stop()
        await listener.stop()
    }

    /// A listening peer routes for its clients: client ⇄ client and client ⇄ peer traffic, queries and tokens
    /// go through it; between two peers it forwards nothing (they are expected to connect directly).
    @Test func clientsAreServedAndPeersAreNotBridged() async throws {
        let (listener, endpoint) = try await Self.swiftListener(name: "swift", link: .tcp)
        let clientA = try await RustMatrixSide(name: "clientA", arguments: ["-m", "client", "-e", endpoint])
        let clientB = try await RustMatrixSide(name: "clientB", arguments: ["-m", "client", "-e", endpoint])
        let peerP = try await RustMatrixSide(name: "peerP", arguments: ["-m", "peer", "-e", endpoint])
        let peerQ = try await RustMatrixSide(name: "peerQ", arguments: ["-m", "peer", "-e", endpoint])
        do {
            try await exerciseMatrix(clientA, clientB, label: "client ⇄ client through the Swift peer")
            try await exerciseMatrix(clientA, peerP, label: "client ⇄ peer through the Swift peer")
            // Peer to peer: P's put reaches the Swift peer but never Q.
            try await peerP.put("matrix/p2p", "not for Q")
            _ = try await listener.waitForSample("matrix/p2p", timeout: 5)
            await #expect(throws: (any Error).self) { try await peerQ.waitForSample("matrix/p2p", timeout: 2) }
            #expect(try await peerQ.get("matrix/q/peerP/x").isEmpty)
        } catch {
            for side in [peerQ, peerP, clientB, clientA] as [any MatrixSide] { await side.stop() }
            await listener.stop()
            throw error
        }
        for side in [peerQ, peerP, clientB, clientA] as [any MatrixSide] { await side.stop() }
        await listener.stop()
    }

    /// A session-level refusal is clean and fast: a client without a certificate against a listening mTLS peer
    /// fails `open` with an error naming the endpoint, and the listener goes on serving others.
    @Test func mTLSRefusesAClientWithoutACertificate() async throws {
        let (listener, endpoint) = try await Self.swiftListener(name: "swift", link: .mtls)
        let certificates = try Self.certificates.get()
        var configuration = try Self.configuration(mode: .client, connect: [endpoint], link: .tcp, listening: false)
        configuration.tls = ZenohTLSConfiguration(rootCACertificate: certificates.ca)
        configuration.reconnect = .disabled
        let started = ContinuousClock.now
        await #expect(throws: ZenohError.self) { _ = try await ZenohSession.open(configuration: configuration) }
        #expect(ContinuousClock.now - started < .seconds(5))
        let good = try await SwiftMatrixSide(
            name: "good", configuration: try Self.configuration(mode: .client, connect: [endpoint], link: .mtls, listening: false))
        try await good.waitForLiveliness("PUT", "matrix/live/swift", timeout: 10)
        await good.stop()
        await listener.stop()
    }
}

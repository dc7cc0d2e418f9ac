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
            configuration: try Self.configuration(mode: .peer, listen: ["\(link == .tcp ? "tcp" : "tls")/127.0.0.1:0"], link: link, listening: true))
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
}

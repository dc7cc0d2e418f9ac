import Foundation
import InteropSupport
import NIOCore
import NIOPosix
import Synchronization
import Testing
import ZenohProtocol
import ZenohTransport

/// Collects what a listener accepted: each transport with its own recorder.
final class AcceptedRecorder: Sendable {
    private let accepted = Mutex<[(any ZenohTransportConnection, EventRecorder)]>([])

    func accept(_ transport: ZenohAcceptedTransport) {
        let recorder = EventRecorder()
        transport.start { recorder.record($0) }
        self.accepted.withLock { $0.append((transport.connection, recorder)) }
    }

    var all: [(any ZenohTransportConnection, EventRecorder)] { self.accepted.withLock { $0 } }

    func wait(count: Int = 1, timeout: TimeInterval = 15) async throws -> [(any ZenohTransportConnection, EventRecorder)] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let all = self.all
            if all.count >= count { return all }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("\(self.all.count) transports accepted within \(timeout) s, expected \(count)")
    }
}

/// The accepting side over real sockets: Swift ↔ Swift, Rust peers and clients → Swift, hostile connections.
@Suite("Transport listener", .serialized)
struct ListenerTests {
    static func listen(
        _ configuration: ZenohTransportConfiguration = .init(whatAmI: .peer), maximumSessions: Int = 256,
        linkProtocol: ZenohEndpoint.LinkProtocol = .tcp, tls: ZenohTLSConfiguration? = nil
    ) async throws -> (TCPTransportListener, AcceptedRecorder) {
        let accepted = AcceptedRecorder()
        let listener = try await TCPTransportListener.listen(
            on: ZenohEndpoint(linkProtocol: linkProtocol, host: "127.0.0.1", port: 0), configuration: configuration,
            maximumSessions: maximumSessions, tls: tls
        ) { accepted.accept($0) }
        return (listener, accepted)
    }

    @Test func swiftConnectsToSwiftAndBothDirectionsCarryData() async throws {
        let (listener, accepted) = try await Self.listen(.init(whatAmI: .peer, batchSize: 16_384))
        defer { Task { await listener.close() } }
        #expect(listener.localEndpoint.port != 0)
        let recorder = EventRecorder()
        let zid = ZenohId.random()
        let client = try await TCPTransportConnector().connect(
            to: listener.localEndpoint, configuration: .init(zid: zid)
        ) { recorder.record($0) }
        #expect(client.info.remoteWhatAmI == .peer)
        #expect(client.info.batchSize == 16_384)
        let (server, serverEvents) = try #require(try await accepted.wait().first)
        #expect(server.info.remoteZid == zid)
        #expect(server.info.remoteWhatAmI == .client)
        #expect(server.info.batchSize == 16_384)
        let big = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(client.send(Fixtures.push("up/big", payload: big), options: .init(congestionControl: .block)))
        #expect(server.send(Fixtures.push("down/small", payload: [1, 2]), options: .init()))
        let up = try await serverEvents.wait(for: "1 MiB put") { $0.put(on: "up/big") }
        #expect(Array(up.payload.readableBytesView) == big)
        let down = try await recorder.wait(for: "put") { $0.put(on: "down/small") }
        #expect(Array(down.payload.readableBytesView) == [1, 2])
        await client.close()
        let closed = try await serverEvents.wait(for: ".closed") { $0.closures.first }
        #expect(closed.code == .connectionClosed || closed.code == .sessionClosed)
    }

    @Test func severalSessionsAtOnceAndTheBoundRefusesTheRest() async throws {
        let (listener, accepted) = try await Self.listen(maximumSessions: 2)
        defer { Task { await listener.close() } }
        let connector = TCPTransportConnector()
        let first = try await connector.connect(to: listener.localEndpoint, configuration: .init()) { _ in }
        let second = try await connector.connect(to: listener.localEndpoint, configuration: .init()) { _ in }
        _ = try await accepted.wait(count: 2)
        #expect(listener.activeSessionCount == 2)
        let started = ContinuousClock.now
        do {
            _ = try await connector.connect(to: listener.localEndpoint, configuration: .init()) { _ in }
            Issue.record("a third session was accepted beyond the bound of 2")
        } catch {
            #expect(error.code == .handshakeFailed)
            #expect(error.message.contains("reason 3") || error.message.contains("closed"))
        }
        // Refused, not timed out: well inside the 10 s open timeout (a generous bound for a loaded CI machine).
        #expect(ContinuousClock.now - started < .seconds(5))
        await first.close()
        try await waitUntil("a slot frees up") { listener.activeSessionCount <= 1 }
        let third = try await connector.connect(to: listener.localEndpoint, configuration: .init()) { _ in }
        await second.close()
        await third.close()
    }

    @Test func survivesGarbageHalfOpenAndNeverFinishingHandshakes() async throws {
        let (listener, accepted) = try await Self.listen(.init(whatAmI: .peer, openTimeoutMilliseconds: 600))
        defer { Task { await listener.close() } }
        let port = listener.localEndpoint.port
        // Garbage: a length prefix then bytes that are no transport message; the listener closes the socket.
        let garbage = try RawSocket(port: port)
        garbage.send([0x05, 0x00, 0xFF, 0xEE, 0xDD, 0xCC, 0xBB] + Array(repeating: 0x42, count: 300))
        // Half-open: connects and says nothing. Never-finishing: a valid InitSyn, then silence.
        let silent = try RawSocket(port: port)
        let stuck = try RawSocket(port: port)
        stuck.send([0x07, 0x00, 0x01, 0x09, 0x32, 0x44, 0x33, 0x22, 0x11])
        #expect(garbage.readsEndOfStream(within: 2))
        let initAck = stuck.receive(within: 2)
        #expect(initAck.count > 2 && initAck[2] == 0x21)  // INIT with A
        #expect(silent.readsEndOfStream(within: 3))  // closed by the 600 ms open timeout
        #expect(stuck.readsEndOfStream(within: 3))
        try await waitUntil("the hostile links are released") { listener.activeSessionCount == 0 }
        #expect(accepted.all.isEmpty)
        // Still accepting.
        let transport = try await TCPTransportConnector().connect(to: listener.localEndpoint, configuration: .init()) { _ in }
        _ = try await accepted.wait()
        await transport.close()
    }

    @Test func rustPeerAndRustClientConnectToASwiftListener() async throws {
        let (listener, accepted) = try await Self.listen()
        defer { Task { await listener.close() } }
        let endpoint = "\(listener.localEndpoint)"
        // A Rust peer that has not seen our DeclareFinal(0) sends every publication unfiltered.
        try PythonRunner.succeed("zenoh_tool.py", ["-m", "peer", "-e", endpoint, "put", "-k", "rust/peer", "-p", "0a0b"])
        try PythonRunner.succeed("zenoh_tool.py", ["-m", "client", "-e", endpoint, "put", "-k", "rust/client", "-p", "0c"])
        let transports = try await accepted.wait(count: 2)
        let whatAmIs = Set(transports.map(\.0.info.remoteWhatAmI))
        #expect(whatAmIs == [.peer, .client])
        let peerEvents = try #require(transports.first { $0.0.info.remoteWhatAmI == .peer }?.1)
        let clientEvents = try #require(transports.first { $0.0.info.remoteWhatAmI == .client }?.1)
        let peerPut = try await peerEvents.wait(for: "the peer's put") { $0.put(on: "rust/peer") }
        #expect(Array(peerPut.payload.readableBytesView) == [0x0A, 0x0B])
        let clientPut = try await clientEvents.wait(for: "the client's put") { $0.put(on: "rust/client") }
        #expect(Array(clientPut.payload.readableBytesView) == [0x0C])
    }
}

/// Polls `condition` every 20 ms for up to `timeout` seconds.
func waitUntil(_ what: String, timeout: TimeInterval = 10, _ condition: () -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    if !condition() { throw TestFailure("\(what) did not happen within \(timeout) s") }
}

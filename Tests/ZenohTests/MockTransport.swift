import NIOCore
import Synchronization
import Testing
import ZenohProtocol
import ZenohTransport

@testable import Zenoh

/// An in-memory transport: records what the session sends, and lets a test inject inbound messages
/// and link loss.
final class MockConnection: ZenohTransportConnection {
    let info: ZenohTransportInfo
    private let onEvent: @Sendable (ZenohTransportEvent) -> Void
    private let sent = Mutex<[NetworkMessage]>([])
    private let isClosed = Atomic<Bool>(false)

    init(info: ZenohTransportInfo, onEvent: @escaping @Sendable (ZenohTransportEvent) -> Void) {
        self.info = info
        self.onEvent = onEvent
    }

    var sentMessages: [NetworkMessage] { self.sent.withLock { $0 } }

    func send(_ message: NetworkMessage, options: ZenohSendOptions) -> Bool {
        guard !self.isClosed.load(ordering: .acquiring) else { return false }
        self.sent.withLock { $0.append(message) }
        return true
    }

    func close() async {
        self.drop(.sessionClosed)
    }

    /// The router sends `message`.
    func inject(_ message: NetworkMessage) {
        self.onEvent(.message(message))
    }

    /// The link goes away.
    func drop(_ code: ZenohError.Code = .connectionClosed) {
        guard !self.isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        self.onEvent(.closed(ZenohError(code, "mock link closed")))
    }
}

/// A connector that refuses the endpoints it is told to and otherwise hands out ``MockConnection``s.
final class MockConnector: ZenohTransportConnector {
    private struct State {
        var refused: Set<Int> = []
        var attempts: [Int] = []
        var connections: [MockConnection] = []
    }
    private let state = Mutex(State())

    init(refusing ports: Set<Int> = []) {
        self.state.withLock { $0.refused = ports }
    }

    func refuse(_ ports: Set<Int>) { self.state.withLock { $0.refused = ports } }
    var attemptedPorts: [Int] { self.state.withLock { $0.attempts } }
    var connections: [MockConnection] { self.state.withLock { $0.connections } }
    var last: MockConnection? { self.connections.last }

    func connect(
        to endpoint: ZenohEndpoint, configuration: ZenohTransportConfiguration,
        onEvent: @escaping @Sendable (ZenohTransportEvent) -> Void
    ) async throws(ZenohError) -> any ZenohTransportConnection {
        let refused = self.state.withLock { state in
            state.attempts.append(endpoint.port)
            return state.refused.contains(endpoint.port)
        }
        if refused { throw ZenohError(.connectionFailed, "mock refused \(endpoint)") }
        let connection = MockConnection(info: Fixture.info(port: endpoint.port), onEvent: onEvent)
        self.state.withLock { $0.connections.append(connection) }
        return connection
    }
}

extension ZenohConfiguration {
    /// Endpoints on the given ports with a fast reconnect, for mock tests.
    static func mock(ports: [Int] = [7447]) -> ZenohConfiguration {
        ZenohConfiguration(
            connect: ports.map { ZenohEndpoint(linkProtocol: .tcp, host: "127.0.0.1", port: $0) },
            queryTimeout: .seconds(5),
            reconnect: .init(initialDelay: .milliseconds(5), maximumDelay: .milliseconds(20)))
    }
}

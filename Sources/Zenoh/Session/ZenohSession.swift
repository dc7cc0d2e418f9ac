public import Logging
import NIOCore
import Synchronization
import ZenohProtocol
public import ZenohTransport

/// A Zenoh session: the publications, subscriptions, queries, queryables and liveliness entities of the
/// application, over one transport to a router (client mode) or over transports to peers and clients (peer
/// mode: the `connect` peer and whoever connects to the `listen` endpoints).
///
/// ```swift
/// let session = try await ZenohSession.open(configuration: configuration, connector: TCPTransportConnector())
/// let subscriber = try session.declareSubscriber("demo/**")
/// try session.put("demo/a", payload: ByteBuffer(string: "hello"))
/// for await sample in subscriber { print(sample.key, sample.payload) }
/// await session.close()
/// ```
///
/// When the link drops (without ``close()``), the session reconnects by itself with exponential backoff,
/// declares every subscriber, queryable, token and liveliness subscriber again, and reports it on
/// ``connectionEvents``. While disconnected, puts are dropped (they return false), declarations are
/// recorded for the reconnect, and gets end with `connectionClosed`.
public final class ZenohSession: Sendable {
    let configuration: ZenohConfiguration
    let connector: any ZenohTransportConnector
    let logger: Logger
    let storage: Mutex<SessionStorage>

    init(configuration: ZenohConfiguration, connector: any ZenohTransportConnector, logger: Logger) {
        self.configuration = configuration
        self.connector = connector
        self.logger = logger
        let machine = SessionStateMachine(
            reconnectsAutomatically: configuration.reconnect.isEnabled, isPeer: configuration.mode == .peer)
        self.storage = Mutex(SessionStorage(machine: machine, localZid: configuration.transport.zid))
    }

    deinit {
        // A session released without `close()` still closes its transport (bridge task, G8 exception).
        let (connections, listeners) = self.storage.withLock { (Array($0.connections.values), $0.listeners) }
        if !connections.isEmpty || !listeners.isEmpty {
            Task {
                for listener in listeners { await listener.close() }
                for connection in connections { await connection.close() }
            }
        }
    }

    /// Opens a session over TCP and TLS (``ZenohConfiguration/tls`` for `tls/` endpoints).
    public static func open(
        configuration: ZenohConfiguration,
        logger: Logger = Logger(label: "zenoh", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws(ZenohError) -> ZenohSession {
        try await Self.open(
            configuration: configuration, connector: TCPTransportConnector(logger: logger, tls: configuration.tls),
            logger: logger)
    }

    /// Opens a session: starts the listeners of a peer (`configuration.listen`), then connects to the first
    /// endpoint of `configuration.connect` that accepts (in order). A client fails when none does; a peer
    /// that listens keeps trying in the background instead.
    ///
    /// - Throws: `invalidConfiguration` for a configuration that cannot work, `connectionFailed` when a
    ///   listen endpoint cannot be bound, else the error of the last endpoint tried.
    public static func open(
        configuration: ZenohConfiguration,
        connector: any ZenohTransportConnector,
        logger: Logger = Logger(label: "zenoh", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws(ZenohError) -> ZenohSession {
        try configuration.validate()
        let session = ZenohSession(configuration: configuration, connector: connector, logger: logger)
        do {
            try await session.startListening()
        } catch {
            await session.close()
            throw error
        }
        guard !configuration.connect.isEmpty else { return session }
        switch await session.connectToAnyEndpoint() {
        case .success:
            return session
        case .failure(let error) where !configuration.listen.isEmpty && error.code != .sessionClosed:
            logger.info(
                "No peer to connect to yet; listening and retrying in the background",
                metadata: [ZenohLogKey.error: "\(error)"])
            session.startReconnecting()
            return session
        case .failure(let error):
            await session.close()
            throw error
        }
    }

    /// Whether at least one remote is connected now (the router in client mode; any peer or client in peer
    /// mode).
    public var isConnected: Bool {
        self.storage.withLock { $0.machine.hasRemotes }
    }

    /// Where this peer listens, with the actual ports (when `listen` asked for port 0).
    public var listeningEndpoints: [ZenohEndpoint] {
        self.storage.withLock { $0.listeners.map(\.localEndpoint) }
    }

    /// The number of remotes (dialled and accepted) with an established transport.
    public var remoteCount: Int {
        self.storage.withLock { $0.machine.faces.count }
    }

    /// The current transport's facts (zids, endpoint, batch size), nil while disconnected.
    public var transportInfo: ZenohTransportInfo? {
        self.storage.withLock { $0.machine.transportInfo }
    }

    /// Liveliness tokens, liveliness subscribers and liveliness gets.
    public var liveliness: ZenohLiveliness { ZenohLiveliness(session: self) }

    /// Closes the session: pending gets end with `sessionClosed`, every subscriber, queryable and event
    /// sequence ends, reconnection stops, and the transport is closed. Idempotent.
    public func close() async {
        let (connections, listeners, effects, sinks) = self.storage.withLock { storage in
            let effects = storage.resolve(storage.machine.closeRequested())
            let connections = storage.connections.sorted { $0.key < $1.key }.map(\.value)
            let listeners = storage.listeners
            storage.connections = [:]
            storage.listeners = []
            let sinks = (
                Array(storage.subscriberSinks.values) + Array(storage.livelinessSinks.values),
                Array(storage.querySinks.values), Array(storage.eventSinks.values)
            )
            storage.subscriberSinks = [:]
            storage.livelinessSinks = [:]
            storage.querySinks = [:]
            storage.eventSinks = [:]
            return (connections, listeners, effects, sinks)
        }
        self.run(effects)
        sinks.0.forEach { $0.finish() }
        sinks.1.forEach { $0.finish() }
        sinks.2.forEach { $0.finish() }
        for listener in listeners { await listener.close() }
        for connection in connections {
            self.logger.debug("Closing transport", metadata: [ZenohLogKey.endpoint: "\(connection.info.endpoint)"])
            await connection.close()
        }
    }

    // MARK: Performing actions

    /// Runs `body` on the state under the lock, looks up the targets of its actions, and performs them
    /// after the lock is released (house style G9). Returns whatever `body` returned besides its actions,
    /// and whether at least one message was sent and every send was accepted.
    func perform<Value, Failure: Error>(
        _ body: (inout SessionStorage) throws(Failure) -> (Value, [SessionAction])
    ) throws(Failure) -> (value: Value, sent: Bool) {
        let result: Result<(Value, [SessionEffect]), Failure> = self.storage.withLock { storage in
            do throws(Failure) {
                let (value, actions) = try body(&storage)
                return .success((value, storage.resolve(actions)))
            } catch {
                return .failure(error)
            }
        }
        let (value, effects) = try result.get()
        return (value, self.run(effects))
    }

    /// Performs effects; returns whether at least one message was sent and all sends were accepted.
    @discardableResult
    func run(_ effects: [SessionEffect]) -> Bool {
        var sent = false
        var allAccepted = true
        for effect in effects {
            switch effect {
            case .send(let connection, let message, let options):
                sent = true
                if !connection.send(message, options: options) {
                    allAccepted = false
                    self.logger.trace("Message dropped by the transport", metadata: [ZenohLogKey.message: "\(message.id)"])
                }
            case .deliverSample(let sample, let sinks):
                for sink in sinks { sink.deliver(sample) }
            case .deliverQuery(let inbound, let sinks, let localZid):
                for (id, sink) in sinks {
                    sink.deliver(ZenohQuery(session: self, inbound: inbound, queryableID: id, localZid: localZid))
                }
            case .deliverReply(let reply, let sink):
                sink.yield(reply)
            case .finishReplies(let sink, let error):
                sink.finish(throwing: error)
            case .emit(let event, let sinks):
                self.logger.debug("Connection event", metadata: [ZenohLogKey.event: "\(event)"])
                for sink in sinks { sink.yield(event) }
            case .startReconnecting:
                self.startReconnecting()
            }
        }
        return sent && allAccepted
    }

    /// Throws `sessionClosed` when the session was closed.
    static func ensureOpen(_ storage: SessionStorage, _ what: @autoclosure () -> String) throws(ZenohError) {
        if storage.machine.isClosed {
            throw ZenohError(.sessionClosed, "\(what()): the session is closed")
        }
    }
}

/// Logger metadata keys of this module (house style G13).
enum ZenohLogKey {
    static let endpoint = "zenoh.endpoint"
    static let message = "zenoh.message"
    static let event = "zenoh.event"
    static let error = "zenoh.error"
    static let delay = "zenoh.delay"
}

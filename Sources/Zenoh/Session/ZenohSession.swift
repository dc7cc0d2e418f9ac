public import Logging
import NIOCore
import Synchronization
import ZenohProtocol
public import ZenohTransport

/// A Zenoh session in client mode: one transport to a router, and the publications, subscriptions,
/// queries, queryables and liveliness entities of the application on top of it.
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
        self.storage = Mutex(
            SessionStorage(machine: SessionStateMachine(reconnectsAutomatically: configuration.reconnect.isEnabled)))
    }

    deinit {
        // A session released without `close()` still closes its transport (bridge task, G8 exception).
        if let connection = self.storage.withLock({ $0.connection }) {
            Task { await connection.close() }
        }
    }

    /// Opens a session: connects to the first endpoint of `configuration.connect` that accepts (in order).
    ///
    /// - Throws: `invalidConfiguration` / `unsupported` for a configuration that cannot work, else the
    ///   error of the last endpoint tried.
    public static func open(
        configuration: ZenohConfiguration,
        connector: any ZenohTransportConnector,
        logger: Logger = Logger(label: "zenoh", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws(ZenohError) -> ZenohSession {
        try configuration.validate()
        let session = ZenohSession(configuration: configuration, connector: connector, logger: logger)
        switch await session.connectToAnyEndpoint() {
        case .success: return session
        case .failure(let error): throw error
        }
    }

    /// Whether a transport to the router is up now.
    public var isConnected: Bool {
        self.storage.withLock { $0.machine.isConnected }
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
        let (connection, effects, sinks) = self.storage.withLock { storage in
            let effects = storage.resolve(storage.machine.closeRequested())
            let connection = storage.connection
            storage.connection = nil
            let sinks = (
                Array(storage.subscriberSinks.values) + Array(storage.livelinessSinks.values),
                Array(storage.querySinks.values), Array(storage.eventSinks.values)
            )
            storage.subscriberSinks = [:]
            storage.livelinessSinks = [:]
            storage.querySinks = [:]
            storage.eventSinks = [:]
            return (connection, effects, sinks)
        }
        self.run(effects)
        sinks.0.forEach { $0.finish() }
        sinks.1.forEach { $0.finish() }
        sinks.2.forEach { $0.finish() }
        if let connection {
            self.logger.debug("Closing session", metadata: [ZenohLogKey.endpoint: "\(connection.info.endpoint)"])
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

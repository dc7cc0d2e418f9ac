public import Logging
public import NIOCore
public import NIOPosix
import Synchronization
import ZenohProtocol

/// Accepts Zenoh transports on `tcp/HOST:PORT` (zenoh-protocol.md sections 5 and 17.2): every connection gets
/// the same per-link machinery as a connected one (frame decoder, ``TransportLinkHandler``) with the acceptor
/// side of Init/Open. Connections that do not finish the handshake within `openTimeoutMilliseconds` are closed;
/// beyond `maximumSessions` (handshaking and established together) new ones are refused with Close(MAX_SESSIONS).
///
/// ```swift
/// let listener = try await TCPTransportListener.listen(
///     on: try ZenohEndpoint(parsing: "tcp/0.0.0.0:7447"), configuration: .init(whatAmI: .peer)) { accepted in
///     accepted.start { event in … }
/// }
/// ```
public final class TCPTransportListener: Sendable {
    /// Where the listener is bound (the actual port when asked for port 0).
    public let localEndpoint: ZenohEndpoint
    private let channel: any Channel
    private let sessions: SessionCounter

    private init(localEndpoint: ZenohEndpoint, channel: any Channel, sessions: SessionCounter) {
        self.localEndpoint = localEndpoint
        self.channel = channel
        self.sessions = sessions
    }

    /// The number of links handshaking or established right now.
    public var activeSessionCount: Int { self.sessions.count }

    /// Binds `endpoint` and starts accepting. `onAccept` is called (on an event loop; it must not block) for
    /// every transport whose handshake completed.
    ///
    /// - Throws: `ZenohError` `.invalidConfiguration` or `.connectionFailed` (the address cannot be bound).
    public static func listen(
        on endpoint: ZenohEndpoint,
        configuration: ZenohTransportConfiguration,
        maximumSessions: Int = 256,
        tls: ZenohTLSConfiguration? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "zenoh.listener", factory: { _ in SwiftLogNoOpLogHandler() }),
        dropThresholdBytes: Int = 16 << 20,
        onAccept: @escaping @Sendable (ZenohAcceptedTransport) -> Void
    ) async throws(ZenohError) -> TCPTransportListener {
        try TCPTransportConnector.validate(configuration)
        guard maximumSessions > 0 else {
            throw ZenohError(.invalidConfiguration, "maximum sessions must be positive, not \(maximumSessions)")
        }
        let sslContext = try tls.map { tls throws(ZenohError) in try TLSContexts.server(endpoint, tls) }
        guard (endpoint.linkProtocol == .tls) == (sslContext != nil) else {
            throw ZenohError(
                .invalidConfiguration,
                endpoint.linkProtocol == .tls
                    ? "\(endpoint): a tls/ endpoint needs TLS settings (certificate and private key)"
                    : "\(endpoint): TLS settings given for a tcp/ endpoint")
        }
        let sessions = SessionCounter()
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let isOverLimit = !sessions.admit(maximum: maximumSessions)
                    channel.closeFuture.whenComplete { _ in sessions.release() }
                    let remote = channel.remoteAddress.map { "\($0)" } ?? "a remote"
                    let timeout = TimeAmount.milliseconds(Int64(clamping: configuration.openTimeoutMilliseconds))
                    let handshake = channel.eventLoop.makePromise(of: EstablishedLink.self)
                    let outbox = TransportOutbox(dropThreshold: dropThresholdBytes)
                    let sink = DeferredEventSink()
                    let machine = AcceptingHandshakeStateMachine(
                        configuration: configuration, remote: remote, randomInitialSN: .random(in: 0...UInt32.max),
                        cookie: AcceptingHandshakeStateMachine.randomCookie(), isOverLimit: isOverLimit)
                    let handler = TransportLinkHandler(
                        endpoint: endpoint, configuration: configuration, openDeadline: .now() + timeout,
                        handshakeResult: handshake, outbox: outbox, logger: logger, accepting: machine,
                        onEvent: { sink.deliver($0) })
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(TLSContexts.serverHandler(sslContext))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(ZenohStreamFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(handler)
                    handshake.futureResult.whenComplete { result in
                        switch result {
                        case .success(let link):
                            let transport = StreamLinkTransport(
                                info: ZenohTransportInfo(link.parameters, endpoint: endpoint), channel: channel,
                                handler: link.handler, outbox: outbox)
                            onAccept(ZenohAcceptedTransport(connection: transport, sink: sink))
                        case .failure(let error):
                            logger.debug("Zenoh listener refused a link", metadata: [ZenohLogKey.error: "\(error)"])
                            channel.close(promise: nil)
                        }
                    }
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: endpoint.host, port: endpoint.port).get()
        } catch {
            throw ZenohError(.connectionFailed, "could not listen on \(endpoint): \(error)", cause: error)
        }
        let port = channel.localAddress?.port ?? endpoint.port
        return TCPTransportListener(
            localEndpoint: ZenohEndpoint(linkProtocol: endpoint.linkProtocol, host: endpoint.host, port: port),
            channel: channel, sessions: sessions)
    }

    /// Stops accepting. Established transports stay open (their owners close them).
    public func close() async {
        try? await self.channel.close()
    }
}

/// Counts the listener's links (handshaking or established) against its bound.
final class SessionCounter: Sendable {
    private let value = Mutex(0)

    var count: Int { self.value.withLock { $0 } }

    /// Counts one more link; false when that exceeds `maximum` (the link is still counted until it closes).
    func admit(maximum: Int) -> Bool {
        self.value.withLock { value in
            value += 1
            return value <= maximum
        }
    }

    func release() {
        self.value.withLock { $0 -= 1 }
    }
}

public import Logging
public import NIOCore
public import NIOPosix
import NIOSSL
import ZenohProtocol

/// Opens Zenoh transports over TCP or TLS (zenoh-protocol.md sections 4, 5, 15 and 17.1): connects with `TCP_NODELAY`,
/// frames batches with their 2-byte length prefix, and runs the initiator side of Init/Open.
///
/// ```swift
/// let connector = TCPTransportConnector()
/// let transport = try await connector.connect(
///     to: try ZenohEndpoint(parsing: "tcp/127.0.0.1:7447"), configuration: .init()) { event in … }
/// ```
public struct TCPTransportConnector: ZenohTransportConnector {
    /// Where the links' channels run.
    public let eventLoopGroup: any EventLoopGroup
    /// Receives debug/trace events of the transports (silent by default).
    public let logger: Logger
    /// Above this many bytes sent but not yet written, messages with congestion control `.drop` are dropped.
    public var dropThresholdBytes: Int
    /// Settings for `tls/` endpoints (nil: only `tcp/` endpoints can be reached).
    public var tls: ZenohTLSConfiguration?

    /// Creates a connector. The default logger discards everything.
    public init(
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "zenoh.transport", factory: { _ in SwiftLogNoOpLogHandler() }),
        dropThresholdBytes: Int = 16 << 20,
        tls: ZenohTLSConfiguration? = nil
    ) {
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.dropThresholdBytes = dropThresholdBytes
        self.tls = tls
    }

    /// Connects to `endpoint` and completes the handshake within `configuration.openTimeoutMilliseconds`.
    ///
    /// - Throws: `ZenohError` with code `.invalidConfiguration` (including unusable TLS files),
    ///   `.connectionFailed` (refused, unreachable, connect timeout), `.handshakeFailed` (the remote sent
    ///   Close or something unexpected) or `.timeout` (no OpenAck in time).
    public func connect(
        to endpoint: ZenohEndpoint,
        configuration: ZenohTransportConfiguration,
        onEvent: @escaping @Sendable (ZenohTransportEvent) -> Void
    ) async throws(ZenohError) -> any ZenohTransportConnection {
        let sslContext = try self.tlsContext(for: endpoint)
        try Self.validate(configuration)
        let eventLoop = self.eventLoopGroup.next()
        let handshake = eventLoop.makePromise(of: EstablishedLink.self)
        let outbox = TransportOutbox(dropThreshold: self.dropThresholdBytes)
        let timeout = TimeAmount.milliseconds(Int64(clamping: configuration.openTimeoutMilliseconds))
        let openDeadline = NIODeadline.now() + timeout
        let logger = self.logger
        let bootstrap = ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = TransportLinkHandler(
                        endpoint: endpoint, configuration: configuration, openDeadline: openDeadline,
                        handshakeResult: handshake, outbox: outbox, logger: logger, onEvent: onEvent)
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(
                            TLSContexts.clientHandler(sslContext, host: endpoint.host))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(ZenohStreamFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            handshake.fail(error)
            throw ZenohError(.connectionFailed, "could not connect to \(endpoint): \(error)", cause: error)
        }
        do {
            let link = try await handshake.futureResult.get()
            return StreamLinkTransport(
                info: ZenohTransportInfo(link.parameters, endpoint: endpoint), channel: channel,
                handler: link.handler, outbox: outbox)
        } catch {
            channel.close(promise: nil)
            if let tls = self.tls, endpoint.linkProtocol == .tls,
                let message = TLSFailure.describe(error, endpoint: endpoint, tls: tls)
            {
                throw ZenohError(.handshakeFailed, message, cause: error)
            }
            throw (error as? ZenohError)
                ?? ZenohError(.handshakeFailed, "handshake with \(endpoint) failed: \(error)", cause: error)
        }
    }

    /// The TLS context for a `tls/` endpoint (nil for `tcp/`).
    private func tlsContext(for endpoint: ZenohEndpoint) throws(ZenohError) -> NIOSSLContext? {
        switch endpoint.linkProtocol {
        case .tcp:
            return nil
        case .tls:
            return try TLSContexts.client(endpoint, self.tls ?? ZenohTLSConfiguration())
        }
    }

    static func validate(_ configuration: ZenohTransportConfiguration) throws(ZenohError) {
        guard (TransportStateMachine.minimumBatchSize...Int(UInt16.max)).contains(configuration.batchSize) else {
            throw ZenohError(
                .invalidConfiguration,
                "batch size \(configuration.batchSize) is outside \(TransportStateMachine.minimumBatchSize)...65535")
        }
        guard configuration.leaseMilliseconds >= 4 else {
            throw ZenohError(.invalidConfiguration, "lease \(configuration.leaseMilliseconds) ms is below 4 ms")
        }
        guard configuration.maximumMessageSize > 0 else {
            throw ZenohError(.invalidConfiguration, "maximum message size must be positive")
        }
    }
}

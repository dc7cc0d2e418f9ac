public import NIOCore
import NIOHTTP1
public import NIOPosix
public import ServiceLifecycle

/// `GET /healthz` (200 `ok` while the inference worker lives, else 503 `worker dead`) and `GET /metrics`
/// (Prometheus text) on `health_port`; every other path is 404.
public final class HealthServer: Service, Sendable {
    private let channel: any Channel
    /// The bound port (useful when started on port 0).
    public let port: Int

    /// Binds `host:port` and serves until ``close()``.
    public static func start(
        host: String = "0.0.0.0", port: Int, metrics: ServerMetrics,
        isWorkerAlive: @escaping @Sendable () -> Bool,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> HealthServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        HealthHandler(metrics: metrics, isWorkerAlive: isWorkerAlive))
                }
            }
            .bind(host: host, port: port).get()
        return HealthServer(channel: channel, port: channel.localAddress?.port ?? port)
    }

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    /// Stops listening.
    /// Serves until the service group shuts down gracefully, then closes (after the services listed after it).
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    public func close() async {
        try? await channel.close()
    }
}

private final class HealthHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let metrics: ServerMetrics
    let isWorkerAlive: @Sendable () -> Bool
    private var request: HTTPRequestHead?

    init(metrics: ServerMetrics, isWorkerAlive: @escaping @Sendable () -> Bool) {
        self.metrics = metrics
        self.isWorkerAlive = isWorkerAlive
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let (status, contentType, body): (HTTPResponseStatus, String, String)
        switch (head.method, path) {
        case (.GET, "/healthz"):
            (status, contentType, body) =
                isWorkerAlive()
                ? (.ok, "text/plain; charset=utf-8", "ok") : (.serviceUnavailable, "text/plain; charset=utf-8", "worker dead")
        case (.GET, "/metrics"):
            (status, contentType, body) = (.ok, "text/plain; version=0.0.4", metrics.render())
        default:
            (status, contentType, body) = (.notFound, "text/plain; charset=utf-8", "not found")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        headers.add(name: "Connection", value: head.isKeepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        let keepAlive = head.isKeepAlive
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { bound.value.close(promise: nil) }
        }
    }
}

import Logging
import NIOCore
import ZenohProtocol

/// What the handshake hands to the connector: the negotiated parameters and a way back to the handler.
struct EstablishedLink: Sendable {
    var parameters: TransportParameters
    var handler: NIOLoopBound<TransportLinkHandler>
}

/// The channel handler of one Zenoh stream link (house style G7): it only translates and does I/O. Decisions
/// are made by ``HandshakeStateMachine`` and then ``TransportStateMachine``; this class writes what they say,
/// arms their timers and reports events. Every method runs on the channel's event loop.
final class TransportLinkHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = Never
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Phase {
        case handshaking(LinkHandshake)
        case established(TransportStateMachine)
        case failed
        /// Held only inside ``withEstablished(_:)`` so the machine's buffers stay uniquely referenced.
        case modifying
    }

    var phase: Phase
    var context: ChannelHandlerContext?
    var timer: Scheduled<Void>?
    let configuration: ZenohTransportConfiguration
    let openDeadline: NIODeadline
    let handshakeResult: EventLoopPromise<EstablishedLink>
    let onEvent: @Sendable (ZenohTransportEvent) -> Void
    let outbox: TransportOutbox
    var logger: Logger

    init(
        endpoint: ZenohEndpoint, configuration: ZenohTransportConfiguration, openDeadline: NIODeadline,
        handshakeResult: EventLoopPromise<EstablishedLink>, outbox: TransportOutbox, logger: Logger,
        accepting: AcceptingHandshakeStateMachine? = nil,
        onEvent: @escaping @Sendable (ZenohTransportEvent) -> Void
    ) {
        self.phase = .handshaking(
            accepting.map(LinkHandshake.accepting)
                ?? .connecting(
                    HandshakeStateMachine(
                        configuration: configuration, endpoint: endpoint, randomInitialSN: .random(in: 0...UInt32.max))))
        self.configuration = configuration
        self.openDeadline = openDeadline
        self.handshakeResult = handshakeResult
        self.outbox = outbox
        self.onEvent = onEvent
        self.logger = logger
        self.logger[metadataKey: ZenohLogKey.link] = "\(endpoint)"
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: self.openDeadline) { [self] in
            self.handshakeTimedOut()
        }
        if context.channel.isActive { self.linkActive() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.linkClosed(cause: nil)
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        self.linkActive()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.linkClosed(cause: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The frame decoder refused a length prefix: a protocol violation, answered with Close(INVALID).
        if let decodingError = error as? ZenohDecodingError,
            let action = self.withEstablished({ $0.decodingFailed(decodingError) })
        {
            self.runInbound(action)
            return
        }
        self.linkClosed(cause: error)
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let batch = self.unwrapInboundIn(data)
        switch self.phase {
        case .handshaking(var machine):
            let messages: [TransportMessage]
            do {
                messages = try ZenohBatch.decode(batch)
            } catch {
                self.phase = .handshaking(machine)
                self.runHandshake(.fail(ZenohError(.handshakeFailed, "invalid handshake batch: \(error)"), close: nil))
                return
            }
            for (index, message) in messages.enumerated() {
                let action = machine.received(message)
                self.phase = .handshaking(machine)
                self.runHandshake(action)
                if case .established(var transport) = self.phase {
                    let rest = transport.messagesReceived(messages[(index + 1)...], now: .now())
                    self.phase = .established(transport)
                    self.runInbound(rest)
                    return
                }
                guard case .handshaking(let next) = self.phase else { return }
                machine = next
            }
        case .established:
            if let action = self.withEstablished({ $0.batchReceived(batch, now: .now()) }) {
                self.runInbound(action)
            }
        case .failed, .modifying:
            return
        }
    }

    /// Runs `body` on the established machine without copying its buffers; nil in any other phase.
    func withEstablished<Result>(_ body: (inout TransportStateMachine) -> Result) -> Result? {
        guard case .established(var machine) = self.phase else { return nil }
        self.phase = .modifying
        defer { self.phase = .established(machine) }
        return body(&machine)
    }

    // MARK: Requests from the connection (already on the event loop)

    /// Moves everything the outbox holds into batches and writes them, higher priorities first (stable within a
    /// priority, so each channel keeps its order).
    func drain() {
        var items = self.outbox.takeAll()
        if items.contains(where: { $0.channel.priority != items[0].channel.priority }) {
            items = Self.byPriority(items)
        }
        let batches = self.withEstablished { machine -> [OutboundBatch]? in
            guard !machine.isClosed else { return nil }
            for item in items {
                machine.enqueue(item.message, detached: item.detached, on: item.channel)
            }
            return machine.flush(now: .now())
        }
        guard let batches = batches ?? nil else {
            self.outbox.written(items.reduce(0) { $0 + $1.byteCount })  // dropped: transport closed
            return
        }
        self.write(batches, flush: true)
    }

    static func byPriority(_ items: [TransportOutbox.Item]) -> [TransportOutbox.Item] {
        var lanes = [[TransportOutbox.Item]](repeating: [], count: ZenohPriority.allCases.count)
        for item in items { lanes[Int(item.channel.priority.rawValue)].append(item) }
        return lanes.flatMap { $0 }
    }

    /// The application closes the transport: drain, send Close, close the link, report `.sessionClosed`.
    func closeRequested() {
        self.drain()
        let batches = self.withEstablished { machine -> [OutboundBatch]? in
            machine.isClosed ? nil : machine.closeRequested(now: .now())
        }
        guard let batches = batches ?? nil else { return }
        self.closeLink(ZenohError(.sessionClosed, "the session closed the transport"), sending: batches)
    }
}

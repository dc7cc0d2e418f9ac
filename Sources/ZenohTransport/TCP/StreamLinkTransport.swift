import NIOCore
import ZenohProtocol

/// An established unicast transport over a stream link (TCP), as returned by ``TCPTransportConnector``.
///
/// `send` may be called from any thread and blocks only for congestion control BLOCK while more than the
/// drop threshold is queued (never on the event loop): it serializes the message on the caller's thread,
/// queues it in the outbox and lets the channel's event loop batch everything queued since its last turn.
/// Every drain flushes, so `isExpress` needs no special path: nothing waits longer than one event-loop turn.
/// With QoS negotiated, `priority` picks the lane (its own sequence numbers) and each drain writes higher
/// priorities first; without QoS every message travels on the Data lane.
final class StreamLinkTransport: ZenohTransportConnection {
    let info: ZenohTransportInfo
    private let channel: any Channel
    private let handler: NIOLoopBound<TransportLinkHandler>
    private let outbox: TransportOutbox

    /// Payloads at least this large are sent from the application's buffer without a copy.
    static let detachedPayloadMinimum = 8_192

    init(info: ZenohTransportInfo, channel: any Channel, handler: NIOLoopBound<TransportLinkHandler>, outbox: TransportOutbox) {
        self.info = info
        self.channel = channel
        self.handler = handler
        self.outbox = outbox
    }

    @discardableResult
    func send(_ message: NetworkMessage, options: ZenohSendOptions) -> Bool {
        if options.congestionControl != .drop && !self.channel.eventLoop.inEventLoop
            && self.outbox.queuedBytes > self.outbox.dropThreshold
        {
            // BLOCK: hold the caller until the link has drained (never on the event loop, which drains it).
            self.outbox.waitUntilBelow(self.outbox.dropThreshold / 2, timeout: 10)
        }
        var buffer = self.channel.allocator.buffer(capacity: 256)
        // A large payload is not copied here: fragments will carry slices of it.
        let detached = buffer.writeZenohNetworkMessage(message, detachingPayloadOf: Self.detachedPayloadMinimum)
        let channel = TransportChannel(
            isReliable: options.isReliable, priority: self.info.isQoSEnabled ? options.priority : .data)
        let item = TransportOutbox.Item(message: buffer, detached: detached, channel: channel)
        switch self.outbox.offer(item, canDrop: options.congestionControl == .drop) {
        case .accepted(let scheduleDrain):
            if scheduleDrain {
                let handler = self.handler
                self.channel.eventLoop.execute { handler.value.drain() }
            }
            return true
        case .dropped, .closed:
            return false
        }
    }

    func close() async {
        let handler = self.handler
        self.channel.eventLoop.execute { handler.value.closeRequested() }
        try? await self.channel.closeFuture.get()
    }

    /// Bytes accepted by `send` and not yet written to the socket.
    var queuedBytes: Int { self.outbox.queuedBytes }
}

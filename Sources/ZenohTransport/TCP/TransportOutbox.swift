import Foundation
import NIOCore
import Synchronization

/// The hand-off between `send` callers (any thread) and the link's event loop, with the send-queue accounting
/// that congestion control needs (house style G9: a `Mutex` around plain state; effects happen outside it).
///
/// Messages offered before the event loop drains the outbox are coalesced into the same batches, which is how
/// outbound batching "flushes at the end of each event-loop tick".
final class TransportOutbox: Sendable {
    /// One serialized network message waiting for the event loop.
    struct Item: Sendable {
        var message: ByteBuffer
        /// The message's payload when it was not copied into `message` (it follows `message` on the wire).
        var detached: ByteBuffer? = nil
        var channel: TransportChannel

        /// The serialized size of the whole message.
        var byteCount: Int { self.message.readableBytes + (self.detached?.readableBytes ?? 0) }
    }

    /// The answer to ``offer(_:canDrop:)``.
    enum Offer: Hashable, Sendable {
        /// Queued; when `scheduleDrain` is true, the caller must schedule ``TransportLinkHandler/drain()``.
        case accepted(scheduleDrain: Bool)
        /// Dropped by congestion control: too many bytes queued and not yet written.
        case dropped
        /// The transport is closed or closing.
        case closed
    }

    private struct State: Sendable {
        var items: [Item] = []
        var isDrainScheduled = false
        /// Bytes accepted by `offer` and not yet written to the socket.
        var queuedBytes = 0
        var isClosed = false
    }

    private let state = Mutex(State())
    private let drained = NSCondition()
    /// Above this many queued bytes, messages with congestion control `.drop` are dropped.
    let dropThreshold: Int

    init(dropThreshold: Int = 16 << 20) {
        self.dropThreshold = dropThreshold
    }

    /// Queues a message unless the transport is closed, or `canDrop` and the queue is over ``dropThreshold``.
    func offer(_ item: Item, canDrop: Bool) -> Offer {
        self.state.withLock { state in
            guard !state.isClosed else { return .closed }
            if canDrop, state.queuedBytes > self.dropThreshold { return .dropped }
            state.items.append(item)
            state.queuedBytes += item.byteCount
            defer { state.isDrainScheduled = true }
            return .accepted(scheduleDrain: !state.isDrainScheduled)
        }
    }

    /// Everything offered so far, in order; the next offer schedules a new drain.
    func takeAll() -> [Item] {
        self.state.withLock { state in
            state.isDrainScheduled = false
            defer { state.items = [] }
            return state.items
        }
    }

    /// `bytes` of network messages reached the socket (or were discarded with a failed write).
    func written(_ bytes: Int) {
        self.state.withLock { $0.queuedBytes = max(0, $0.queuedBytes - bytes) }
        self.drained.broadcast()
    }

    /// Congestion control BLOCK: the caller (never the event loop) waits while more than `limit` bytes are
    /// queued, as Zenoh blocks a publisher whose queues are full. Gives up after `timeout` seconds.
    func waitUntilBelow(_ limit: Int, timeout: TimeInterval) {
        let deadline = Date().addingTimeInterval(timeout)
        self.drained.lock()
        defer { self.drained.unlock() }
        while Date() < deadline {
            let (queued, closed) = self.state.withLock { ($0.queuedBytes, $0.isClosed) }
            if closed || queued <= limit { return }
            // A short wait: `written` may signal between the check and the wait.
            _ = self.drained.wait(until: min(deadline, Date().addingTimeInterval(0.005)))
        }
    }

    /// Refuses every later offer. Items already queued are still drained.
    func markClosed() {
        self.state.withLock { $0.isClosed = true }
        self.drained.broadcast()
    }

    /// Bytes accepted and not yet written.
    var queuedBytes: Int { self.state.withLock { $0.queuedBytes } }
}

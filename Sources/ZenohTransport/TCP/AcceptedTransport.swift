import Synchronization

/// A transport a listener accepted. Its events (the remote may send in the same millisecond as OpenAck) are
/// held until ``start(onEvent:)`` attaches a receiver, then replayed in order and delivered directly.
public struct ZenohAcceptedTransport: Sendable {
    /// The established transport.
    public let connection: any ZenohTransportConnection
    let sink: DeferredEventSink

    /// Delivers the transport's events to `onEvent`, first those that arrived before this call. Call once.
    public func start(onEvent: @escaping @Sendable (ZenohTransportEvent) -> Void) {
        self.sink.attach(onEvent)
    }
}

/// Buffers transport events until a receiver attaches (house style G9: plain state under a `Mutex`; the
/// receiver is called outside it, in order, because all events come from one event loop).
final class DeferredEventSink: Sendable {
    private enum State {
        case buffering([ZenohTransportEvent])
        case attached(@Sendable (ZenohTransportEvent) -> Void)
    }

    /// The most events held before a receiver attaches; beyond it the oldest data is dropped (the close is kept).
    static let bufferLimit = 4096

    private let state = Mutex(State.buffering([]))

    func deliver(_ event: ZenohTransportEvent) {
        let receiver: (@Sendable (ZenohTransportEvent) -> Void)? = self.state.withLock { state in
            switch state {
            case .buffering(var events):
                if events.count >= Self.bufferLimit, case .message = event { return nil }
                events.append(event)
                state = .buffering(events)
                return nil
            case .attached(let receiver):
                return receiver
            }
        }
        receiver?(event)
    }

    func attach(_ receiver: @escaping @Sendable (ZenohTransportEvent) -> Void) {
        // Replay under the lock so an event arriving meanwhile cannot overtake the buffered ones.
        self.state.withLock { state in
            guard case .buffering(let events) = state else { return }
            for event in events { receiver(event) }
            state = .attached(receiver)
        }
    }
}

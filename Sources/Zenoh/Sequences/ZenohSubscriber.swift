import Synchronization
public import ZenohProtocol

/// A subscriber (or liveliness subscriber): an `AsyncSequence` of the samples published on keys that
/// intersect ``key``.
///
/// The sequence ends when the subscriber is undeclared or the session is closed. A subscriber declared
/// with a handler delivers to the handler instead, and its sequence is empty. Keep a reference: releasing
/// the subscriber (and any iterator over it) undeclares it.
public final class ZenohSubscriber: AsyncSequence, Sendable {
    /// The samples.
    public typealias Element = ZenohSample
    /// Iteration never throws.
    public typealias Failure = Never

    enum Kind: Sendable {
        /// D_SUBSCRIBER with this entity id.
        case data(UInt32)
        /// A liveliness Interest with this interest id.
        case liveliness(UInt32)
    }

    /// The subscribed key expression.
    public let key: KeyExpr
    let kind: Kind
    private let session: ZenohSession
    private let buffer: EventBuffer<ZenohSample>?
    private let isUndeclared = Atomic<Bool>(false)

    init(key: KeyExpr, kind: Kind, session: ZenohSession, buffer: EventBuffer<ZenohSample>?) {
        self.key = key
        self.kind = kind
        self.session = session
        self.buffer = buffer
    }

    deinit {
        self.undeclare()
    }

    /// Stops the subscription (U_SUBSCRIBER, or Interest Final for a liveliness subscriber) and ends the
    /// sequence after the samples already received. Idempotent.
    public func undeclare() {
        guard !self.isUndeclared.exchange(true, ordering: .acquiringAndReleasing) else { return }
        self.session.undeclare(self.kind)
        self.buffer?.finish()
    }

    /// Iterates the samples.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(subscriber: self)
    }

    /// The iterator; it keeps its subscriber declared.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private let subscriber: ZenohSubscriber

        init(subscriber: ZenohSubscriber) {
            self.subscriber = subscriber
        }

        /// The next sample, or nil when the subscription ended (or the task was cancelled).
        public mutating func next() async -> ZenohSample? {
            guard let buffer = self.subscriber.buffer else { return nil }
            return try? await buffer.next()
        }
    }
}

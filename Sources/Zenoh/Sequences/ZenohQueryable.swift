import Synchronization
public import ZenohProtocol

/// A queryable: an `AsyncSequence` of the queries whose key intersects ``key``.
///
/// Answer each ``ZenohQuery`` and let it go (or call ``ZenohQuery/finish()``); the querier receives the
/// final response then. The sequence ends when the queryable is undeclared or the session is closed.
/// Keep a reference: releasing the queryable (and any iterator over it) undeclares it.
public final class ZenohQueryable: AsyncSequence, Sendable {
    /// The queries.
    public typealias Element = ZenohQuery
    /// Iteration never throws.
    public typealias Failure = Never

    /// The key expression this queryable answers for.
    public let key: KeyExpr
    let id: UInt32
    private let session: ZenohSession
    private let buffer: EventBuffer<ZenohQuery>?
    private let isUndeclared = Atomic<Bool>(false)

    init(key: KeyExpr, id: UInt32, session: ZenohSession, buffer: EventBuffer<ZenohQuery>?) {
        self.key = key
        self.id = id
        self.session = session
        self.buffer = buffer
    }

    deinit {
        self.undeclare()
    }

    /// Stops answering (U_QUERYABLE) and ends the sequence after the queries already received. Idempotent.
    public func undeclare() {
        guard !self.isUndeclared.exchange(true, ordering: .acquiringAndReleasing) else { return }
        self.session.undeclareQueryable(self.id)
        self.buffer?.finish()
    }

    /// Iterates the queries.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(queryable: self)
    }

    /// The iterator; it keeps its queryable declared.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private let queryable: ZenohQueryable

        init(queryable: ZenohQueryable) {
            self.queryable = queryable
        }

        /// The next query, or nil when the queryable ended (or the task was cancelled).
        public mutating func next() async -> ZenohQuery? {
            guard let buffer = self.queryable.buffer else { return nil }
            return try? await buffer.next()
        }
    }
}

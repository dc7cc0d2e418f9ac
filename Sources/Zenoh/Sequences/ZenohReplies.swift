public import ZenohTransport

/// The replies to a `get` or a liveliness `get`, as they arrive.
///
/// The sequence ends normally at the final response or when the timeout passes, and throws
/// `connectionClosed` if the link is lost first (or `sessionClosed` when the session closes).
public struct ZenohReplies: AsyncSequence, Sendable {
    /// The replies.
    public typealias Element = ZenohReply
    /// A lost link or closed session.
    public typealias Failure = ZenohError

    let buffer: EventBuffer<ZenohReply>

    /// Iterates the replies.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(buffer: self.buffer)
    }

    /// Waits for the end of the query and returns every reply.
    public func collect() async throws(ZenohError) -> [ZenohReply] {
        var replies: [ZenohReply] = []
        while let reply = try await self.buffer.next() {
            replies.append(reply)
        }
        return replies
    }

    /// The iterator.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: EventBuffer<ZenohReply>

        /// The next reply, or nil at the end of the query.
        public mutating func next() async throws(ZenohError) -> ZenohReply? {
            try await self.buffer.next()
        }

        /// The next reply, or nil at the end of the query.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(ZenohError) -> ZenohReply? {
            try await self.buffer.next()
        }
    }
}

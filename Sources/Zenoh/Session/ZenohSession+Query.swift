public import NIOCore
import Synchronization
public import ZenohProtocol
public import ZenohTransport

extension ZenohSession {
    /// Declares a queryable on `key`: the returned queryable is an `AsyncSequence` of ``ZenohQuery``.
    ///
    /// - Parameter complete: whether this queryable holds every value under `key` (QueryableInfo).
    public func declareQueryable(
        _ key: String, complete: Bool = false, bufferingPolicy: ZenohBufferingPolicy = .default
    ) throws(ZenohError) -> ZenohQueryable {
        let buffer = EventBuffer<ZenohQuery>(policy: bufferingPolicy)
        return try self.declareQueryable(key, complete: complete, sink: .buffer(buffer), buffer: buffer)
    }

    /// Declares a queryable that hands each query to `handler` (on the transport's event loop: it must
    /// not block; keep the query and answer it later if that takes time).
    public func declareQueryable(
        _ key: String, complete: Bool = false, handler: @escaping @Sendable (ZenohQuery) -> Void
    ) throws(ZenohError) -> ZenohQueryable {
        try self.declareQueryable(key, complete: complete, sink: .handler(handler), buffer: nil)
    }

    private func declareQueryable(
        _ text: String, complete: Bool, sink: QuerySink, buffer: EventBuffer<ZenohQuery>?
    ) throws(ZenohError) -> ZenohQueryable {
        let key = try KeyExpr.validated(text, for: "queryable")
        let id = try self.perform { (storage) throws(ZenohError) in
            try Self.ensureOpen(storage, "queryable '\(key)'")
            let (id, actions) = storage.machine.queryableDeclared(key, isComplete: complete)
            storage.querySinks[id] = sink
            return (id, actions)
        }.value
        return ZenohQueryable(key: key, id: id, session: self, buffer: buffer)
    }

    func undeclareQueryable(_ id: UInt32) {
        let removed = self.perform { storage in
            (storage.querySinks.removeValue(forKey: id), storage.machine.queryableUndeclared(id))
        }.value
        removed?.finish()
    }

    /// Queries `selector` (`key` or `key?k=v;k2=v2`) and returns the replies as they come.
    ///
    /// - Parameters:
    ///   - payload: a value sent with the query (with `encoding`).
    ///   - attachment: bytes attached to the query.
    ///   - timeout: how long to wait for the final response (``ZenohConfiguration/queryTimeout`` if nil);
    ///     the sequence then ends normally.
    ///   - target: which matching queryables answer.
    ///   - consolidation: the consolidation asked of the router (auto is sent as latest, as Rust does);
    ///     replies are not consolidated locally.
    /// - Throws: `invalidKeyExpr` for a bad selector, `sessionClosed` after ``close()``. While disconnected
    ///   the returned sequence throws `connectionClosed`.
    public func get(
        _ selector: String, payload: ByteBuffer? = nil, encoding: ZenohEncoding = .zenohBytes,
        attachment: ByteBuffer? = nil, timeout: Duration? = nil, target: QueryTarget = .bestMatching,
        consolidation: ConsolidationMode = .auto
    ) throws(ZenohError) -> ZenohReplies {
        let request = SessionStateMachine.GetRequest(
            selector: try Selector(parsing: selector),
            body: payload.map { ZenohMessage.Query.Body(encoding: encoding, payload: $0) },
            attachment: attachment, target: target, consolidation: consolidation,
            timeout: timeout ?? self.configuration.queryTimeout)
        return try self.startQuery("get '\(selector)'") { $0.getRequested(request, now: $1) }
    }

    /// ``get(_:payload:encoding:attachment:timeout:target:consolidation:)`` collected into an array.
    public func getAll(
        _ selector: String, payload: ByteBuffer? = nil, encoding: ZenohEncoding = .zenohBytes,
        attachment: ByteBuffer? = nil, timeout: Duration? = nil, target: QueryTarget = .bestMatching
    ) async throws(ZenohError) -> [ZenohReply] {
        try await self.get(
            selector, payload: payload, encoding: encoding, attachment: attachment, timeout: timeout, target: target
        ).collect()
    }

    /// Registers a reply sink for the query `start` creates, then arms the deadline timer.
    func startQuery(
        _ what: String,
        _ start: (inout SessionStateMachine, ContinuousClock.Instant) -> (id: PendingQueryID, actions: [SessionAction])
    ) throws(ZenohError) -> ZenohReplies {
        let buffer = EventBuffer<ZenohReply>(policy: .unbounded)
        _ = try self.perform { (storage) throws(ZenohError) in
            try Self.ensureOpen(storage, what)
            let (id, actions) = start(&storage.machine, .now)
            storage.replySinks[id] = buffer
            return ((), actions)
        }
        self.armDeadlineTimer()
        return ZenohReplies(buffer: buffer)
    }

    /// Makes sure a timer task sleeps until the earliest query deadline.
    func armDeadlineTimer() {
        let deadline: ContinuousClock.Instant? = self.storage.withLock { storage in
            guard let next = storage.machine.nextDeadline else { return nil }
            if let armed = storage.armedDeadline, armed <= next { return nil }
            storage.armedDeadline = next
            return next
        }
        guard let deadline else { return }
        // Bridge (house style G8 exception): one timer task per earlier deadline; it only calls back.
        Task { [weak self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            self?.deadlineReached(deadline)
        }
    }

    private func deadlineReached(_ deadline: ContinuousClock.Instant) {
        _ = self.perform { storage in
            if storage.armedDeadline == deadline { storage.armedDeadline = nil }
            return ((), storage.machine.deadlinesPassed(now: .now))
        }
        self.armDeadlineTimer()
    }
}

import NIOCore
import ZenohProtocol
import ZenohTransport

extension SessionStateMachine {
    /// Parameters of an outgoing `get`.
    struct GetRequest: Equatable {
        var selector: Selector
        var body: ZenohMessage.Query.Body?
        var attachment: ByteBuffer?
        var target: QueryTarget
        var consolidation: ConsolidationMode
        var timeout: Duration
    }

    /// A `get`: a Request with our own id, waiting for ResponseFinal or the deadline. Without a transport
    /// it finishes at once with `connectionClosed`.
    mutating func getRequested(_ get: GetRequest, now: ContinuousClock.Instant) -> (id: PendingQueryID, actions: [SessionAction]) {
        let requestID = self.allocateRequestID()
        let id = PendingQueryID.get(requestID)
        guard self.isConnected else {
            return (id, [.finishQuery(id, error: ZenohError(.connectionClosed, "get '\(get.selector.key)': not connected"))])
        }
        // Rust resolves Auto to Latest before sending, and consolidates on the querier side.
        let consolidation = get.consolidation == .auto ? ConsolidationMode.latest : get.consolidation
        self.pendingQueries[id] = PendingQuery(
            key: get.selector.key, acceptsAnyKey: Selector.acceptsAnyKey(get.selector.parameters),
            deadline: now + get.timeout, consolidation: consolidation)
        let query = ZenohMessage.Query(
            consolidation: consolidation, parameters: get.selector.parameters, body: get.body, attachment: get.attachment)
        let request = NetworkMessage.Request(
            requestID: requestID, wireExpr: SessionMessages.wire(get.selector.key), qos: .request, target: get.target,
            timeoutMilliseconds: get.timeout.wholeMilliseconds, query: query)
        return (id, [.send(.request(request), .request)])
    }

    /// A liveliness `get`: Interest Current K+T on `key`, collecting D_TOKEN(I) until D_FINAL(I).
    mutating func livelinessGetRequested(
        _ key: KeyExpr, timeout: Duration, now: ContinuousClock.Instant
    ) -> (id: PendingQueryID, actions: [SessionAction]) {
        let interestID = self.allocateInterestID()
        let id = PendingQueryID.liveliness(interestID)
        guard self.isConnected else {
            return (id, [.finishQuery(id, error: ZenohError(.connectionClosed, "liveliness get '\(key)': not connected"))])
        }
        self.pendingQueries[id] = PendingQuery(key: key, acceptsAnyKey: false, deadline: now + timeout)
        return (id, [SessionMessages.livelinessInterest(interestID, key, mode: .current)])
    }

    /// A pending query ended (final received, deadline passed, link lost); unknown ids are ignored.
    /// Replies held back by `latest` consolidation are delivered first.
    mutating func queryFinished(_ id: PendingQueryID, error: ZenohError?) -> [SessionAction] {
        guard let pending = self.pendingQueries.removeValue(forKey: id) else { return [] }
        return pending.consolidator.heldReplies.map { .deliverReply($0, to: id) } + [.finishQuery(id, error: error)]
    }

    /// A reply for a pending get, after the key check: delivered now, held (latest), or dropped (stale).
    mutating func replyReceived(_ reply: ZenohReply, for id: PendingQueryID) -> [SessionAction] {
        guard var pending = self.pendingQueries[id] else { return [] }
        let deliverNow = pending.consolidator.accept(reply, mode: pending.consolidation)
        self.pendingQueries[id] = pending
        return deliverNow ? [.deliverReply(reply, to: id)] : []
    }

    /// The clock reached `now`: queries past their deadline end normally (a timeout is not an error).
    mutating func deadlinesPassed(now: ContinuousClock.Instant) -> [SessionAction] {
        let expired = self.pendingQueries.filter { $0.value.deadline <= now }.keys.sorted { "\($0)" < "\($1)" }
        return expired.flatMap { self.queryFinished($0, error: nil) }
    }

    /// The earliest deadline of a pending query, for the facade's timer.
    var nextDeadline: ContinuousClock.Instant? {
        self.pendingQueries.values.map(\.deadline).min()
    }
}

extension Duration {
    /// The duration in whole milliseconds (negative durations give 0).
    var wholeMilliseconds: UInt64 {
        let (seconds, attoseconds) = self.components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1000 + UInt64(attoseconds / 1_000_000_000_000_000)
    }
}

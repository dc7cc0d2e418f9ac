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

    /// A `get`: a Request with our own id, waiting for ResponseFinal from every face it went to, or the
    /// deadline. Client mode: to the router; without it the get finishes at once with `connectionClosed`.
    /// Peer mode: to every face that declared a matching queryable; with none, it finishes at once, empty.
    mutating func getRequested(_ get: GetRequest, now: ContinuousClock.Instant) -> (id: PendingQueryID, actions: [SessionAction]) {
        let requestID = self.allocateRequestID()
        let id = PendingQueryID.get(requestID)
        let targets: [UInt64]
        if self.isPeer {
            targets = self.requestTargets(for: get.selector.key, target: get.target, from: nil)
            guard !targets.isEmpty else { return (id, [.finishQuery(id, error: nil)]) }
        } else {
            guard let uplink = self.connectedGeneration else {
                return (id, [.finishQuery(id, error: ZenohError(.connectionClosed, "get '\(get.selector.key)': not connected"))])
            }
            targets = [uplink]
        }
        // Rust resolves Auto to Latest before sending, and consolidates on the querier side.
        let consolidation = get.consolidation == .auto ? ConsolidationMode.latest : get.consolidation
        self.pendingQueries[id] = PendingQuery(
            key: get.selector.key, acceptsAnyKey: Selector.acceptsAnyKey(get.selector.parameters),
            deadline: now + get.timeout, consolidation: consolidation, awaitingFaces: Set(targets))
        let query = ZenohMessage.Query(
            consolidation: consolidation, parameters: get.selector.parameters, body: get.body, attachment: get.attachment)
        let request = NetworkMessage.Request(
            requestID: requestID, wireExpr: SessionMessages.wire(get.selector.key), qos: .request, target: get.target,
            timeoutMilliseconds: get.timeout.wholeMilliseconds, query: query)
        return (id, targets.map { .send(.request(request), .request, face: $0) })
    }

    /// A liveliness `get`. Client mode: Interest Current K+T on `key`, collecting D_TOKEN(I) until D_FINAL(I).
    /// Peer mode: answered at once from the tokens the faces pushed (no traffic, as in Rust).
    mutating func livelinessGetRequested(
        _ key: KeyExpr, timeout: Duration, now: ContinuousClock.Instant
    ) -> (id: PendingQueryID, actions: [SessionAction]) {
        let interestID = self.allocateInterestID()
        let id = PendingQueryID.liveliness(interestID)
        if self.isPeer {
            var actions: [SessionAction] = self.remoteTokens(matching: key).map {
                .deliverReply(ZenohReply(result: .success(ZenohSample(kind: .put, key: $0.1))), to: id)
            }
            actions.append(.finishQuery(id, error: nil))
            return (id, actions)
        }
        guard let uplink = self.connectedGeneration else {
            return (id, [.finishQuery(id, error: ZenohError(.connectionClosed, "liveliness get '\(key)': not connected"))])
        }
        self.pendingQueries[id] = PendingQuery(key: key, acceptsAnyKey: false, deadline: now + timeout)
        return (id, [SessionMessages.livelinessInterest(interestID, key, mode: .current).to(uplink)])
    }

    /// A face sent the ResponseFinal of one of our gets (or went away): the get ends when no face is left.
    mutating func responseFinalReceived(for id: PendingQueryID, from face: UInt64) -> [SessionAction] {
        guard var pending = self.pendingQueries[id], pending.awaitingFaces.remove(face) != nil else { return [] }
        guard pending.awaitingFaces.isEmpty else {
            self.pendingQueries[id] = pending
            return []
        }
        return self.queryFinished(id, error: nil)
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

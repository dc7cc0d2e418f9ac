import NIOCore
import ZenohProtocol
import ZenohTransport

extension SessionStateMachine {
    /// A network message arrived on the transport of `generation` (a face). Messages of transports we no longer
    /// know are ignored.
    mutating func received(_ message: NetworkMessage, generation: UInt64) -> [SessionAction] {
        guard self.faces[generation] != nil else {
            // The remote may speak before our dial returned (its declarations follow OpenAck at once): hold
            // those messages until the face exists. Anything else is late, from a transport we gave up on.
            if case .connecting(generation, nil) = self.connection, self.earlyMessages.count < Self.earlyMessageLimit {
                self.earlyMessages.append(message)
            }
            return []
        }
        switch message {
        case .push(let push): return self.receivedPush(push, on: generation)
        case .request(let request): return self.receivedRequest(request, on: generation)
        case .response(let response): return self.receivedResponse(response, on: generation)
        case .responseFinal(let final): return self.receivedResponseFinal(final, on: generation)
        case .declare(let declare): return self.receivedDeclare(declare, on: generation)
        case .interest(let interest): return self.receivedInterest(interest, on: generation)
        case .oam: return []  // LinkState gossip: we neither autoconnect nor route between peers
        }
    }

    private mutating func receivedPush(_ push: NetworkMessage.Push, on face: UInt64) -> [SessionAction] {
        let routeKey = PushRouteCache.Key(face: face, wire: push.wireExpr)
        let route: PushRouteCache.Route
        if let known = self.pushRoutes[routeKey] {
            route = known
        } else {
            guard let key = self.resolve(push.wireExpr, from: face) else { return [] }
            route = .init(
                key: key, subscriberIDs: self.subscribers.filter { $0.value.intersects(key) }.keys.sorted(),
                forwardTo: self.isPeer ? self.pushTargets(for: key, from: face) : [])
            self.pushRoutes[routeKey] = route
        }
        var actions: [SessionAction] = []
        if !route.forwardTo.isEmpty {
            var forwarded = push
            forwarded.wireExpr = SessionMessages.wire(route.key)
            let options = ZenohSendOptions(
                priority: push.qos.priority, congestionControl: push.qos.congestionControl, isExpress: push.qos.isExpress)
            actions = route.forwardTo.map { .send(.push(forwarded), options, face: $0) }
        }
        if !route.subscriberIDs.isEmpty {
            let sample = ZenohSample(key: route.key, body: push.body, networkTimestamp: push.timestamp, qos: push.qos)
            actions.append(.deliverSample(sample, subscriberIDs: route.subscriberIDs))
        }
        return actions
    }

    /// Every Request gets exactly one ResponseFinal: at once when nothing matches (or the key is unknown), else
    /// when the last local queryable it was handed to, and the last face it was forwarded to, finished it.
    private mutating func receivedRequest(_ request: NetworkMessage.Request, on face: UInt64) -> [SessionAction] {
        guard let key = self.resolve(request.wireExpr, from: face) else {
            return [SessionMessages.responseFinal(request.requestID).to(face)]
        }
        let ids = self.queryables.filter { entry in
            entry.value.key.intersects(key) && (request.target != .allComplete || entry.value.isComplete)
        }.keys.sorted()
        let forwardTo = self.isPeer ? self.requestTargets(for: key, target: request.target, from: face) : []
        guard !ids.isEmpty || !forwardTo.isEmpty else { return [SessionMessages.responseFinal(request.requestID).to(face)] }
        let origin = InboundRequestID(generation: face, requestID: request.requestID)
        self.inboundRequests[origin, default: 0] += ids.count + forwardTo.count
        var actions: [SessionAction] = []
        for target in forwardTo {
            let requestID = self.allocateRequestID()
            self.forwardedRequests[InboundRequestID(generation: target, requestID: requestID)] = origin
            var forwarded = request
            forwarded.requestID = requestID
            forwarded.wireExpr = SessionMessages.wire(key)
            actions.append(.send(.request(forwarded), .request, face: target))
        }
        if !ids.isEmpty {
            let query = InboundQuery(
                generation: face, requestID: request.requestID, key: key, parameters: request.query.parameters,
                body: request.query.body, attachment: request.query.attachment)
            actions.append(.deliverQuery(query, queryableIDs: ids))
        }
        return actions
    }

    /// One local queryable finished a Request (explicitly or by releasing the query).
    mutating func inboundQueryFinished(generation: UInt64, requestID: UInt32) -> [SessionAction] {
        self.inboundRequestPartFinished(InboundRequestID(generation: generation, requestID: requestID))
    }

    /// One part (a local queryable or a forwarded copy) of an inbound Request finished; the last one sends the
    /// ResponseFinal back on the face the Request came from.
    mutating func inboundRequestPartFinished(_ requestKey: InboundRequestID) -> [SessionAction] {
        guard let remaining = self.inboundRequests[requestKey] else { return [] }
        guard remaining <= 1 else {
            self.inboundRequests[requestKey] = remaining - 1
            return []
        }
        self.inboundRequests[requestKey] = nil
        guard self.faces[requestKey.generation] != nil else { return [] }  // that transport is gone
        return [SessionMessages.responseFinal(requestKey.requestID).to(requestKey.generation)]
    }

    /// Whether a reply to this Request may still be sent (it is open, and its face is still there).
    func canReply(generation: UInt64, requestID: UInt32) -> Bool {
        self.faces[generation] != nil
            && self.inboundRequests[InboundRequestID(generation: generation, requestID: requestID)] != nil
    }

    private mutating func receivedResponse(_ response: NetworkMessage.Response, on face: UInt64) -> [SessionAction] {
        if let origin = self.forwardedRequests[InboundRequestID(generation: face, requestID: response.requestID)] {
            guard self.faces[origin.generation] != nil, let key = self.resolve(response.wireExpr, from: face) else { return [] }
            var back = response
            back.requestID = origin.requestID
            back.wireExpr = SessionMessages.wire(key)
            return [.send(.response(back), .request, face: origin.generation)]
        }
        let id = PendingQueryID.get(response.requestID)
        guard let pending = self.pendingQueries[id], let key = self.resolve(response.wireExpr, from: face) else { return [] }
        // The requester drops replies whose key does not intersect the query (unless `_anyke`).
        guard pending.acceptsAnyKey || pending.key.intersects(key) else { return [] }
        let result: Result<ZenohSample, ZenohReplyError>
        switch response.body {
        case .reply(let reply):
            result = .success(ZenohSample(key: key, body: reply.body, networkTimestamp: response.timestamp))
        case .err(let err):
            result = .failure(ZenohReplyError(payload: err.payload, encoding: err.encoding))
        }
        return self.replyReceived(ZenohReply(result: result, responderID: response.responderID), for: id)
    }

    private mutating func receivedResponseFinal(_ final: NetworkMessage.ResponseFinal, on face: UInt64) -> [SessionAction] {
        let forwarded = InboundRequestID(generation: face, requestID: final.requestID)
        if let origin = self.forwardedRequests.removeValue(forKey: forwarded) {
            return self.inboundRequestPartFinished(origin)
        }
        return self.responseFinalReceived(for: .get(final.requestID), from: face)
    }

    private mutating func receivedDeclare(_ declare: NetworkMessage.Declare, on face: UInt64) -> [SessionAction] {
        switch declare.declaration {
        case .keyExpr(let declaration):
            if let key = self.resolve(declaration.wireExpr, from: face) {
                self.faces[face]?.keyExprs[declaration.id] = key.description
            }
            return []
        case .undeclareKeyExpr(let undeclaration):
            self.faces[face]?.keyExprs[undeclaration.id] = nil
            return []
        case .subscriber(let declaration):
            guard let key = self.resolve(declaration.wireExpr, from: face) else { return [] }
            self.faces[face]?.subscribers[declaration.id] = key
            return self.propagate(RemoteEntity(face: face, kind: .subscriber, id: declaration.id), key: key, declared: true)
        case .undeclareSubscriber(let undeclaration):
            guard let key = self.faces[face]?.subscribers.removeValue(forKey: undeclaration.id) else { return [] }
            return self.propagate(RemoteEntity(face: face, kind: .subscriber, id: undeclaration.id), key: key, declared: false)
        case .queryable(let declaration):
            guard let key = self.resolve(declaration.wireExpr, from: face) else { return [] }
            let isComplete = declaration.info.isComplete
            self.faces[face]?.queryables[declaration.id] = Face.Queryable(key: key, isComplete: isComplete)
            return self.propagate(
                RemoteEntity(face: face, kind: .queryable, id: declaration.id), key: key, isComplete: isComplete,
                declared: true)
        case .undeclareQueryable(let undeclaration):
            guard let queryable = self.faces[face]?.queryables.removeValue(forKey: undeclaration.id) else { return [] }
            return self.propagate(
                RemoteEntity(face: face, kind: .queryable, id: undeclaration.id), key: queryable.key, declared: false)
        case .token(let declaration):
            return self.receivedToken(declaration, interestID: declare.interestID, on: face)
        case .undeclareToken(let undeclaration):
            return self.receivedTokenUndeclaration(undeclaration, on: face)
        case .final:
            guard let interestID = declare.interestID else { return [] }
            if self.isPeer, interestID == Self.initialInterestID, self.faces[face]?.isClient == false {
                // A peer's declarations are complete: from now on it gets only what it subscribed to.
                self.faces[face]?.hasDeclaredEverything = true
                return []
            }
            // D_FINAL ends the current phase of an Interest: a liveliness get is complete; a liveliness
            // subscriber simply goes on with the future phase.
            return self.queryFinished(.liveliness(interestID), error: nil)
        }
    }
}

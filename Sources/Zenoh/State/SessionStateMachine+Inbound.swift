import NIOCore
import ZenohProtocol
import ZenohTransport

extension SessionStateMachine {
    /// A network message arrived on the transport of `generation`. Messages of older transports are ignored.
    mutating func received(_ message: NetworkMessage, generation: UInt64) -> [SessionAction] {
        switch self.connection {
        case .connected(let current, _) where current == generation: break
        case .connecting(let current, _) where current == generation: break
        default: return []  // a late message from a transport we already gave up on
        }
        switch message {
        case .push(let push): return self.receivedPush(push)
        case .request(let request): return self.receivedRequest(request, generation: generation)
        case .response(let response): return self.receivedResponse(response)
        case .responseFinal(let final): return self.queryFinished(.get(final.requestID), error: nil)
        case .declare(let declare): return self.receivedDeclare(declare)
        case .interest(let interest): return self.receivedInterest(interest)
        case .oam: return []  // LinkState gossip is for routers and peers
        }
    }

    private mutating func receivedPush(_ push: NetworkMessage.Push) -> [SessionAction] {
        let route: PushRouteCache.Route
        if let known = self.pushRoutes[push.wireExpr] {
            route = known
        } else {
            guard let key = self.resolve(push.wireExpr) else { return [] }
            route = .init(key: key, subscriberIDs: self.subscribers.filter { $0.value.intersects(key) }.keys.sorted())
            self.pushRoutes[push.wireExpr] = route
        }
        let (key, ids) = (route.key, route.subscriberIDs)
        guard !ids.isEmpty else { return [] }
        return [.deliverSample(ZenohSample(key: key, body: push.body, networkTimestamp: push.timestamp, qos: push.qos), subscriberIDs: ids)]
    }

    /// Every Request gets exactly one ResponseFinal: at once when no queryable matches (or the key is
    /// unknown), else when the last local queryable it was handed to finishes it.
    private mutating func receivedRequest(_ request: NetworkMessage.Request, generation: UInt64) -> [SessionAction] {
        guard let key = self.resolve(request.wireExpr) else {
            return [SessionMessages.responseFinal(request.requestID)]
        }
        let ids = self.queryables.filter { entry in
            entry.value.key.intersects(key) && (request.target != .allComplete || entry.value.isComplete)
        }.keys.sorted()
        guard !ids.isEmpty else { return [SessionMessages.responseFinal(request.requestID)] }
        let requestKey = InboundRequestID(generation: generation, requestID: request.requestID)
        self.inboundRequests[requestKey, default: 0] += ids.count
        let query = InboundQuery(
            generation: generation, requestID: request.requestID, key: key, parameters: request.query.parameters,
            body: request.query.body, attachment: request.query.attachment)
        return [.deliverQuery(query, queryableIDs: ids)]
    }

    /// One local queryable finished a Request (explicitly or by releasing the query).
    mutating func inboundQueryFinished(generation: UInt64, requestID: UInt32) -> [SessionAction] {
        let requestKey = InboundRequestID(generation: generation, requestID: requestID)
        guard let remaining = self.inboundRequests[requestKey] else { return [] }
        guard remaining <= 1 else {
            self.inboundRequests[requestKey] = remaining - 1
            return []
        }
        self.inboundRequests[requestKey] = nil
        guard self.connectedGeneration == generation else { return [] }  // that transport is gone
        return [SessionMessages.responseFinal(requestID)]
    }

    /// Whether a reply to this Request may still be sent (it is open, on the current transport).
    func canReply(generation: UInt64, requestID: UInt32) -> Bool {
        self.connectedGeneration == generation
            && self.inboundRequests[InboundRequestID(generation: generation, requestID: requestID)] != nil
    }

    private mutating func receivedResponse(_ response: NetworkMessage.Response) -> [SessionAction] {
        let id = PendingQueryID.get(response.requestID)
        guard let pending = self.pendingQueries[id], let key = self.resolve(response.wireExpr) else { return [] }
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

    private mutating func receivedDeclare(_ declare: NetworkMessage.Declare) -> [SessionAction] {
        switch declare.declaration {
        case .keyExpr(let declaration):
            if let key = self.resolve(declaration.wireExpr) {
                self.remoteKeyExprDeclared(declaration.id, key.description)
            }
            return []
        case .undeclareKeyExpr(let undeclaration):
            self.forgetRemoteKeyExpr(undeclaration.id)
            return []
        case .subscriber(let declaration):
            self.rememberRemoteSubscriber(declaration.id, self.resolve(declaration.wireExpr))
            return []
        case .undeclareSubscriber(let undeclaration):
            self.rememberRemoteSubscriber(undeclaration.id, nil)
            return []
        case .queryable(let declaration):
            self.rememberRemoteQueryable(declaration.id, self.resolve(declaration.wireExpr))
            return []
        case .undeclareQueryable(let undeclaration):
            self.rememberRemoteQueryable(undeclaration.id, nil)
            return []
        case .token(let declaration):
            return self.receivedToken(declaration, interestID: declare.interestID)
        case .undeclareToken(let undeclaration):
            return self.receivedTokenUndeclaration(undeclaration)
        case .final:
            // D_FINAL ends the current phase of an Interest: a liveliness get is complete; a liveliness
            // subscriber simply goes on with the future phase.
            guard let interestID = declare.interestID else { return [] }
            return self.queryFinished(.liveliness(interestID), error: nil)
        }
    }

    /// Interests from the remote (rare for a client): answer the current part with our matching
    /// declarations (I flag), and always end with D_FINAL.
    private func receivedInterest(_ interest: NetworkMessage.Interest) -> [SessionAction] {
        guard interest.mode != .final else { return [] }
        var actions: [SessionAction] = []
        if interest.mode == .current || interest.mode == .currentFuture {
            let restriction = interest.wireExpr.flatMap { self.resolve($0) }
            let matches = { (key: KeyExpr) in restriction.map { $0.intersects(key) } ?? true }
            let id = interest.interestID
            if interest.options.contains(.subscribers) {
                for (entity, key) in self.subscribers.sorted(by: { $0.key < $1.key }) where matches(key) {
                    actions.append(SessionMessages.subscriber(entity, key, interestID: id))
                }
            }
            if interest.options.contains(.queryables) {
                for (entity, queryable) in self.queryables.sorted(by: { $0.key < $1.key }) where matches(queryable.key) {
                    actions.append(SessionMessages.queryable(entity, queryable.key, complete: queryable.isComplete, interestID: id))
                }
            }
            if interest.options.contains(.tokens) {
                for (entity, key) in self.tokens.sorted(by: { $0.key < $1.key }) where matches(key) {
                    actions.append(SessionMessages.token(entity, key, interestID: id))
                }
            }
        }
        actions.append(SessionMessages.declare(.final(FinalDeclaration()), interestID: interest.interestID))
        return actions
    }
}

extension SessionStateMachine {
    fileprivate mutating func forgetRemoteKeyExpr(_ id: UInt16) {
        self.remoteKeyExprs[id] = nil
    }

    fileprivate mutating func rememberRemoteSubscriber(_ id: UInt32, _ key: KeyExpr?) {
        self.remoteSubscribers[id] = key
    }

    fileprivate mutating func rememberRemoteQueryable(_ id: UInt32, _ key: KeyExpr?) {
        self.remoteQueryables[id] = key
    }
}

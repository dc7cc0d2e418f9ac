import ZenohProtocol
import ZenohTransport

extension SessionStateMachine {
    /// D_TOKEN from the router. With the I flag it answers one Interest: a liveliness get (a reply) or
    /// the current phase of one liveliness subscriber. Without it, it goes to every liveliness subscriber
    /// whose key intersects.
    mutating func receivedToken(_ declaration: EntityDeclaration, interestID: UInt32?) -> [SessionAction] {
        guard let key = self.resolve(declaration.wireExpr) else { return [] }
        let sample = ZenohSample(kind: .put, key: key)
        if let interestID {
            let query = PendingQueryID.liveliness(interestID)
            if let pending = self.pendingQueries[query] {
                guard pending.key.intersects(key) else { return [] }
                return [.deliverReply(ZenohReply(result: .success(sample)), to: query)]
            }
            guard self.livelinessSubscribers[interestID]?.key.intersects(key) == true else { return [] }
            self.remoteTokens[declaration.id] = key
            self.livelinessSubscribers[interestID]?.deliveredTokens.insert(declaration.id)
            return [.deliverLivelinessSample(sample, subscriberIDs: [interestID])]
        }
        self.remoteTokens[declaration.id] = key
        let ids = self.livelinessSubscribers.filter { $0.value.key.intersects(key) }.keys.sorted()
        guard !ids.isEmpty else { return [] }
        for id in ids { self.livelinessSubscribers[id]?.deliveredTokens.insert(declaration.id) }
        return [.deliverLivelinessSample(sample, subscriberIDs: ids)]
    }

    /// U_TOKEN from the router: the key comes from the id remembered at D_TOKEN (Rust sends an empty
    /// WireExpr extension), or from the extension when it is not empty.
    mutating func receivedTokenUndeclaration(_ undeclaration: EntityUndeclaration) -> [SessionAction] {
        let remembered = self.remoteTokens.removeValue(forKey: undeclaration.id)
        let fromExtension = undeclaration.wireExpr.flatMap { $0.suffix.isEmpty && $0.scope == 0 ? nil : self.resolve($0) }
        guard let key = remembered ?? fromExtension else { return [] }
        let ids = self.livelinessSubscribers.filter { entry in
            entry.value.deliveredTokens.contains(undeclaration.id) || entry.value.key.intersects(key)
        }.keys.sorted()
        guard !ids.isEmpty else { return [] }
        for id in ids { self.livelinessSubscribers[id]?.deliveredTokens.remove(undeclaration.id) }
        return [.deliverLivelinessSample(ZenohSample(kind: .delete, key: key), subscriberIDs: ids)]
    }

    /// The link went: every token a liveliness subscriber was told about is no longer known alive, so
    /// each gets a DELETE (a reconnect with history announces the survivors again).
    mutating func livelinessLost() -> [SessionAction] {
        var actions: [SessionAction] = []
        for (id, subscriber) in self.livelinessSubscribers.sorted(by: { $0.key < $1.key }) {
            let keys = subscriber.deliveredTokens.sorted().compactMap { self.remoteTokens[$0] }
            for key in keys {
                actions.append(.deliverLivelinessSample(ZenohSample(kind: .delete, key: key), subscriberIDs: [id]))
            }
            self.livelinessSubscribers[id]?.deliveredTokens = []
        }
        return actions
    }
}

import ZenohProtocol
import ZenohTransport

extension SessionStateMachine {
    /// D_TOKEN from a face. With the I flag it answers one of our Interests (client mode): a liveliness get
    /// (a reply) or the current phase of one liveliness subscriber. Without it, it goes to every liveliness
    /// subscriber whose key intersects, and in peer mode on to the other faces.
    mutating func receivedToken(_ declaration: EntityDeclaration, interestID: UInt32?, on face: UInt64) -> [SessionAction] {
        guard let key = self.resolve(declaration.wireExpr, from: face) else { return [] }
        let sample = ZenohSample(kind: .put, key: key)
        let token = RemoteEntity(face: face, kind: .token, id: declaration.id)
        if let interestID, !(self.isPeer && interestID == Self.initialInterestID) {
            let query = PendingQueryID.liveliness(interestID)
            if let pending = self.pendingQueries[query] {
                guard pending.key.intersects(key) else { return [] }
                return [.deliverReply(ZenohReply(result: .success(sample)), to: query)]
            }
            guard self.livelinessSubscribers[interestID]?.key.intersects(key) == true else { return [] }
            self.faces[face]?.tokens[declaration.id] = key
            self.livelinessSubscribers[interestID]?.deliveredTokens.insert(token)
            return [.deliverLivelinessSample(sample, subscriberIDs: [interestID])]
        }
        self.faces[face]?.tokens[declaration.id] = key
        var actions = self.propagate(token, key: key, declared: true)
        let ids = self.livelinessSubscribers.filter { $0.value.key.intersects(key) && !$0.value.deliveredTokens.contains(token) }
            .keys.sorted()
        guard !ids.isEmpty else { return actions }
        for id in ids { self.livelinessSubscribers[id]?.deliveredTokens.insert(token) }
        actions.append(.deliverLivelinessSample(sample, subscriberIDs: ids))
        return actions
    }

    /// U_TOKEN from a face: the key comes from the id remembered at D_TOKEN (Rust sends an empty WireExpr
    /// extension), or from the extension when it is not empty.
    mutating func receivedTokenUndeclaration(_ undeclaration: EntityUndeclaration, on face: UInt64) -> [SessionAction] {
        let token = RemoteEntity(face: face, kind: .token, id: undeclaration.id)
        let remembered = self.faces[face]?.tokens.removeValue(forKey: undeclaration.id)
        let fromExtension = undeclaration.wireExpr.flatMap {
            $0.suffix.isEmpty && $0.scope == 0 ? nil : self.resolve($0, from: face)
        }
        guard let key = remembered ?? fromExtension else { return [] }
        var actions = remembered != nil ? self.propagate(token, key: key, declared: false) : []
        let ids = self.livelinessSubscribers.filter { entry in
            entry.value.deliveredTokens.contains(token) || (!self.isPeer && entry.value.key.intersects(key))
        }.keys.sorted()
        guard !ids.isEmpty else { return actions }
        for id in ids { self.livelinessSubscribers[id]?.deliveredTokens.remove(token) }
        actions.append(.deliverLivelinessSample(ZenohSample(kind: .delete, key: key), subscriberIDs: ids))
        return actions
    }
}

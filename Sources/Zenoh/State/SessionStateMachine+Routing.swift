import ZenohProtocol
import ZenohTransport

// Who gets what (zenoh-protocol.md sections 13 and 17.2). Client mode has one face, the router, which gets
// every declaration and publication. In peer mode:
// - a peer (or router) gets our declarations and those of our clients, then D_FINAL(0); it gets a publication
//   when it declared a matching subscriber, or while its own D_FINAL(0) has not arrived;
// - a client gets declarations only through its Interests, and publications only for its subscribers;
// - traffic is forwarded between faces, except from one peer to another (peers connect directly).
extension SessionStateMachine {
    /// Whether traffic from `origin` may be forwarded to `target`: never peer to peer.
    func mayForward(from origin: Face?, to target: Face) -> Bool {
        guard let origin else { return true }
        return origin.isClient || target.isClient
    }

    /// A change of a local entity: to the router (client mode), or to every face that wants it (peer mode).
    func announce(_ message: OutboundMessage, kind: EntityKind, _ key: KeyExpr) -> [SessionAction] {
        guard self.isPeer else { return self.toUplink(message) }
        return self.faces.sorted { $0.key < $1.key }.compactMap { id, face in
            (!face.isClient || face.interests(wanting: kind, key)) ? message.to(id) : nil
        }
    }

    /// The faces a publication on `key` goes to (peer mode), leaving out the face it came from.
    func pushTargets(for key: KeyExpr, from origin: UInt64?) -> [UInt64] {
        let source = origin.flatMap { self.faces[$0] }
        return self.faces.sorted { $0.key < $1.key }.compactMap { id, face in
            guard id != origin, self.mayForward(from: source, to: face) else { return nil }
            let wanted = face.hasSubscriber(matching: key) || (!face.isClient && !face.hasDeclaredEverything)
            return wanted ? id : nil
        }
    }

    /// The faces a query on `key` goes to (peer mode), leaving out the face it came from: those that declared
    /// a matching queryable, and peers whose declarations are not complete yet (they answer with a final).
    func requestTargets(for key: KeyExpr, target: QueryTarget, from origin: UInt64?) -> [UInt64] {
        let source = origin.flatMap { self.faces[$0] }
        return self.faces.sorted { $0.key < $1.key }.compactMap { id, face in
            guard id != origin, self.mayForward(from: source, to: face) else { return nil }
            let wanted = face.hasQueryable(matching: key, target: target) || (!face.isClient && !face.hasDeclaredEverything)
            return wanted ? id : nil
        }
    }

    /// Whether the dialled peer has sent its `D_FINAL(0)` (true when there is nothing to wait for).
    var uplinkHasDeclaredEverything: Bool {
        guard self.isPeer, let uplink = self.connectedGeneration, let face = self.faces[uplink], !face.isClient else {
            return true
        }
        return face.hasDeclaredEverything
    }

    /// Everything a fresh face must be told. Client mode: our entities in id order, then our liveliness
    /// Interests. Peer mode, towards a peer: our entities and our clients', then `DECLARE(I=0) D_FINAL`;
    /// towards a client: nothing (it asks through Interests).
    mutating func redeclarations(for faceID: UInt64) -> [SessionAction] {
        guard let face = self.faces[faceID] else { return [] }
        var entities: [(UInt32, OutboundMessage)] = []
        entities += self.subscribers.map { ($0.key, SessionMessages.subscriber($0.key, $0.value)) }
        entities += self.queryables.map { ($0.key, SessionMessages.queryable($0.key, $0.value.key, complete: $0.value.isComplete)) }
        entities += self.tokens.map { ($0.key, SessionMessages.token($0.key, $0.value)) }
        guard self.isPeer else {
            var actions = entities.sorted { $0.0 < $1.0 }.map { $0.1.to(faceID) }
            for (id, subscriber) in self.livelinessSubscribers.sorted(by: { $0.key < $1.key }) {
                let mode: NetworkMessage.Interest.Mode = subscriber.history ? .currentFuture : .future
                actions.append(SessionMessages.livelinessInterest(id, subscriber.key, mode: mode).to(faceID))
            }
            return actions
        }
        guard !face.isClient else { return [] }
        for (otherID, other) in self.faces.sorted(by: { $0.key < $1.key }) where otherID != faceID && other.isClient {
            for entity in other.entities {
                entities.append(self.routedDeclaration(entity, of: otherID))
            }
        }
        var actions = entities.sorted { $0.0 < $1.0 }.map { $0.1.to(faceID) }
        actions.append(SessionMessages.declare(.final(FinalDeclaration()), interestID: Self.initialInterestID).to(faceID))
        return actions
    }

    /// The implicit "initial interest" peers answer right after open.
    static let initialInterestID: UInt32 = 0

    /// The id under which a remote entity is re-declared to other faces (allocated on first use).
    mutating func routedID(_ entity: RemoteEntity) -> UInt32 {
        if let id = self.routedIDs[entity] { return id }
        let id = self.allocateEntityID()
        self.routedIDs[entity] = id
        return id
    }

    /// The declaration of a remote entity under its routed id (with `interestID` when answering an Interest).
    mutating func routedDeclaration(
        _ entity: (kind: EntityKind, id: UInt32, key: KeyExpr, isComplete: Bool), of faceID: UInt64,
        interestID: UInt32? = nil
    ) -> (UInt32, OutboundMessage) {
        let routed = self.routedID(RemoteEntity(face: faceID, kind: entity.kind, id: entity.id))
        switch entity.kind {
        case .subscriber: return (routed, SessionMessages.subscriber(routed, entity.key, interestID: interestID))
        case .queryable:
            return (routed, SessionMessages.queryable(routed, entity.key, complete: entity.isComplete, interestID: interestID))
        case .token: return (routed, SessionMessages.token(routed, entity.key, interestID: interestID))
        }
    }

    /// A remote entity appeared or went (peer mode): re-declare it, under its routed id, to every other face
    /// allowed and interested.
    mutating func propagate(
        _ entity: RemoteEntity, key: KeyExpr, isComplete: Bool = false, declared: Bool
    ) -> [SessionAction] {
        guard self.isPeer, let origin = self.faces[entity.face] else { return [] }
        let targets = self.faces.sorted { $0.key < $1.key }.compactMap { id, face -> UInt64? in
            guard id != entity.face, self.mayForward(from: origin, to: face) else { return nil }
            return (!face.isClient || face.interests(wanting: entity.kind, key)) ? id : nil
        }
        guard !targets.isEmpty || !declared else {
            self.routedIDs[entity] = nil
            return []
        }
        let routed = self.routedID(entity)
        if !declared { self.routedIDs[entity] = nil }
        let message: OutboundMessage
        switch (entity.kind, declared) {
        case (.subscriber, true): message = SessionMessages.subscriber(routed, key)
        case (.queryable, true): message = SessionMessages.queryable(routed, key, complete: isComplete)
        case (.token, true): message = SessionMessages.token(routed, key)
        case (.subscriber, false): message = SessionMessages.declare(.undeclareSubscriber(EntityUndeclaration(id: routed)))
        case (.queryable, false):
            message = SessionMessages.declare(
                .undeclareQueryable(EntityUndeclaration(id: routed, wireExpr: SessionMessages.emptyUndeclareExpr)))
        case (.token, false):
            message = SessionMessages.declare(
                .undeclareToken(EntityUndeclaration(id: routed, wireExpr: SessionMessages.emptyUndeclareExpr)))
        }
        return targets.map { message.to($0) }
    }

    /// An Interest from `faceID` (a client, when we are a peer; rare from a router). Current part: our
    /// matching declarations and, in peer mode, those of the other faces allowed, each with the I flag; a
    /// Future part is remembered; every Interest that is not Final ends with D_FINAL.
    mutating func receivedInterest(_ interest: NetworkMessage.Interest, on faceID: UInt64) -> [SessionAction] {
        guard interest.mode != .final else {
            self.faces[faceID]?.interests[interest.interestID] = nil
            return []
        }
        let restriction = interest.wireExpr.flatMap { self.resolve($0, from: faceID) }
        let matches = { (key: KeyExpr) in restriction.map { $0.intersects(key) } ?? true }
        if interest.mode == .future || interest.mode == .currentFuture, self.isPeer {
            self.faces[faceID]?.interests[interest.interestID] = Face.Interest(key: restriction, options: interest.options)
        }
        var actions: [SessionAction] = []
        if interest.mode == .current || interest.mode == .currentFuture {
            let id = interest.interestID
            var answers: [(UInt32, OutboundMessage)] = []
            if interest.options.contains(.subscribers) {
                answers += self.subscribers.filter { matches($0.value) }.map {
                    ($0.key, SessionMessages.subscriber($0.key, $0.value, interestID: id))
                }
            }
            if interest.options.contains(.queryables) {
                answers += self.queryables.filter { matches($0.value.key) }.map {
                    ($0.key, SessionMessages.queryable($0.key, $0.value.key, complete: $0.value.isComplete, interestID: id))
                }
            }
            if interest.options.contains(.tokens) {
                answers += self.tokens.filter { matches($0.value) }.map {
                    ($0.key, SessionMessages.token($0.key, $0.value, interestID: id))
                }
            }
            if self.isPeer, let asking = self.faces[faceID] {
                for (otherID, other) in self.faces.sorted(by: { $0.key < $1.key }) where otherID != faceID {
                    guard self.mayForward(from: other, to: asking) else { continue }
                    for entity in other.entities
                    where interest.options.contains(entity.kind.interestOption) && matches(entity.key) {
                        answers.append(self.routedDeclaration(entity, of: otherID, interestID: id))
                    }
                }
            }
            actions = answers.sorted { $0.0 < $1.0 }.map { $0.1.to(faceID) }
        }
        actions.append(SessionMessages.declare(.final(FinalDeclaration()), interestID: interest.interestID).to(faceID))
        return actions
    }
}

extension Face {
    /// Every entity this remote declared, in a stable order.
    var entities: [(kind: EntityKind, id: UInt32, key: KeyExpr, isComplete: Bool)] {
        let subscribers = self.subscribers.sorted { $0.key < $1.key }.map {
            (kind: EntityKind.subscriber, id: $0.key, key: $0.value, isComplete: false)
        }
        let queryables = self.queryables.sorted { $0.key < $1.key }.map {
            (kind: EntityKind.queryable, id: $0.key, key: $0.value.key, isComplete: $0.value.isComplete)
        }
        let tokens = self.tokens.sorted { $0.key < $1.key }.map { (kind: EntityKind.token, id: $0.key, key: $0.value, isComplete: false) }
        return subscribers + queryables + tokens
    }
}

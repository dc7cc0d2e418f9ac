import NIOCore
import ZenohProtocol
import ZenohTransport

/// The session layer's state, as a pure value (house style G6): local declarations, pending queries, the
/// remotes (``Face``s) with what each declared, and the state of the dialled link. Events in,
/// ``SessionAction``s out; ``ZenohSession`` holds it in a `Mutex` and performs the actions outside the lock.
///
/// In client mode the only face is the router (or peer) the session dialled, and everything goes to it. In
/// peer mode (zenoh-protocol.md sections 13 and 17.2) there may be several faces — the peer we dialled and
/// the peers and clients that connected to our listener: declarations are pushed to peers followed by
/// `D_FINAL(0)`, publications and queries go only to faces that declared a match, clients' Interests are
/// answered as a router would, and traffic is forwarded for clients but never from one peer to another.
struct SessionStateMachine {
    /// A liveliness subscriber, remembering which remote tokens it was told about.
    struct LivelinessSubscriber: Equatable {
        var key: KeyExpr
        var history: Bool
        var deliveredTokens: Set<RemoteEntity> = []
    }

    /// A `get` or liveliness `get` waiting for its finals.
    struct PendingQuery: Equatable {
        var key: KeyExpr
        var acceptsAnyKey: Bool
        var deadline: ContinuousClock.Instant
        /// How replies are consolidated locally (never `.auto`: it is resolved when the get is sent).
        var consolidation: ConsolidationMode = .none
        var consolidator = ReplyConsolidator()
        /// The faces the request went to that have not sent their ResponseFinal yet.
        var awaitingFaces: Set<UInt64> = []
    }

    /// A Request received on a face, counted down as the local queryables and forwarded copies finish it.
    struct InboundRequestID: Hashable {
        var generation: UInt64
        var requestID: UInt32
    }

    enum ConnectionState: Equatable {
        /// No transport and no attempt under way (before open, between reconnect rounds, or for good).
        case disconnected
        /// An attempt with this generation is under way; `earlyClose` records a `.closed` that beat it.
        case connecting(generation: UInt64, earlyClose: ZenohError?)
        case connected(generation: UInt64, info: ZenohTransportInfo)
        case closed
    }

    /// The state of the link the session dials (the router in client mode, the `connect` peer in peer mode).
    var connection: ConnectionState = .disconnected
    /// The last generation number handed out; dialled links and accepted links share the sequence.
    var generation: UInt64 = 0
    var hasConnectedBefore = false
    /// Messages of the link being dialled that arrived before it was established (replayed then).
    var earlyMessages: [NetworkMessage] = []
    /// The most early messages held; a remote that floods before our dial returns loses the rest.
    static let earlyMessageLimit = 4096
    let reconnectsAutomatically: Bool
    /// Peer mode: declarations pushed to peers, routing by declarations, clients served as by a router.
    let isPeer: Bool
    /// Whether the session stopped for good (``closeRequested()``).
    var isClosed = false

    // Ids we allocate. One counter for subscribers, queryables and tokens, as the Rust session does; entities
    // of clients that we re-declare to others take ids from it too.
    var nextEntityID: UInt32 = 1
    var nextRequestID: UInt32 = 1
    var nextInterestID: UInt32 = 1

    /// Where publications arriving on a face with a wire expression go, remembered so that a stream of samples
    /// on one key is not re-parsed and re-matched each time. Emptied whenever subscribers, faces or
    /// key-expression tables change.
    var pushRoutes = PushRouteCache()

    // Local declarations (re-sent after a reconnect).
    var subscribers: [UInt32: KeyExpr] = [:] {
        didSet { self.pushRoutes.removeAll() }
    }
    var queryables: [UInt32: Face.Queryable] = [:]
    var tokens: [UInt32: KeyExpr] = [:]
    var livelinessSubscribers: [UInt32: LivelinessSubscriber] = [:]

    /// The remotes with an established transport, by link generation.
    var faces: [UInt64: Face] = [:] {
        didSet { self.pushRoutes.removeAll() }
    }
    /// The ids under which entities of one face are re-declared to the others (peer mode).
    var routedIDs: [RemoteEntity: UInt32] = [:]

    // Queries in flight, both ways.
    var pendingQueries: [PendingQueryID: PendingQuery] = [:]
    var inboundRequests: [InboundRequestID: Int] = [:]
    /// Requests we forwarded (by the face they went to and our request id) and where they came from.
    var forwardedRequests: [InboundRequestID: InboundRequestID] = [:]

    init(reconnectsAutomatically: Bool = true, isPeer: Bool = false) {
        self.reconnectsAutomatically = reconnectsAutomatically
        self.isPeer = isPeer
    }

    var isConnected: Bool {
        if case .connected = self.connection { return true }
        return false
    }

    /// Whether at least one remote is reachable (the dialled link or, in peer mode, an accepted one).
    var hasRemotes: Bool { !self.faces.isEmpty }

    var connectedGeneration: UInt64? {
        if case .connected(let generation, _) = self.connection { return generation }
        return nil
    }

    var transportInfo: ZenohTransportInfo? {
        if case .connected(_, let info) = self.connection { return info }
        return nil
    }

    /// `messages` to the dialled link when it is up, nothing otherwise (client mode: declarations are
    /// recorded and sent on (re)connect).
    func toUplink(_ messages: OutboundMessage...) -> [SessionAction] {
        guard let uplink = self.connectedGeneration else { return [] }
        return messages.map { $0.to(uplink) }
    }

    mutating func allocateEntityID() -> UInt32 {
        defer { self.nextEntityID &+= 1 }
        return self.nextEntityID
    }

    mutating func allocateRequestID() -> UInt32 {
        defer { self.nextRequestID &+= 1 }
        return self.nextRequestID
    }

    mutating func allocateInterestID() -> UInt32 {
        defer { self.nextInterestID &+= 1 }
        return self.nextInterestID
    }

    // MARK: Local declarations

    mutating func subscriberDeclared(_ key: KeyExpr) -> (id: UInt32, actions: [SessionAction]) {
        let id = self.allocateEntityID()
        self.subscribers[id] = key
        return (id, self.announce(SessionMessages.subscriber(id, key), kind: .subscriber, key))
    }

    mutating func subscriberUndeclared(_ id: UInt32) -> [SessionAction] {
        guard let key = self.subscribers.removeValue(forKey: id) else { return [] }
        let message = SessionMessages.declare(.undeclareSubscriber(EntityUndeclaration(id: id)))
        return self.announce(message, kind: .subscriber, key)
    }

    mutating func queryableDeclared(_ key: KeyExpr, isComplete: Bool) -> (id: UInt32, actions: [SessionAction]) {
        let id = self.allocateEntityID()
        self.queryables[id] = Face.Queryable(key: key, isComplete: isComplete)
        return (id, self.announce(SessionMessages.queryable(id, key, complete: isComplete), kind: .queryable, key))
    }

    mutating func queryableUndeclared(_ id: UInt32) -> [SessionAction] {
        guard let queryable = self.queryables.removeValue(forKey: id) else { return [] }
        let undeclaration = EntityUndeclaration(id: id, wireExpr: SessionMessages.emptyUndeclareExpr)
        return self.announce(SessionMessages.declare(.undeclareQueryable(undeclaration)), kind: .queryable, queryable.key)
    }

    mutating func tokenDeclared(_ key: KeyExpr) -> (id: UInt32, actions: [SessionAction]) {
        let id = self.allocateEntityID()
        self.tokens[id] = key
        return (id, self.announce(SessionMessages.token(id, key), kind: .token, key))
    }

    mutating func tokenUndeclared(_ id: UInt32) -> [SessionAction] {
        guard let key = self.tokens.removeValue(forKey: id) else { return [] }
        let undeclaration = EntityUndeclaration(id: id, wireExpr: SessionMessages.emptyUndeclareExpr)
        return self.announce(SessionMessages.declare(.undeclareToken(undeclaration)), kind: .token, key)
    }

    /// A liveliness subscriber. Client mode: Interest CurrentFuture (history) or Future, options K+T, on
    /// `key`. Peer mode: no Interest (peers push their tokens); with `history`, the tokens known now.
    mutating func livelinessSubscriberDeclared(_ key: KeyExpr, history: Bool) -> (id: UInt32, actions: [SessionAction]) {
        let id = self.allocateInterestID()
        guard self.isPeer else {
            self.livelinessSubscribers[id] = LivelinessSubscriber(key: key, history: history)
            return (id, self.toUplink(SessionMessages.livelinessInterest(id, key, mode: history ? .currentFuture : .future)))
        }
        var subscriber = LivelinessSubscriber(key: key, history: history)
        var actions: [SessionAction] = []
        if history {
            for (token, tokenKey) in self.remoteTokens(matching: key) {
                subscriber.deliveredTokens.insert(token)
                actions.append(.deliverLivelinessSample(ZenohSample(kind: .put, key: tokenKey), subscriberIDs: [id]))
            }
        }
        self.livelinessSubscribers[id] = subscriber
        return (id, actions)
    }

    mutating func livelinessSubscriberUndeclared(_ id: UInt32) -> [SessionAction] {
        guard self.livelinessSubscribers.removeValue(forKey: id) != nil, !self.isPeer else { return [] }
        return self.toUplink(SessionMessages.finalInterest(id))
    }

    // MARK: Publications

    /// A put or delete by this session: delivered to matching local subscribers and sent to the router
    /// (client mode) or to every face that wants it (peer mode).
    mutating func published(
        _ key: KeyExpr, body: NetworkMessage.Push.Body, options: ZenohPublicationOptions
    ) -> [SessionAction] {
        let wire = SessionMessages.wire(key)
        let push = NetworkMessage.push(.init(wireExpr: wire, qos: options.qos, body: body))
        let route = self.localRoute(key, wire: wire)
        var actions: [SessionAction]
        if self.isPeer {
            actions = route.forwardTo.map { .send(push, options.sendOptions, face: $0) }
        } else if case .connected(let uplink, _) = self.connection {
            actions = [.send(push, options.sendOptions, face: uplink)]
        } else {
            actions = []
        }
        if !route.subscriberIDs.isEmpty {
            actions.append(.deliverSample(ZenohSample(key: key, body: body, qos: options.qos), subscriberIDs: route.subscriberIDs))
        }
        return actions
    }

    /// Where a publication made here on `key` goes: the local subscribers and (peer mode) the faces, matched once
    /// per key and remembered until declarations or faces change, not matched again on every put.
    private mutating func localRoute(_ key: KeyExpr, wire: WireExpr) -> PushRouteCache.Route {
        let routeKey = PushRouteCache.Key(face: PushRouteCache.publishedHere, wire: wire)
        if let known = self.pushRoutes[routeKey] { return known }
        let route = PushRouteCache.Route(
            key: key, subscriberIDs: self.subscribers.filter { $0.value.intersects(key) }.keys.sorted(),
            forwardTo: self.isPeer ? self.pushTargets(for: key, from: nil) : [])
        self.pushRoutes[routeKey] = route
        return route
    }

    // MARK: Key resolution

    /// The key a wire expression from `face` stands for: scope 0, an id that face declared (M=1) or one we
    /// declared (M=0; this session declares none).
    func resolve(_ wire: WireExpr, from face: UInt64) -> KeyExpr? {
        var text = wire.suffix
        if wire.scope != 0 {
            guard wire.isSenderMapping, let prefix = self.faces[face]?.keyExprs[wire.scope] else { return nil }
            text = prefix + wire.suffix
        }
        return try? KeyExpr(autocanonizing: text)
    }

    /// Every token a remote declared on a key intersecting `key`, in a stable order.
    func remoteTokens(matching key: KeyExpr) -> [(RemoteEntity, KeyExpr)] {
        self.faces.sorted { $0.key < $1.key }.flatMap { faceID, face in
            face.tokens.sorted { $0.key < $1.key }.compactMap { id, tokenKey in
                key.intersects(tokenKey) ? (RemoteEntity(face: faceID, kind: .token, id: id), tokenKey) : nil
            }
        }
    }
}

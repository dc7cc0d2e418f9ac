import NIOCore
import ZenohProtocol
import ZenohTransport

/// The session layer's state, as a pure value (house style G6): local declarations, pending queries,
/// the remote key-expression and entity tables, and the link state. Events in, ``SessionAction``s out;
/// ``ZenohSession`` holds it in a `Mutex` and performs the actions outside the lock.
struct SessionStateMachine {
    /// A liveliness subscriber: an Interest (T) on `key`, remembering which remote tokens it was told about.
    struct LivelinessSubscriber: Equatable {
        var key: KeyExpr
        var history: Bool
        var deliveredTokens: Set<UInt32> = []
    }

    /// A `get` or liveliness `get` waiting for its final.
    struct PendingQuery: Equatable {
        var key: KeyExpr
        var acceptsAnyKey: Bool
        var deadline: ContinuousClock.Instant
        /// How replies are consolidated locally (never `.auto`: it is resolved when the get is sent).
        var consolidation: ConsolidationMode = .none
        var consolidator = ReplyConsolidator()
    }

    /// A Request from the router, counted down as the local queryables it went to finish it.
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

    var connection: ConnectionState = .disconnected
    var generation: UInt64 = 0
    var hasConnectedBefore = false
    let reconnectsAutomatically: Bool

    // Ids we allocate. One counter for subscribers, queryables and tokens, as the Rust session does.
    var nextEntityID: UInt32 = 1
    var nextRequestID: UInt32 = 1
    var nextInterestID: UInt32 = 1

    // Local declarations (re-sent after a reconnect).
    /// Where publications on a wire expression go (its key and the matching subscribers), remembered so that a
    /// stream of samples on one key is not re-parsed and re-matched each time. Emptied whenever subscribers or
    /// key-expression tables change.
    var pushRoutes = PushRouteCache()
    var subscribers: [UInt32: KeyExpr] = [:] {
        didSet { self.pushRoutes.removeAll() }
    }
    var queryables: [UInt32: (key: KeyExpr, isComplete: Bool)] = [:]
    var tokens: [UInt32: KeyExpr] = [:]
    var livelinessSubscribers: [UInt32: LivelinessSubscriber] = [:]

    // Queries in flight, both ways.
    var pendingQueries: [PendingQueryID: PendingQuery] = [:]
    var inboundRequests: [InboundRequestID: Int] = [:]

    // Per-transport tables of the remote side (cleared when the link goes).
    var remoteKeyExprs: [UInt16: String] = [:] {
        didSet { self.pushRoutes.removeAll() }
    }
    var remoteTokens: [UInt32: KeyExpr] = [:]
    var remoteSubscribers: [UInt32: KeyExpr] = [:]
    var remoteQueryables: [UInt32: KeyExpr] = [:]
    /// Key-expression ids we declared (for M=0 references). This session sends full keys, so it stays empty.
    var localKeyExprs: [UInt16: String] = [:] {
        didSet { self.pushRoutes.removeAll() }
    }

    init(reconnectsAutomatically: Bool = true) {
        self.reconnectsAutomatically = reconnectsAutomatically
    }

    var isConnected: Bool {
        if case .connected = self.connection { return true }
        return false
    }

    var connectedGeneration: UInt64? {
        if case .connected(let generation, _) = self.connection { return generation }
        return nil
    }

    var transportInfo: ZenohTransportInfo? {
        if case .connected(_, let info) = self.connection { return info }
        return nil
    }

    /// `actions` when connected, nothing otherwise (declarations are recorded and sent on (re)connect).
    func whenConnected(_ actions: SessionAction...) -> [SessionAction] {
        self.isConnected ? actions : []
    }

    private mutating func allocateEntityID() -> UInt32 {
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
        return (id, self.whenConnected(SessionMessages.subscriber(id, key)))
    }

    mutating func subscriberUndeclared(_ id: UInt32) -> [SessionAction] {
        guard self.subscribers.removeValue(forKey: id) != nil else { return [] }
        return self.whenConnected(SessionMessages.declare(.undeclareSubscriber(EntityUndeclaration(id: id))))
    }

    mutating func queryableDeclared(_ key: KeyExpr, isComplete: Bool) -> (id: UInt32, actions: [SessionAction]) {
        let id = self.allocateEntityID()
        self.queryables[id] = (key, isComplete)
        return (id, self.whenConnected(SessionMessages.queryable(id, key, complete: isComplete)))
    }

    mutating func queryableUndeclared(_ id: UInt32) -> [SessionAction] {
        guard self.queryables.removeValue(forKey: id) != nil else { return [] }
        let undeclaration = EntityUndeclaration(id: id, wireExpr: SessionMessages.emptyUndeclareExpr)
        return self.whenConnected(SessionMessages.declare(.undeclareQueryable(undeclaration)))
    }

    mutating func tokenDeclared(_ key: KeyExpr) -> (id: UInt32, actions: [SessionAction]) {
        let id = self.allocateEntityID()
        self.tokens[id] = key
        return (id, self.whenConnected(SessionMessages.token(id, key)))
    }

    mutating func tokenUndeclared(_ id: UInt32) -> [SessionAction] {
        guard self.tokens.removeValue(forKey: id) != nil else { return [] }
        let undeclaration = EntityUndeclaration(id: id, wireExpr: SessionMessages.emptyUndeclareExpr)
        return self.whenConnected(SessionMessages.declare(.undeclareToken(undeclaration)))
    }

    /// A liveliness subscriber: Interest CurrentFuture (history) or Future, options K+T, on `key`.
    mutating func livelinessSubscriberDeclared(_ key: KeyExpr, history: Bool) -> (id: UInt32, actions: [SessionAction]) {
        let id = self.allocateInterestID()
        self.livelinessSubscribers[id] = LivelinessSubscriber(key: key, history: history)
        return (id, self.whenConnected(SessionMessages.livelinessInterest(id, key, mode: history ? .currentFuture : .future)))
    }

    mutating func livelinessSubscriberUndeclared(_ id: UInt32) -> [SessionAction] {
        guard self.livelinessSubscribers.removeValue(forKey: id) != nil else { return [] }
        return self.whenConnected(SessionMessages.finalInterest(id))
    }

    /// Every declaration, in id order, for a fresh transport.
    func redeclarations() -> [SessionAction] {
        var entities: [(UInt32, SessionAction)] = []
        entities += self.subscribers.map { ($0.key, SessionMessages.subscriber($0.key, $0.value)) }
        entities += self.queryables.map { ($0.key, SessionMessages.queryable($0.key, $0.value.key, complete: $0.value.isComplete)) }
        entities += self.tokens.map { ($0.key, SessionMessages.token($0.key, $0.value)) }
        var actions = entities.sorted { $0.0 < $1.0 }.map(\.1)
        for (id, subscriber) in self.livelinessSubscribers.sorted(by: { $0.key < $1.key }) {
            actions.append(SessionMessages.livelinessInterest(id, subscriber.key, mode: subscriber.history ? .currentFuture : .future))
        }
        return actions
    }

    // MARK: Publications

    /// A put or delete by this session: sent when connected, and delivered to matching local subscribers.
    func published(
        _ key: KeyExpr, body: NetworkMessage.Push.Body, options: ZenohPublicationOptions
    ) -> [SessionAction] {
        var actions = self.whenConnected(
            .send(.push(.init(wireExpr: SessionMessages.wire(key), qos: options.qos, body: body)), options.sendOptions))
        let local = self.subscribers.filter { $0.value.intersects(key) }.keys.sorted()
        if !local.isEmpty {
            actions.append(.deliverSample(ZenohSample(key: key, body: body, qos: options.qos), subscriberIDs: local))
        }
        return actions
    }

    // MARK: Key resolution

    /// The key a wire expression stands for: scope 0, an id the remote declared (M=1) or one we declared (M=0).
    func resolve(_ wire: WireExpr) -> KeyExpr? {
        var text = wire.suffix
        if wire.scope != 0 {
            let table = wire.isSenderMapping ? self.remoteKeyExprs : self.localKeyExprs
            guard let prefix = table[wire.scope] else { return nil }
            text = prefix + wire.suffix
        }
        return try? KeyExpr(autocanonizing: text)
    }

    mutating func remoteKeyExprDeclared(_ id: UInt16, _ text: String) {
        self.remoteKeyExprs[id] = text
    }
}

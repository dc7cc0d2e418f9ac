import ZenohProtocol
import ZenohTransport

/// One remote the session has a transport with (house style G6: plain value inside the state machine): the
/// uplink a client or peer connected to, or a peer or client that connected to our listener. It holds what
/// that remote told us — its key-expression ids and its subscribers, queryables and tokens — and, for a
/// client, the Interests it is waiting on. Faces are named by the generation number of their link.
struct Face: Equatable {
    /// A queryable the remote declared.
    struct Queryable: Equatable {
        var key: KeyExpr
        var isComplete: Bool
    }

    /// A Future (or CurrentFuture) Interest of a client: later matching declarations are sent to it.
    struct Interest: Equatable {
        var key: KeyExpr?
        var options: NetworkMessage.Interest.Options

        func wants(_ kind: EntityKind, _ key: KeyExpr) -> Bool {
            guard self.options.contains(kind.interestOption) else { return false }
            return self.key.map { $0.intersects(key) } ?? true
        }
    }

    let info: ZenohTransportInfo
    /// Whether this face is the link the session dialled (client mode: its only face).
    let isUplink: Bool

    var keyExprs: [UInt16: String] = [:]
    var subscribers: [UInt32: KeyExpr] = [:]
    var queryables: [UInt32: Queryable] = [:]
    var tokens: [UInt32: KeyExpr] = [:]
    var interests: [UInt32: Interest] = [:]
    /// A peer's `DECLARE(I=0) D_FINAL`: until it arrives the remote's declarations may be incomplete, so
    /// publications are sent to it unfiltered (as Rust peers do).
    var hasDeclaredEverything = false

    init(info: ZenohTransportInfo, isUplink: Bool) {
        self.info = info
        self.isUplink = isUplink
    }

    /// Routers and peers route for themselves; clients rely on us.
    var isClient: Bool { self.info.remoteWhatAmI == .client }

    func hasSubscriber(matching key: KeyExpr) -> Bool {
        self.subscribers.values.contains { $0.intersects(key) }
    }

    func hasQueryable(matching key: KeyExpr, target: QueryTarget) -> Bool {
        self.queryables.values.contains { $0.key.intersects(key) && (target != .allComplete || $0.isComplete) }
    }

    func interests(wanting kind: EntityKind, _ key: KeyExpr) -> Bool {
        self.interests.values.contains { $0.wants(kind, key) }
    }
}

/// The kinds of entity a remote declares.
enum EntityKind: Hashable, Sendable {
    case subscriber, queryable, token

    var interestOption: NetworkMessage.Interest.Options {
        switch self {
        case .subscriber: .subscribers
        case .queryable: .queryables
        case .token: .tokens
        }
    }
}

/// An entity a remote declared, named by its face and the remote's own id.
struct RemoteEntity: Hashable, Sendable, Comparable {
    var face: UInt64
    var kind: EntityKind
    var id: UInt32

    static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.face, lhs.id, "\(lhs.kind)") < (rhs.face, rhs.id, "\(rhs.kind)")
    }
}

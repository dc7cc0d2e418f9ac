import ZenohProtocol

/// A bounded memo of where publications arriving on one face (or made here, ``publishedHere``) with one wire
/// expression go: the key it resolves to, the local subscribers that match it and the faces it is forwarded to. The owner empties it whenever
/// subscribers, faces or key-expression tables change.
struct PushRouteCache: Sendable {
    struct Key: Hashable, Sendable {
        var face: UInt64
        var wire: WireExpr
    }

    struct Route: Sendable {
        var key: KeyExpr
        var subscriberIDs: [UInt32]
        var forwardTo: [UInt64]
    }

    /// The face of publications made by this session itself (no link has this generation).
    static let publishedHere = UInt64.max

    /// The most wire expressions remembered; past that the memo starts over (a publisher using ever-new keys
    /// must not grow it without bound).
    static let capacity = 1_024

    private var routes: [Key: Route] = [:]

    subscript(key: Key) -> Route? {
        get { self.routes[key] }
        set {
            if newValue != nil, self.routes.count >= Self.capacity { self.routes.removeAll(keepingCapacity: true) }
            self.routes[key] = newValue
        }
    }

    mutating func removeAll() {
        if !self.routes.isEmpty { self.routes.removeAll() }
    }
}

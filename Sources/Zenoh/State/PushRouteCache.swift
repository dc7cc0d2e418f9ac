import ZenohProtocol

/// A bounded memo of where publications on one wire expression go: the key it resolves to and the local
/// subscribers that match it. The owner empties it whenever subscribers or key-expression tables change.
struct PushRouteCache: Sendable {
    struct Route: Sendable {
        var key: KeyExpr
        var subscriberIDs: [UInt32]
    }

    /// The most wire expressions remembered; past that the memo starts over (a publisher using ever-new keys
    /// must not grow it without bound).
    static let capacity = 1_024

    private var routes: [WireExpr: Route] = [:]

    subscript(wire: WireExpr) -> Route? {
        get { self.routes[wire] }
        set {
            if newValue != nil, self.routes.count >= Self.capacity { self.routes.removeAll(keepingCapacity: true) }
            self.routes[wire] = newValue
        }
    }

    mutating func removeAll() {
        if !self.routes.isEmpty { self.routes.removeAll() }
    }
}

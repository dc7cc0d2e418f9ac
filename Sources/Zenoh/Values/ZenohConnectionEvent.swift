public import ZenohTransport

/// A change of the session's link to its router, from ``ZenohSession/connectionEvents``.
public enum ZenohConnectionEvent: Sendable, Hashable {
    /// The session opened its first transport.
    case connected(ZenohTransportInfo)
    /// The transport was lost (not by ``ZenohSession/close()``); the session is reconnecting if allowed.
    case disconnected(ZenohError)
    /// A new transport replaced a lost one and every declaration was sent again.
    case reconnected(ZenohTransportInfo)
}

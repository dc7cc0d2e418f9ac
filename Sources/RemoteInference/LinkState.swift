/// Where the robot's connection to its policy server stands (the seed's fail-safe state machine).
public enum LinkState: String, Sendable, Hashable, CustomStringConvertible {
    /// Handshaking with the server; the robot has not moved yet.
    case connecting = "CONNECTING"
    /// Chunks arrive in time.
    case streaming = "STREAMING"
    /// A request timed out while the buffer still holds actions: the robot rides its buffer.
    case degraded = "DEGRADED"
    /// The buffer ran dry: the fallback (hold / repeat_last / zero) drives the robot.
    case stalled = "STALLED"
    /// Re-handshaking with exponential backoff.
    case reconnecting = "RECONNECTING"
    /// Given up (offline too long, or the server changed model): the rollout shuts down.
    case dead = "DEAD"

    public var description: String { rawValue }
}

/// The fail-safe timing settings (`--inference.*`), in seconds.
public struct FailSafeConfiguration: Sendable, Hashable {
    public var degradedAfter: Double
    public var maxActionAge: Double
    public var requestTimeout: Double
    public var reconnectInitialBackoff: Double
    public var reconnectMaxBackoff: Double
    public var maxOffline: Double

    /// LeRobot's defaults.
    public init(
        degradedAfter: Double = 1.0, maxActionAge: Double = 3.0, requestTimeout: Double = 5.0,
        reconnectInitialBackoff: Double = 0.5, reconnectMaxBackoff: Double = 10.0, maxOffline: Double = 60.0
    ) {
        self.degradedAfter = degradedAfter
        self.maxActionAge = maxActionAge
        self.requestTimeout = requestTimeout
        self.reconnectInitialBackoff = reconnectInitialBackoff
        self.reconnectMaxBackoff = reconnectMaxBackoff
        self.maxOffline = maxOffline
    }
}

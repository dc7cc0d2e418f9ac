public import PolicyWire

/// The engine's counters (LeRobot's `requests, timeouts, merges, stale_drops, fallback_ticks, reconnects`
/// and ours), and the latency summary.
public struct EngineStats: Sendable, Hashable {
    /// Observations published.
    public var requests = 0
    /// Requests that got no chunk within the request timeout.
    public var timeouts = 0
    /// Chunks merged into the buffer.
    public var merges = 0
    /// Times buffered actions were dropped as older than `max_action_age_s`.
    public var staleDrops = 0
    /// Ticks served by the fallback (`repeat_last`, `zero`).
    public var fallbackTicks = 0
    /// Ticks with no action at all (buffer empty, `hold`).
    public var emptyTicks = 0
    /// Ticks served from the buffer.
    public var bufferedTicks = 0
    /// Successful re-handshakes.
    public var reconnects = 0
    /// Chunks dropped because their epoch, episode or sequence number was not the one awaited.
    public var lateChunksDropped = 0
    /// Chunks dropped on arrival by cause (no or bad header, other schema version, malformed body).
    public var dropped = DropCounts()
    /// Resets (episode boundaries).
    public var resets = 0
    /// Round-trip latency of merged chunks (seconds): median, 99th percentile, maximum since start.
    public var latencyP50 = 0.0
    public var latencyP99 = 0.0
    public var latencyMax = 0.0
    /// The last merged chunk's round trip.
    public var lastLatency = 0.0
    /// Whether the session runs with RTC (granted by the server).
    public var rtcActive = false
    /// Chunk transitions: at each merge over a non-empty buffer, the largest |Δ| (robot units) between the action the
    /// old buffer had planned for the next tick and the one the merged buffer gives for it. Small with RTC (the new
    /// chunk continues the leftover); an independent chunk jumps.
    public var transitionCount = 0
    public var transitionJumpSum = 0.0
    public var transitionJumpMax = 0.0
    /// Every state change, with the monotonic time (s) since the engine started.
    public var transitions: [Transition] = []

    public struct Transition: Sendable, Hashable {
        public var seconds: Double
        public var state: LinkState
    }

    /// Mean of the chunk-transition jumps (0 before the first transition).
    public var transitionJumpMean: Double { transitionCount > 0 ? transitionJumpSum / Double(transitionCount) : 0 }

    mutating func noteTransition(jump: Double) {
        transitionCount += 1
        transitionJumpSum += jump
        transitionJumpMax = max(transitionJumpMax, jump)
    }

    public init() {}
}

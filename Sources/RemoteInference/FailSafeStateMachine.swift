/// The robot-side fail-safe state machine, pure: events in (with the monotonic time they happened, in
/// seconds), actions out. The engine owns the I/O; tests drive this with an explicit clock.
///
/// CONNECTING → STREAMING → DEGRADED → STALLED → RECONNECTING → DEAD, as the seed's fail-safe table describes.
public struct FailSafeStateMachine: Sendable, Hashable {
    /// What the engine must do after an event.
    public enum Action: Sendable, Hashable {
        case none
        /// Log (once) that no fresh chunk arrived for `degraded_after_s`.
        case warnDegraded(secondsWithoutChunk: Double)
        /// Start reconnecting (server liveliness lost, or offline ≥ 2 × request timeout).
        case reconnect
        /// Wait this long, then make reconnect attempt number `attempt` (the epoch is already bumped).
        case attemptReconnect(afterSeconds: Double, epoch: UInt32)
        /// Stop the rollout: the reason is shown to the operator.
        case die(reason: String)
    }

    public let configuration: FailSafeConfiguration
    public private(set) var state: LinkState = .connecting
    /// Bumped on every (re)connect attempt; chunks of an older epoch are dropped.
    public private(set) var epoch: UInt32 = 0
    public private(set) var offlineSince: Double?
    public private(set) var lastChunkAt: Double?
    public private(set) var backoff: Double
    public private(set) var reconnects = 0
    public private(set) var timeouts = 0
    private var warnedDegraded = false

    public init(configuration: FailSafeConfiguration) {
        self.configuration = configuration
        self.backoff = configuration.reconnectInitialBackoff
    }

    /// The first handshake, or a reconnect attempt, succeeded.
    public mutating func handshakeSucceeded(at now: Double) -> Action {
        guard state != .dead else { return .none }
        if state == .reconnecting { reconnects += 1 }
        state = .streaming
        backoff = configuration.reconnectInitialBackoff
        return .none
    }

    /// A chunk was merged into the buffer.
    public mutating func chunkMerged(at now: Double) -> Action {
        guard state != .dead else { return .none }
        lastChunkAt = now
        offlineSince = nil
        warnedDegraded = false
        state = .streaming
        return .none
    }

    /// The in-flight request got no chunk within the request timeout.
    public mutating func requestTimedOut(at now: Double, bufferHasActions: Bool, serverAlive: Bool) -> Action {
        guard state != .dead, state != .reconnecting else { return .none }
        timeouts += 1
        let since = offlineSince ?? now
        offlineSince = since
        state = bufferHasActions ? .degraded : .stalled
        if now - since > configuration.maxOffline {
            return die("offline for \((10 * (now - since)).rounded(.down) / 10) s (max_offline_s=\(configuration.maxOffline))")
        }
        if !serverAlive || now - since >= 2 * configuration.requestTimeout {
            state = .reconnecting
            return .reconnect
        }
        let quiet = now - (lastChunkAt ?? since)
        if !warnedDegraded && quiet >= configuration.degradedAfter {
            warnedDegraded = true
            return .warnDegraded(secondsWithoutChunk: quiet)
        }
        return .none
    }

    /// The control loop found the buffer empty.
    public mutating func bufferRanDry() {
        if state == .degraded { state = .stalled }
    }

    /// The server's liveliness token disappeared.
    public mutating func serverLivelinessLost(at now: Double) -> Action {
        guard state != .dead, state != .reconnecting, state != .connecting else { return .none }
        offlineSince = offlineSince ?? now
        state = .reconnecting
        return .reconnect
    }

    /// Called before each reconnect attempt. `isPaused` keeps the offline clock from running (a pause never
    /// burns the offline budget). Returns when to try and with which epoch, or death.
    public mutating func nextReconnectAttempt(at now: Double, isPaused: Bool) -> Action {
        guard state != .dead else { return .none }
        state = .reconnecting
        if isPaused || offlineSince == nil { offlineSince = now }
        if let since = offlineSince, now - since > configuration.maxOffline {
            return die("offline for \((10 * (now - since)).rounded(.down) / 10) s (max_offline_s=\(configuration.maxOffline))")
        }
        let wait = backoff
        backoff = min(2 * backoff, configuration.reconnectMaxBackoff)
        epoch &+= 1
        return .attemptReconnect(afterSeconds: wait, epoch: epoch)
    }

    /// A reconnect found a server that serves another model or revision: never execute its chunks.
    public mutating func serverModelChanged(from old: String, to new: String) -> Action {
        die("Server model changed across reconnect (\(old) → \(new)) — refusing to execute wrong-model chunks")
    }

    /// A fatal error (handshake refusal, too many errors).
    public mutating func fatal(_ reason: String) -> Action { die(reason) }

    private mutating func die(_ reason: String) -> Action {
        state = .dead
        return .die(reason: reason)
    }
}

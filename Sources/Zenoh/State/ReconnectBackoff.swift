/// Delays between reconnect rounds: `initial`, doubling up to `maximum`, each spread by ±`jitter`.
struct ReconnectBackoff {
    private let policy: ZenohConfiguration.Reconnect
    private var current: Duration

    init(policy: ZenohConfiguration.Reconnect) {
        self.policy = policy
        self.current = policy.initialDelay
    }

    /// The next delay; `unit` is a random number in `0..<1` (injected for tests).
    mutating func nextDelay(unit: Double = Double.random(in: 0..<1)) -> Duration {
        let base = self.current
        self.current = min(self.current * 2, self.policy.maximumDelay)
        let spread = 1 + self.policy.jitter * (2 * unit - 1)
        return base * spread
    }

    /// A round succeeded: start from the initial delay next time.
    mutating func reset() {
        self.current = self.policy.initialDelay
    }
}

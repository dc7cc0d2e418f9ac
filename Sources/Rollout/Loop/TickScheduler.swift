/// Deadline-based pacing for the control loop: tick `k` is due at `start + k·period`, so sleeping never
/// accumulates drift. A tick that starts after its successor's deadline is an overrun: it is counted and
/// the schedule moves on from now (missed ticks are not replayed in a burst). Pure: times are passed in.
public struct TickScheduler: Sendable, Hashable {
    public let period: Double
    /// When the current tick was due.
    public private(set) var deadline: Double
    public private(set) var ticks = 0
    public private(set) var overruns = 0
    /// How late each tick started (s), for jitter percentiles; counted to the microsecond, bounded in memory.
    public private(set) var lateness = Histogram(unit: 1e-6)

    public init(period: Double, start: Double) {
        self.period = period
        self.deadline = start
    }

    /// Records that a tick started at `now`.
    public mutating func tickStarted(at now: Double) {
        ticks += 1
        lateness.record(max(0, now - deadline))
    }

    /// The tick's work ended at `now`: returns how long to sleep before the next one (0 when late).
    public mutating func tickEnded(at now: Double) -> Double {
        deadline += period
        if now > deadline {
            overruns += 1
            if now - deadline >= period { deadline = now }
            return 0
        }
        return deadline - now
    }

    /// The lateness percentile `q` (0...1) in seconds, nearest rank (to the microsecond, within 0.8 %).
    public func latenessPercentile(_ q: Double) -> Double { lateness.percentile(q) }
}

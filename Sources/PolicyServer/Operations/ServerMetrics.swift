public import PolicyWire
import Synchronization

/// The server's counters, exposed on `/metrics` with LeRobot's names, plus latency histograms as extras.
public final class ServerMetrics: Sendable {
    /// A snapshot of every value.
    public struct Snapshot: Sendable, Hashable {
        public var requestsTotal = 0
        public var errorsTotal = 0
        public var supersededTotal = 0
        public var droppedUnknownClientTotal = 0
        /// Every other message dropped on arrival, by cause.
        public var dropped = DropCounts()
        public var sessionsOpenedTotal = 0
        public var sessionsClosedTotal = 0
        public var activeSessions = 0
        public var maxSessions = 1
        public var queueWait = Histogram()
        public var inference = Histogram()

        /// `active / max`.
        public var serverLoad: Double { Double(activeSessions) / Double(max(1, maxSessions)) }
    }

    /// A cumulative latency histogram in milliseconds.
    public struct Histogram: Sendable, Hashable {
        public static let bounds: [Double] = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
        public private(set) var counts = [Int](repeating: 0, count: Histogram.bounds.count)
        public private(set) var count = 0
        public private(set) var sum = 0.0

        public init() {}

        mutating func observe(_ milliseconds: Double) {
            for (i, bound) in Self.bounds.enumerated() where milliseconds <= bound { counts[i] += 1 }
            count += 1
            sum += milliseconds
        }
    }

    private let state: Mutex<Snapshot>

    public init(maxSessions: Int) {
        var initial = Snapshot()
        initial.maxSessions = maxSessions
        state = Mutex(initial)
    }

    public var snapshot: Snapshot { state.withLock { $0 } }

    public func requestServed(queueWaitMs: Double, inferenceMs: Double) {
        state.withLock {
            $0.requestsTotal += 1
            $0.queueWait.observe(queueWaitMs)
            $0.inference.observe(inferenceMs)
        }
    }

    public func requestFailed() { state.withLock { $0.errorsTotal += 1 } }
    public func observationSuperseded() { state.withLock { $0.supersededTotal += 1 } }
    public func unknownClientDropped() { state.withLock { $0.droppedUnknownClientTotal += 1 } }
    /// Counts a dropped message; true for the first of its cause (the one to log).
    public func messageDropped(_ cause: DropCause) -> Bool { state.withLock { $0.dropped.count(cause) } }

    public func sessionOpened(active: Int) {
        state.withLock {
            $0.sessionsOpenedTotal += 1
            $0.activeSessions = active
        }
    }

    public func sessionClosed(active: Int) {
        state.withLock {
            $0.sessionsClosedTotal += 1
            $0.activeSessions = active
        }
    }

    /// The Prometheus text exposition (`text/plain; version=0.0.4`): one `lerobot_policy_server_<name> <value>`
    /// line per counter, then the histograms.
    public func render() -> String {
        let s = snapshot
        var out = ""
        func line(_ name: String, _ value: String) { out += "lerobot_policy_server_\(name) \(value)\n" }
        line("requests_total", "\(s.requestsTotal)")
        line("errors_total", "\(s.errorsTotal)")
        line("superseded_total", "\(s.supersededTotal)")
        line("dropped_unknown_client_total", "\(s.droppedUnknownClientTotal)")
        out += "# TYPE lerobot_policy_server_dropped_messages_total counter\n"
        for cause in DropCause.server {
            out += "lerobot_policy_server_dropped_messages_total{cause=\"\(cause.rawValue)\"} \(s.dropped[cause])\n"
        }
        line("sessions_opened_total", "\(s.sessionsOpenedTotal)")
        line("sessions_closed_total", "\(s.sessionsClosedTotal)")
        line("active_sessions", "\(s.activeSessions)")
        line("server_load", "\(s.serverLoad)")
        for (name, histogram) in [("queue_wait_ms", s.queueWait), ("inference_ms", s.inference)] {
            out += "# TYPE lerobot_policy_server_\(name) histogram\n"
            for (bound, count) in zip(Histogram.bounds, histogram.counts) {
                out += "lerobot_policy_server_\(name)_bucket{le=\"\(bound)\"} \(count)\n"
            }
            out += "lerobot_policy_server_\(name)_bucket{le=\"+Inf\"} \(histogram.count)\n"
            out += "lerobot_policy_server_\(name)_sum \(histogram.sum)\n"
            out += "lerobot_policy_server_\(name)_count \(histogram.count)\n"
        }
        return out
    }
}

/// Request latencies of the robot's session (seconds), with LeRobot's semantics (edge-semantics §1.4):
/// a window of the latest samples plus the maximum since the last reset, which a sliding window never lowers.
public struct LatencyTracker: Sendable, Hashable {
    public let capacity: Int
    private var window: [Double] = []
    private var head = 0
    /// The largest sample since the last ``reset()``; 0 when none.
    public private(set) var maximum: Double = 0

    public init(capacity: Int = 100) {
        self.capacity = max(1, capacity)
    }

    /// Adds a sample; negative values are ignored, zero is accepted.
    public mutating func add(_ seconds: Double) {
        guard seconds >= 0, seconds.isFinite else { return }
        if window.count < capacity {
            window.append(seconds)
        } else {
            window[head] = seconds
            head = (head + 1) % capacity
        }
        maximum = Swift.max(maximum, seconds)
    }

    public mutating func reset() {
        window.removeAll(keepingCapacity: true)
        head = 0
        maximum = 0
    }

    /// Samples in the window.
    public var count: Int { window.count }

    /// NumPy's default (linear) quantile of the window as float32; `q <= 0` is the window minimum and `q >= 1`
    /// the all-time maximum, as LeRobot defines them. 0 when empty.
    public func percentile(_ q: Double) -> Double {
        guard !window.isEmpty else { return 0 }
        if q <= 0 { return Double(Float(window.min() ?? 0)) }
        if q >= 1 { return maximum }
        let sorted = window.map { Float($0) }.sorted()
        let position = Float(q) * Float(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        let fraction = position - Float(lower)
        return Double(sorted[lower] + (sorted[upper] - sorted[lower]) * fraction)
    }

    public var p95: Double { percentile(0.95) }
}

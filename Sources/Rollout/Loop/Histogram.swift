/// A fixed-size histogram of non-negative values for percentiles over a run of any length: memory does not
/// grow with the number of samples. Values are counted in whole `unit`s (to the nearest), exactly below 256 units and then in
/// 128 steps per power of two (within 0.8 %), up to 2^26 units; larger values land in the last bucket.
/// Pure value type.
public struct Histogram: Sendable, Hashable {
    static let exact = 256
    static let steps = 128
    static let bucketCount = exact + 18 * steps

    /// The size of one count, e.g. 1e-6 for seconds counted in microseconds.
    public let unit: Double
    private var counts = [Int](repeating: 0, count: Histogram.bucketCount)
    public private(set) var count = 0
    public private(set) var maximum = 0.0

    public init(unit: Double) {
        self.unit = unit
    }

    public mutating func record(_ value: Double) {
        guard value.isFinite else { return }
        let clamped = max(0, value)
        counts[Self.index(UInt64(min((clamped / unit).rounded(), Double(UInt64(1) << 40))))] += 1
        count += 1
        maximum = max(maximum, clamped)
    }

    /// The nearest-rank percentile `q` (0...1): the largest value its bucket holds (at most the maximum), the
    /// exact maximum for `q = 1`, 0 when empty.
    public func percentile(_ q: Double) -> Double {
        guard count > 0 else { return 0 }
        if q >= 1 { return maximum }
        let rank = Int((max(0, q) * Double(count - 1)).rounded()) + 1
        var seen = 0
        for (index, n) in counts.enumerated() where n > 0 {
            seen += n
            if seen >= rank { return min(maximum, Double(Self.upperBound(index)) * unit) }
        }
        return maximum
    }

    static func index(_ units: UInt64) -> Int {
        if units < UInt64(exact) { return Int(units) }
        // `units >> shift` is in 128..<256.
        let shift = (63 - units.leadingZeroBitCount) - 7
        return min(bucketCount - 1, exact + (shift - 1) * steps + Int(units >> shift) - steps)
    }

    static func upperBound(_ index: Int) -> UInt64 {
        if index < exact { return UInt64(index) }
        let shift = (index - exact) / steps + 1
        let step = UInt64((index - exact) % steps + steps)
        return ((step + 1) << shift) - 1
    }
}

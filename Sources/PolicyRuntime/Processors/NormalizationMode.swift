/// LeRobot's `NormalizationMode`, with the exact float32 operation order of its normalizer so results match it
/// bit for bit (`processor/normalize_processor.py`).
public enum NormalizationMode: String, Sendable, Hashable, CaseIterable {
    case identity = "IDENTITY"
    case meanStd = "MEAN_STD"
    case minMax = "MIN_MAX"
    case quantiles = "QUANTILES"
    case quantile10 = "QUANTILE10"

    /// The two statistics a mode reads (`mean`/`std`, `min`/`max`, `q01`/`q99`, `q10`/`q90`); none for identity.
    public var statNames: (String, String)? {
        switch self {
        case .identity: nil
        case .meanStd: ("mean", "std")
        case .minMax: ("min", "max")
        case .quantiles: ("q01", "q99")
        case .quantile10: ("q10", "q90")
        }
    }
}

/// The statistics of one feature for one mode, expanded for broadcasting: `first`/`second` hold either one value
/// per element of the feature or one per channel (image stats `[C, 1, 1]`), with `inner` elements per value.
public struct FeatureNormalization: Sendable, Hashable {
    public var key: String
    public var mode: NormalizationMode
    var first: [Float]
    var second: [Float]
    /// Consecutive elements that share one statistic (H·W for per-channel image stats, 1 otherwise).
    var inner: Int
    var eps: Float

    /// `stats` maps a stat name to its values; `shape` is the feature's shape from the config.
    init(key: String, mode: NormalizationMode, shape: [Int], stats: [String: [Float]], eps: Float, source: String)
        throws(PolicyRuntimeError)
    {
        self.key = key
        self.mode = mode
        self.eps = eps
        guard let (a, b) = mode.statNames else {
            (first, second, inner) = ([], [], 1)
            return
        }
        guard let x = stats[a], let y = stats[b] else {
            throw PolicyRuntimeError(
                .invalidCheckpoint, "\(source): \(mode.rawValue) for '\(key)' needs the '\(key).\(a)' and '\(key).\(b)' statistics")
        }
        let total = shape.reduce(1, *)
        guard x.count == y.count, !x.isEmpty else {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(source): '\(key).\(a)' and '\(key).\(b)' differ in length")
        }
        if x.count == total {
            inner = 1
        } else if shape.count == 3, x.count == shape[0] {
            inner = shape[1] * shape[2]
        } else {
            throw PolicyRuntimeError(
                .invalidCheckpoint,
                "\(source): '\(key).\(a)' has \(x.count) values, which fits neither the feature shape \(shape) nor its channels")
        }
        first = x
        second = y
        if mode != .meanStd {
            // d = second − first, replaced by ε where exactly 0.
            second = zip(x, y).map { $1 - $0 == 0 ? eps : $1 - $0 }
        }
    }

    /// Normalizes `values` (one feature, row-major, possibly several rows of it) in place.
    public func normalize(_ values: UnsafeMutableBufferPointer<Float>) {
        apply(values) { x, a, b, eps, mode in
            switch mode {
            case .meanStd: (x - a) / (b + eps)
            case .minMax: 2 * (x - a) / b - 1
            case .quantiles, .quantile10: 2 * (x - a) / b - 1
            case .identity: x
            }
        }
    }

    /// Un-normalizes `values` in place.
    public func unnormalize(_ values: UnsafeMutableBufferPointer<Float>) {
        apply(values) { y, a, b, _, mode in
            switch mode {
            case .meanStd: y * b + a
            case .minMax: (y + 1) / 2 * b + a
            case .quantiles, .quantile10: (y + 1) * b / 2 + a
            case .identity: y
            }
        }
    }

    /// Convenience over arrays.
    public func normalized(_ values: [Float]) -> [Float] {
        var copy = values
        copy.withUnsafeMutableBufferPointer { normalize($0) }
        return copy
    }

    public func unnormalized(_ values: [Float]) -> [Float] {
        var copy = values
        copy.withUnsafeMutableBufferPointer { unnormalize($0) }
        return copy
    }

    @inline(__always)
    private func apply(
        _ values: UnsafeMutableBufferPointer<Float>, _ f: (Float, Float, Float, Float, NormalizationMode) -> Float
    ) {
        guard mode != .identity, !first.isEmpty else { return }
        let period = first.count * inner
        let mode = mode
        let eps = eps
        first.withUnsafeBufferPointer { a in
            second.withUnsafeBufferPointer { b in
                for i in 0..<values.count {
                    let s = (i % period) / inner
                    values[i] = f(values[i], a[s], b[s], eps, mode)
                }
            }
        }
    }
}

/// Real-time-chunking guidance settings (`rtc.*`; edge-semantics §2.6, §3.2): the prefix weight schedule, the clip on
/// the guidance weight and the execution horizon.
public struct RTCGuidance: Sendable, Hashable {
    public var schedule: PrefixAttentionSchedule
    /// `max_guidance_weight`: the guidance weight never exceeds it; must be positive.
    public var maxGuidanceWeight: Float
    /// `execution_horizon` `H`: rows of the prefix that guide the new chunk (cut to the prefix's length).
    public var executionHorizon: Int

    /// LeRobot's defaults: LINEAR, 10.0, 10.
    public init(schedule: PrefixAttentionSchedule = .linear, maxGuidanceWeight: Float = 10, executionHorizon: Int = 10)
        throws(FlowMatchingError)
    {
        guard maxGuidanceWeight > 0, maxGuidanceWeight.isFinite else {
            throw FlowMatchingError(.invalidConfiguration, "max_guidance_weight must be a positive number, got \(maxGuidanceWeight)")
        }
        guard executionHorizon >= 0 else {
            throw FlowMatchingError(.invalidConfiguration, "execution_horizon must not be negative, got \(executionHorizon)")
        }
        self.schedule = schedule
        self.maxGuidanceWeight = maxGuidanceWeight
        self.executionHorizon = executionHorizon
    }

    /// The guidance weight `g(t)` at flow time `t` (1 = noise, 0 = data), in float32 as LeRobot computes it:
    /// with `τ = 1 − t` (subtracted in double, then float32), `c = (1−τ)/τ` (+∞ → `G`),
    /// `g = c · ((1−τ)² + τ²)/(1−τ)²` (+∞ → `G`, NaN → 0), then `min(g, G)`.
    ///
    /// For `0 < t < 1` this is `min(G, (t² + (1−t)²) / (t(1−t)))`; `g(1) = G` (τ = 0) and `g(0) = 0` (0·∞).
    public static func guidanceWeight(time: Double, maxGuidanceWeight: Float) -> Float {
        let tau = Float(1 - time)
        let oneMinusTau = 1 - tau
        let squaredOneMinusTau = oneMinusTau * oneMinusTau
        let invR2 = (squaredOneMinusTau + tau * tau) / squaredOneMinusTau
        let c = nanToNumber(oneMinusTau / tau, positiveInfinity: maxGuidanceWeight)
        let g = nanToNumber(c * invR2, positiveInfinity: maxGuidanceWeight)
        return min(g, maxGuidanceWeight)
    }

    /// `torch.nan_to_num(x, posinf=…)`: NaN → 0, +∞ → `positiveInfinity`, −∞ → the lowest finite float.
    private static func nanToNumber(_ x: Float, positiveInfinity: Float) -> Float {
        if x.isNaN { return 0 }
        if x == .infinity { return positiveInfinity }
        if x == -.infinity { return -.greatestFiniteMagnitude }
        return x
    }

    /// ``guidanceWeight(time:maxGuidanceWeight:)`` with this configuration's clip.
    public func guidanceWeight(time: Double) -> Float {
        Self.guidanceWeight(time: time, maxGuidanceWeight: maxGuidanceWeight)
    }
}

/// One batch row's RTC inputs laid out for the sampler (edge-semantics §3.2 steps 2–4, §3.6 step 2): the prefix
/// zero-padded to the chunk (`[rows × dims]`), one weight per row, and the guidance clip.
public struct RTCGuide: Sendable, Hashable {
    /// `Y_pad`, row-major `[rows × dims]`: the prefix in its top-left `[prefixRows × prefixColumns]` block, zeros
    /// elsewhere.
    public let target: [Float]
    /// `W`, one per chunk row: `schedule.weights(start: delay, end: min(H, prefixRows), total: rows)`.
    public let weights: [Float]
    public let maxGuidanceWeight: Float
    public let rows: Int
    public let dims: Int

    /// Pads `prefix` (`[prefixRows × prefixColumns]`, row-major, model space) to `[rows × dims]` and builds its
    /// weights for `delay` (inference delay in control steps). The horizon is cut to the prefix length, as LeRobot
    /// does; a prefix longer than the chunk or wider than the sampled action fails, as LeRobot's shape assertion does.
    public init(
        prefix: [Float], prefixRows: Int, prefixColumns: Int, delay: Int, guidance: RTCGuidance, rows: Int, dims: Int
    ) throws(FlowMatchingError) {
        guard prefixRows >= 0, prefixColumns >= 0, prefix.count == prefixRows * prefixColumns else {
            throw FlowMatchingError(
                .invalidPrefix, "the RTC prefix has \(prefix.count) values, not \(prefixRows) rows × \(prefixColumns) columns")
        }
        guard prefixRows <= rows, prefixColumns <= dims else {
            throw FlowMatchingError(
                .invalidPrefix,
                "the RTC prefix is [\(prefixRows), \(prefixColumns)]; it must fit the chunk [\(rows), \(dims)] "
                    + "(execution_horizon \(guidance.executionHorizon) must not exceed the chunk size)")
        }
        guard delay >= 0 else {
            throw FlowMatchingError(.invalidPrefix, "the inference delay must not be negative, got \(delay)")
        }
        var target = [Float](repeating: 0, count: rows * dims)
        for i in 0..<prefixRows {
            for j in 0..<prefixColumns { target[i * dims + j] = prefix[i * prefixColumns + j] }
        }
        self.target = target
        self.weights = guidance.schedule.weights(
            start: delay, end: min(guidance.executionHorizon, prefixRows), total: rows)
        self.maxGuidanceWeight = guidance.maxGuidanceWeight
        self.rows = rows
        self.dims = dims
    }

    /// The guided velocity for one row of the batch (edge-semantics §3.2 steps 5–8), in place:
    /// `v ← v − g(t) · W ⊙ (Y − (x − t·v))`, float32 in LeRobot's operation order (`t·v` with `t` as float32).
    /// `velocity` and `sample` hold `[rows × dims]` values each.
    public func guide(_ velocity: inout [Float], sample: [Float], time: Double) {
        precondition(velocity.count == rows * dims && sample.count == rows * dims, "guide needs [rows × dims] buffers")
        velocity.withUnsafeMutableBufferPointer { v in
            sample.withUnsafeBufferPointer { x in guide(v, sample: x, time: time) }
        }
    }

    /// ``guide(_:sample:time:)`` over buffers (one row of a batch).
    public func guide(_ velocity: UnsafeMutableBufferPointer<Float>, sample: UnsafeBufferPointer<Float>, time: Double) {
        precondition(velocity.count == rows * dims && sample.count == rows * dims, "guide needs [rows × dims] buffers")
        let g = RTCGuidance.guidanceWeight(time: time, maxGuidanceWeight: maxGuidanceWeight)
        let t = Float(time)
        for i in 0..<rows {
            let w = weights[i]
            for j in 0..<dims {
                let k = i * dims + j
                let v = velocity[k]
                let predicted = sample[k] - t * v
                let error = (target[k] - predicted) * w
                velocity[k] = v - g * error
            }
        }
    }
}

/// Real-time chunking guidance for one robot (edge-semantics §3.2): the leftover of its previous chunk pulls
/// the rows of the new chunk it will still execute, weighted by a ``PrefixSchedule``, with a strength that
/// depends on the flow time. No backward pass is needed: LeRobot's correction equals the weighted error.
public struct RTCGuidance: Sendable, Hashable {
    /// The leftover rows in model space, row-major `[rows, actionDimension]` (rows ≤ the chunk length).
    public var prefix: [Float]
    public var prefixRows: Int
    public var actionDimension: Int
    /// Rows that will run before the new chunk arrives (the request's inference delay, ≥ 0).
    public var delay: Int
    /// The execution horizon `H` (capped by the prefix length).
    public var executionHorizon: Int
    public var schedule: PrefixSchedule
    /// `max_guidance_weight` (`G`).
    public var maxGuidanceWeight: Float

    public init(
        prefix: [Float], prefixRows: Int, actionDimension: Int, delay: Int, executionHorizon: Int,
        schedule: PrefixSchedule = .linear, maxGuidanceWeight: Float = 10
    ) {
        self.prefix = prefix
        self.prefixRows = prefixRows
        self.actionDimension = actionDimension
        self.delay = max(0, delay)
        self.executionHorizon = executionHorizon
        self.schedule = schedule
        self.maxGuidanceWeight = maxGuidanceWeight
    }

    /// The guidance strength at flow time `t` (1 = noise, 0 = data), computed as LeRobot does in float32:
    /// `τ = 1 − t`, `c = (1−τ)/τ`, `g = c · ((1−τ)² + τ²)/(1−τ)²`, infinities become `G`, NaN (at t = 0)
    /// becomes 0, and `g ≤ G`.
    public static func guidanceWeight(t: Float, maxGuidanceWeight: Float) -> Float {
        let tau = 1 - t
        var c = (1 - tau) / tau
        if c.isInfinite { c = maxGuidanceWeight }
        let inverseR2 = ((1 - tau) * (1 - tau) + tau * tau) / ((1 - tau) * (1 - tau))
        var g = c * inverseR2
        if g.isInfinite { g = maxGuidanceWeight }
        if g.isNaN { g = 0 }
        return min(g, maxGuidanceWeight)
    }

    /// The row weights for a chunk of `chunkLength` rows.
    public func rowWeights(chunkLength: Int) -> [Float] {
        let horizon = min(self.executionHorizon, self.prefixRows)
        return self.schedule.weights(start: self.delay, end: horizon, total: chunkLength)
    }

    /// Replaces `velocity` (one robot's `[chunkLength, dimension]`) by the guided velocity
    /// `v − g(t) · W ⊙ (Y − (x − t·v))`, `Y` being the prefix zero-padded to the chunk's shape.
    public func guide(
        velocity: inout ArraySlice<Float>, sample: ArraySlice<Float>, t: Float, chunkLength: Int, dimension: Int,
        weights: [Float]
    ) {
        let g = Self.guidanceWeight(t: t, maxGuidanceWeight: self.maxGuidanceWeight)
        guard g != 0 else { return }
        let base = velocity.startIndex
        let sampleBase = sample.startIndex
        for row in 0..<chunkLength where weights[row] != 0 {
            let weight = weights[row]
            for column in 0..<dimension {
                let index = row * dimension + column
                let target: Float =
                    row < self.prefixRows && column < self.actionDimension ? self.prefix[row * self.actionDimension + column] : 0
                let v = velocity[base + index]
                let predicted = sample[sampleBase + index] - t * v
                velocity[base + index] = v - g * weight * (target - predicted)
            }
        }
    }
}

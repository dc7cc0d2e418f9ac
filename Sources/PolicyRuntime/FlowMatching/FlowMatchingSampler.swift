import Foundation

/// The network a flow-matching policy exports for its action expert: the velocity of the noisy chunks `x`
/// (`[batch, chunkLength, dimension]`, row-major) at flow time `t`, conditioned on whatever the prefix graph
/// produced for this batch.
public protocol FlowVelocityField {
    func velocity(sample: [Float], t: Float, batch: Int) throws -> [Float]
}

/// LeRobot's Euler sampler for pi0, pi0.5 and SmolVLA (edge-semantics §3.1 and §3.6): from noise at `t = 1`
/// to a chunk at `t = 0` in `steps` steps of `−1/steps`, the velocity of each robot replaced by its RTC-guided
/// velocity when it sent a prefix. In a batch every robot keeps its own prefix, delay and horizon.
public struct FlowMatchingSampler: Sendable {
    public var steps: Int
    public var chunkLength: Int
    /// The padded action dimension the network works in (32 for pi0/pi0.5/SmolVLA).
    public var dimension: Int

    public init(steps: Int = 10, chunkLength: Int, dimension: Int) {
        self.steps = steps
        self.chunkLength = chunkLength
        self.dimension = dimension
    }

    /// Runs the loop from `noise` (`[guidance.count, chunkLength, dimension]`) and returns the chunks at t = 0.
    public func sample<Field: FlowVelocityField>(
        noise: [Float], guidance: [RTCGuidance?], field: Field
    ) throws -> [Float] {
        let batch = guidance.count
        let rowSize = self.chunkLength * self.dimension
        precondition(noise.count == batch * rowSize, "noise has \(noise.count) values, expected \(batch * rowSize)")
        let weights = guidance.map { $0?.rowWeights(chunkLength: self.chunkLength) }
        let dt = -1.0 / Double(self.steps)
        var x = noise
        for step in 0..<self.steps {
            let t = Float(1.0 + Double(step) * dt)
            var v = try field.velocity(sample: x, t: t, batch: batch)
            precondition(v.count == x.count, "the velocity field returned \(v.count) values for \(x.count)")
            for (robot, guide) in guidance.enumerated() {
                guard let guide, let rowWeights = weights[robot] else { continue }
                let range = robot * rowSize..<(robot + 1) * rowSize
                guide.guide(
                    velocity: &v[range], sample: x[range], t: t, chunkLength: self.chunkLength,
                    dimension: self.dimension, weights: rowWeights)
            }
            let step = Float(dt)
            for index in x.indices { x[index] += step * v[index] }
        }
        return x
    }
}

/// Seeded standard-normal noise, reproducible across runs and platforms: SplitMix64 for uniform bits,
/// Box–Muller (both outputs used) for the normal values, in float32.
public struct GaussianNoise: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { self.state = seed }

    private mutating func nextUniform() -> Double {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        // 53 random bits in (0, 1]: never 0, so the logarithm below is finite.
        return (Double(z >> 11) + 1) / 9_007_199_254_740_992
    }

    /// `count` standard-normal values.
    public mutating func values(_ count: Int) -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(count + 1)
        while values.count < count {
            let radius = (-2 * log(self.nextUniform())).squareRoot()
            let angle = 2 * Double.pi * self.nextUniform()
            values.append(Float(radius * cos(angle)))
            values.append(Float(radius * sin(angle)))
        }
        return Array(values.prefix(count))
    }
}

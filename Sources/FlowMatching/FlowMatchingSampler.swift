/// The network a flow-matching policy integrates: `v(x, t)` for a batch of noisy chunks at one flow time
/// (pi0, pi05 and SmolVLA's "denoise step"). An exported velocity graph conforms by running ONNX Runtime on its
/// conditioning (the observation's prefix cache) plus `x` and `t`; tests conform with closed-form fields.
public protocol VelocityField {
    associatedtype Failure: Error
    /// The velocity for `x`, row-major `[batch × rows × dims]`, at flow time `time` (the same for every sample, as
    /// LeRobot expands one scalar time over the batch). Returns the same layout.
    func velocity(_ x: [Float], time: Float, batch: Int) throws(Failure) -> [Float]
}

/// A velocity field given as a closure.
public struct VelocityClosure<Failure: Error>: VelocityField {
    public let body: ([Float], Float, Int) throws(Failure) -> [Float]

    public init(_ body: @escaping ([Float], Float, Int) throws(Failure) -> [Float]) { self.body = body }

    public func velocity(_ x: [Float], time: Float, batch: Int) throws(Failure) -> [Float] {
        try body(x, time, batch)
    }
}

/// LeRobot's Euler sampler for flow-matching policies (edge-semantics §3.1, §3.6), with per-row RTC guidance.
///
/// Flow time runs from 1 (noise) to 0 (data) in `steps` equal steps: for `k = 0 … steps−1`,
/// `t = 1 + k·(−1/steps)` (in double, as LeRobot computes it; the network receives it as float32), the velocity
/// `v = field(x, t)` is evaluated, replaced by the guided velocity of a row's ``RTCGuide`` when the row has one, and
/// `x ← x + (−1/steps)·v` (float32, the step as float32). The last evaluation is at `t = 1/steps`; the result is the
/// clean chunk at `t = 0`, `[batch × rows × dims]` with `dims = max_action_dim` (cut it with ``actions(_:batch:actionDim:)``).
public struct FlowMatchingSampler: Sendable, Hashable {
    /// `num_steps` (SmolVLA) or `num_inference_steps` (pi0, pi05); LeRobot's default is 10.
    public var steps: Int
    /// `chunk_size` `T`.
    public var rows: Int
    /// The sampled action width, `max_action_dim` `D` (32 in LeRobot's flow-matching policies).
    public var dims: Int

    public init(steps: Int = 10, rows: Int, dims: Int) throws(FlowMatchingError) {
        guard steps > 0, rows > 0, dims > 0 else {
            throw FlowMatchingError(
                .invalidConfiguration, "the sampler needs positive steps, rows and dims, got \(steps), \(rows), \(dims)")
        }
        self.steps = steps
        self.rows = rows
        self.dims = dims
    }

    /// The flow times the velocity is evaluated at, in order: `1 + k·(−1/steps)` for `k = 0 … steps−1`.
    public var times: [Double] {
        let dt = -1.0 / Double(steps)
        return (0..<steps).map { 1.0 + Double($0) * dt }
    }

    /// Integrates `noise` (`[batch × rows × dims]`) from `t = 1` to `t = 0`. `guides` holds one entry per batch row
    /// (or none at all: RTC off): a row with a guide is pulled toward its prefix, a row without one (RTC off, or the
    /// first chunk of an episode) follows the plain velocity. Each row keeps its own delay and prefix.
    /// - Precondition: `noise` has `batch × rows × dims` values, `guides` is empty or has `batch` entries shaped
    ///   `[rows × dims]`, and the field returns as many values as it was given.
    public func sample<Field: VelocityField>(
        noise: [Float], batch: Int, guides: [RTCGuide?] = [], field: Field
    ) throws(Field.Failure) -> [Float] {
        let perRow = rows * dims
        precondition(batch > 0 && noise.count == batch * perRow, "noise must hold batch × rows × dims values")
        precondition(guides.isEmpty || guides.count == batch, "one RTC guide (or nil) per batch row")
        precondition(guides.allSatisfy { $0 == nil || ($0!.rows == rows && $0!.dims == dims) }, "guides must be [rows × dims]")
        let isGuided = guides.contains { $0 != nil }
        let dt = -1.0 / Double(steps)
        let step = Float(dt)
        var x = noise
        for time in times {
            var v = try field.velocity(x, time: Float(time), batch: batch)
            precondition(v.count == x.count, "the velocity field returned \(v.count) values for \(x.count)")
            if isGuided {
                v.withUnsafeMutableBufferPointer { velocity in
                    x.withUnsafeBufferPointer { sample in
                        for (b, guide) in guides.enumerated() {
                            guard let guide else { continue }
                            let range = (b * perRow)..<((b + 1) * perRow)
                            guide.guide(
                                UnsafeMutableBufferPointer(rebasing: velocity[range]),
                                sample: UnsafeBufferPointer(rebasing: sample[range]), time: time)
                        }
                    }
                }
            }
            for k in 0..<x.count { x[k] = x[k] + step * v[k] }
        }
        return x
    }

    /// The first `actionDim` columns of every row of a sampled `[batch × rows × dims]` chunk
    /// (`x[:, :, :A]`), as `[batch × rows × actionDim]`.
    public func actions(_ x: [Float], batch: Int, actionDim: Int) -> [Float] {
        precondition(actionDim <= dims && x.count == batch * rows * dims)
        var out: [Float] = []
        out.reserveCapacity(batch * rows * actionDim)
        for r in 0..<(batch * rows) { out += x[(r * dims)..<(r * dims + actionDim)] }
        return out
    }
}

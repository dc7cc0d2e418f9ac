public import ONNXRuntime

/// A velocity graph exported from a flow-matching policy, run on ONNX Runtime: the noisy chunks go in as
/// `sampleInput` (`[batch, T, D]`), the flow time as `timeInput` (`[batch]`, one value per robot), the
/// per-robot conditioning the prefix graph produced (the cache the action expert attends to) as the other
/// inputs, unchanged across the Euler steps; the velocity comes out as `velocityOutput`.
public struct ONNXVelocityField: FlowVelocityField {
    public let session: ORTSession
    public var sampleInput: String
    public var timeInput: String
    public var velocityOutput: String
    /// Conditioning inputs, already batched (`[batch, …]`).
    public var conditioning: [String: ORTTensor]
    public let chunkLength: Int
    public let dimension: Int

    public init(
        session: ORTSession, chunkLength: Int, dimension: Int, conditioning: [String: ORTTensor] = [:],
        sampleInput: String = "x_t", timeInput: String = "time", velocityOutput: String = "velocity"
    ) {
        self.session = session
        self.chunkLength = chunkLength
        self.dimension = dimension
        self.conditioning = conditioning
        self.sampleInput = sampleInput
        self.timeInput = timeInput
        self.velocityOutput = velocityOutput
    }

    public func velocity(sample: [Float], t: Float, batch: Int) throws -> [Float] {
        var inputs = self.conditioning
        inputs[self.sampleInput] = try ORTTensor(sample, shape: [batch, self.chunkLength, self.dimension])
        inputs[self.timeInput] = try ORTTensor([Float](repeating: t, count: batch), shape: [batch])
        let outputs = try self.session.run(inputs, outputs: [self.velocityOutput])
        guard let velocity = outputs[self.velocityOutput], velocity.shape == [batch, self.chunkLength, self.dimension] else {
            throw PolicyRuntimeError(
                .inferenceFailed,
                "\(self.session.modelPath): output '\(self.velocityOutput)' is \(outputs[self.velocityOutput]?.description ?? "missing"), "
                    + "expected float32 [\(batch), \(self.chunkLength), \(self.dimension)]")
        }
        return try velocity.values(as: Float.self)
    }
}

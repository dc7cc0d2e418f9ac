public import PolicyWire

/// The RTC prefix a request runs with: the robot's left-over actions truncated or zero-padded to exactly the
/// execution horizon (lerobot-protocol.md §5). The robot sends `[≤H, A]` (or nothing); the policy gets `[H, A]`.
public enum RTCPrefix {
    /// Row-major `[horizon × actionDim]` floats, and how many rows came from the robot (the rest are zeros).
    /// A prefix whose width is not `actionDim` is refused with a message naming the field.
    public static func fit(_ prefix: PolicyTensor?, horizon: Int, actionDim: Int) throws(PolicyWireError)
        -> (values: [Float], validRows: Int)
    {
        var values = [Float](repeating: 0, count: max(0, horizon) * max(0, actionDim))
        guard let prefix, prefix.elementCount > 0 else { return (values, 0) }
        guard prefix.shape.count == 2, prefix.shape[1] == actionDim else {
            throw PolicyWireError(
                .invalidTensor, "Observation.prefix_model must have shape [rows, \(actionDim)], got \(prefix.shape)")
        }
        let rows = min(prefix.shape[0], horizon)
        let source = prefix.floats()
        values.replaceSubrange(0..<rows * actionDim, with: source[0..<rows * actionDim])
        return (values, rows)
    }
}

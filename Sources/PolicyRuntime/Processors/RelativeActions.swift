/// LeRobot's relative actions (edge-semantics §6.7, §2.5): which action dimensions are relative to the state, and
/// the conversions between relative and absolute chunks.
public struct RelativeActions: Sendable, Hashable {
    /// One flag per action dimension: true = relative to the state.
    public var mask: [Bool]

    /// `_build_mask(A)`: all dimensions are relative when `excludeJoints` is empty or there are no names; otherwise
    /// a dimension is excluded when an exclude token equals its name or is a substring of it (case-insensitive).
    /// Dimensions beyond the name list are relative.
    public init(actionDim: Int, excludeJoints: [String], actionNames: [String]) {
        guard !excludeJoints.isEmpty, !actionNames.isEmpty else {
            mask = Array(repeating: true, count: actionDim)
            return
        }
        let tokens = excludeJoints.map { $0.lowercased() }
        mask = (0..<actionDim).map { j in
            guard j < actionNames.count else { return true }
            let name = actionNames[j].lowercased()
            return !tokens.contains { name == $0 || name.contains($0) }
        }
    }

    /// `to_absolute`: adds `state[j]` to every row's masked dimension `j` (`chunk` is `[rows × mask.count]`).
    public func toAbsolute(_ chunk: inout [Float], state: [Float]) {
        shift(&chunk, state: state, sign: 1)
    }

    /// `to_relative`: subtracts instead.
    public func toRelative(_ chunk: inout [Float], state: [Float]) {
        shift(&chunk, state: state, sign: -1)
    }

    private func shift(_ chunk: inout [Float], state: [Float], sign: Float) {
        let columns = mask.count
        guard columns > 0 else { return }
        for row in 0..<(chunk.count / columns) {
            for j in 0..<min(columns, state.count) where mask[j] {
                if sign > 0 { chunk[row * columns + j] += state[j] } else { chunk[row * columns + j] -= state[j] }
            }
        }
    }
}

/// Robot commands between policy actions (`--interpolation_multiplier N`): with a previous action `p` and a
/// new one `a`, the N commands `p + (i/N)(a − p)` for `i = 1…N`; the first action after a reset is one
/// command. The control interval is `1 / (fps · N)`, so actions are consumed at `fps` (edge-semantics §4.4).
public struct ActionInterpolator: Sendable, Hashable {
    public let multiplier: Int
    private var previous: [Float]?
    private var pending: [[Float]] = []
    private var cursor = 0

    public init(multiplier: Int) {
        self.multiplier = max(1, multiplier)
    }

    /// True when every command of the last action was handed out.
    public var needsNewAction: Bool { cursor >= pending.count }

    public mutating func add(_ action: [Float]) {
        if multiplier > 1, let previous, previous.count == action.count {
            pending = (1...multiplier).map { i in
                let t = Float(i) / Float(multiplier)
                return zip(previous, action).map { $0 + t * ($1 - $0) }
            }
        } else {
            pending = [action]
        }
        previous = action
        cursor = 0
    }

    /// The next command, nil when none is pending.
    public mutating func next() -> [Float]? {
        guard cursor < pending.count else { return nil }
        defer { cursor += 1 }
        return pending[cursor]
    }

    public mutating func reset() {
        previous = nil
        pending = []
        cursor = 0
    }
}

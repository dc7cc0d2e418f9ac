/// What the control loop does when the buffer is empty (`--inference.fallback`).
public enum FallbackPolicy: String, Sendable, Hashable, CaseIterable {
    /// Send nothing: a position-controlled arm holds its last commanded position.
    case hold
    /// Send the last action again (nothing when there is none).
    case repeatLast = "repeat_last"
    /// Send zeros: required for velocity-controlled robots.
    case zero
}

/// The action queue plus the staleness bound and the fallback ladder: everything `action()` decides on the
/// control thread, without I/O. A value type: the engine keeps it behind its lock.
public struct ActionBuffer: Sendable, Hashable {
    public private(set) var queue: ActionQueue
    /// Monotonic time (s) at which the current chunk's observation was sent; nil when nothing is buffered.
    public private(set) var anchor: Double?
    public private(set) var lastAction: [Float]?
    public let fallback: FallbackPolicy
    public let actionDimension: Int
    public let maxActionAge: Double
    public private(set) var staleDrops = 0
    public private(set) var fallbackTicks = 0

    /// Where the action came from.
    public enum Source: Sendable, Hashable {
        case buffer
        case fallback
        case none
    }

    public init(mode: ActionQueue.MergeMode, fallback: FallbackPolicy, actionDimension: Int, maxActionAge: Double) {
        self.queue = ActionQueue(mode: mode)
        self.fallback = fallback
        self.actionDimension = actionDimension
        self.maxActionAge = maxActionAge
    }

    /// Merges a chunk whose observation was sent `latency` seconds before `now`.
    @discardableResult
    public mutating func merge(
        original: ActionRows, processed: ActionRows, realDelay: Int, actionIndexBeforeInference: Int?,
        now: Double, latency: Double
    ) -> ActionQueue.MergeReport {
        let report = queue.merge(
            original: original, processed: processed, realDelay: realDelay,
            actionIndexBeforeInference: actionIndexBeforeInference)
        anchor = now - latency
        return report
    }

    /// The action for this control tick. Buffered actions older than `max_action_age_s` are dropped unexecuted.
    public mutating func next(now: Double) -> (action: [Float]?, source: Source, droppedStale: Bool) {
        var dropped = false
        if let anchor, !queue.isEmpty, now - anchor > maxActionAge {
            staleDrops += 1
            queue.clear()
            self.anchor = nil
            dropped = true
        }
        if let action = queue.get() {
            lastAction = action
            return (action, .buffer, dropped)
        }
        switch fallback {
        case .repeatLast where lastAction != nil:
            fallbackTicks += 1
            return (lastAction, .fallback, dropped)
        case .zero:
            fallbackTicks += 1
            return ([Float](repeating: 0, count: actionDimension), .fallback, dropped)
        default:
            return (nil, .none, dropped)
        }
    }

    /// An episode boundary: nothing buffered survives, and the last action is forgotten.
    public mutating func reset() {
        queue.clear()
        anchor = nil
        lastAction = nil
    }
}

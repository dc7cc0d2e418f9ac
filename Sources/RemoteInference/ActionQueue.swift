/// The robot's local buffer of future actions, with LeRobot's exact merge semantics (edge-semantics §1).
///
/// Holds each chunk twice — robot space (`processed`, what the motors get) and model space (`original`, what
/// RTC prefixes are made of) — and a cursor. Reading moves the cursor; only a merge drops rows.
/// A value type: the engine keeps it behind its lock.
public struct ActionQueue: Sendable, Hashable {
    /// How a new chunk joins the buffer; fixed for the queue's life.
    public enum MergeMode: Sendable, Hashable {
        /// RTC: the new chunk replaces the buffer, minus the rows that elapsed during inference.
        case replace
        /// Chunk-append: unconsumed rows, then the whole new chunk; the delay is ignored.
        case append
    }

    /// What a merge did.
    public struct MergeReport: Sendable, Hashable {
        /// Rows of the new chunk skipped as already elapsed (replace mode).
        public var delayUsed: Int
        /// Actions consumed while the request was in flight (when the caller said where the cursor was).
        public var consumedDuringInference: Int?
        /// True when that count differs from the delay (LeRobot logs "Indexes diff is not equal to real delay").
        public var indexDiffMismatch: Bool
    }

    public let mode: MergeMode
    private var processed: ActionRows?
    private var original: ActionRows?
    /// Index of the next row to hand out.
    public private(set) var lastIndex = 0

    public init(mode: MergeMode) {
        self.mode = mode
    }

    /// The next robot-space action, advancing the cursor; nil when nothing is left.
    public mutating func get() -> [Float]? {
        guard let processed, lastIndex < processed.count else { return nil }
        defer { lastIndex += 1 }
        return Array(processed[lastIndex])
    }

    /// Rows not yet handed out.
    public var count: Int { processed.map { max(0, $0.count - lastIndex) } ?? 0 }
    public var isEmpty: Bool { count <= 0 }
    /// The cursor (LeRobot's `get_action_index()`).
    public var actionIndex: Int { lastIndex }

    /// Model-space rows not yet handed out; nil before the first merge, possibly empty after.
    public var leftOver: ActionRows? { original?.dropping(first: lastIndex) }
    /// Robot-space rows not yet handed out; nil before the first merge, possibly empty after.
    public var processedLeftOver: ActionRows? { processed?.dropping(first: lastIndex) }

    public mutating func clear() {
        processed = nil
        original = nil
        lastIndex = 0
    }

    /// Merges a chunk: `original` in model space, `processed` in robot space, `realDelay` the latency-derived
    /// delay in control steps, `actionIndexBeforeInference` the cursor when the request was made (diagnostic).
    @discardableResult
    public mutating func merge(
        original newOriginal: ActionRows, processed newProcessed: ActionRows, realDelay: Int,
        actionIndexBeforeInference: Int? = nil
    ) -> MergeReport {
        // The delay used is always the caller's estimate; the measured index difference is diagnostic only.
        var consumed: Int?
        var mismatch = false
        var delay = max(0, realDelay)
        if let before = actionIndexBeforeInference {
            let diff = max(0, lastIndex - before)
            consumed = diff
            if diff != realDelay {
                mismatch = true
                delay = realDelay
            }
        }
        switch mode {
        case .replace:
            let k = min(max(delay, 0), min(newOriginal.count, newProcessed.count))
            original = newOriginal.dropping(first: k)
            processed = newProcessed.dropping(first: k)
            lastIndex = 0
            return MergeReport(delayUsed: k, consumedDuringInference: consumed, indexDiffMismatch: mismatch)
        case .append:
            if let oldProcessed = processed, let oldOriginal = original {
                processed = oldProcessed.appending(newProcessed).dropping(first: lastIndex)
                original = oldOriginal.appending(newOriginal).dropping(first: lastIndex)
                lastIndex = 0
            } else {
                processed = newProcessed
                original = newOriginal
            }
            return MergeReport(delayUsed: 0, consumedDuringInference: consumed, indexDiffMismatch: mismatch)
        }
    }
}

import RemoteInference
import Testing

@Suite("ActionQueue and LatencyTracker: LeRobot's worked examples")
struct ActionQueueTests {
    static func chunk(_ rows: Int, columns: Int = 2, base: Float = 0) -> ActionRows {
        ActionRows(values: (0..<rows * columns).map { base + Float($0) }, columns: columns)
    }

    @Test("RTC: merge 50 with delay 0 → 50")
    func rtcDelayZero() {
        var q = ActionQueue(mode: .replace)
        q.merge(original: Self.chunk(50), processed: Self.chunk(50), realDelay: 0)
        #expect(q.count == 50)
    }

    @Test("RTC: consume 10, merge 50 with delay 5 and index 10 → 45, index 0, mismatch reported")
    func rtcReplace() {
        var q = ActionQueue(mode: .replace)
        q.merge(original: Self.chunk(50), processed: Self.chunk(50), realDelay: 0)
        for _ in 0..<10 { _ = q.get() }
        let report = q.merge(
            original: Self.chunk(50, base: 1000), processed: Self.chunk(50, base: 2000), realDelay: 5,
            actionIndexBeforeInference: 10)
        #expect(q.count == 45 && q.actionIndex == 0)
        #expect(report.indexDiffMismatch && report.consumedDuringInference == 0 && report.delayUsed == 5)
        #expect(q.get() == [2010, 2011])
        #expect(q.leftOver?.rows.first == [1012, 1013])
    }

    @Test("RTC: delay beyond the chunk → an empty, non-nil queue")
    func rtcHugeDelay() {
        var q = ActionQueue(mode: .replace)
        q.merge(original: Self.chunk(10), processed: Self.chunk(10), realDelay: 100)
        #expect(q.count == 0 && q.isEmpty && q.get() == nil)
        #expect(q.leftOver == ActionRows.empty(columns: 2))
    }

    @Test("Append: merge 10, consume 3, merge 10 → 17, index 0")
    func append() {
        var q = ActionQueue(mode: .append)
        q.merge(original: Self.chunk(10), processed: Self.chunk(10), realDelay: 0)
        for _ in 0..<3 { _ = q.get() }
        q.merge(original: Self.chunk(10, base: 100), processed: Self.chunk(10, base: 100), realDelay: 0)
        #expect(q.count == 17 && q.actionIndex == 0)
        #expect(q.get() == [6, 7])
    }

    @Test("Append ignores the delay; 10 then 25 → 35")
    func appendIgnoresDelay() {
        var q = ActionQueue(mode: .append)
        q.merge(original: Self.chunk(50), processed: Self.chunk(50), realDelay: 10)
        #expect(q.count == 50)
        var r = ActionQueue(mode: .append)
        r.merge(original: Self.chunk(10), processed: Self.chunk(10), realDelay: 0)
        r.merge(original: Self.chunk(25), processed: Self.chunk(25), realDelay: 0)
        #expect(r.count == 35)
    }

    @Test("Index-diff diagnostics")
    func diagnostics() {
        var q = ActionQueue(mode: .replace)
        q.merge(original: Self.chunk(20), processed: Self.chunk(20), realDelay: 0)
        for _ in 0..<5 { _ = q.get() }
        var copy = q
        #expect(
            copy.merge(original: Self.chunk(20), processed: Self.chunk(20), realDelay: 3, actionIndexBeforeInference: 0).indexDiffMismatch)
        #expect(copy.count == 17)
        copy = q
        #expect(
            !copy.merge(original: Self.chunk(20), processed: Self.chunk(20), realDelay: 5, actionIndexBeforeInference: 0).indexDiffMismatch)
        copy = q
        #expect(!copy.merge(original: Self.chunk(20), processed: Self.chunk(20), realDelay: 5).indexDiffMismatch)
    }

    @Test("Left-overs: nil before a merge, empty (not nil) once consumed; clear resets")
    func leftOvers() {
        var q = ActionQueue(mode: .replace)
        #expect(q.leftOver == nil && q.processedLeftOver == nil)
        q.merge(original: Self.chunk(2), processed: Self.chunk(2), realDelay: 0)
        _ = q.get()
        _ = q.get()
        #expect(q.leftOver?.count == 0 && q.processedLeftOver?.count == 0)
        q.clear()
        #expect(q.leftOver == nil && q.actionIndex == 0)
    }

    @Test("LatencyTracker: negatives ignored, max persists after the window slides, percentiles")
    func latency() {
        var t = LatencyTracker(capacity: 3)
        #expect(t.maximum == 0 && t.percentile(0.5) == 0)
        t.add(-1)
        #expect(t.count == 0)
        t.add(0)
        t.add(0.5)
        t.add(0.1)
        t.add(0.2)  // evicts 0
        #expect(t.count == 3 && t.maximum == 0.5)
        t.add(0.3)
        t.add(0.05)  // 0.5 has left the window
        #expect(t.maximum == 0.5)
        #expect(t.percentile(1) == 0.5)
        #expect(t.percentile(0) == Double(Float(0.05)))
        #expect(abs(t.percentile(0.5) - 0.2) < 1e-6)
        t.reset()
        #expect(t.maximum == 0 && t.count == 0)
    }
}

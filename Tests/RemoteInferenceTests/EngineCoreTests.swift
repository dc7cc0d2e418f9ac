import PolicyWire
import Testing

@testable import RemoteInference

/// The engine's decisions without a network: events in (with explicit times), decisions out.
@Suite("Engine core: request bookkeeping, RTC snapshot, late chunks")
struct EngineCoreTests {
    static func core(rtc: Bool = true, fps: Double = 10) -> EngineCore {
        var configuration = RemoteInferenceConfiguration()
        configuration.bufferTime = 0.5
        var core = EngineCore(configuration: configuration, fps: fps, now: 0)
        core.buffer = ActionBuffer(mode: rtc ? .replace : .append, fallback: .hold, actionDimension: 2, maxActionAge: 3)
        core.rtcActive = rtc
        core.horizon = 3
        _ = core.failSafe.handshakeSucceeded(at: 0)
        return core
    }

    static let observation = RobotObservation(state: [1, 2])

    static func request(_ core: inout EngineCore, now: Double = 0) -> EngineCore.RequestSnapshot? {
        if case .request(let request) = core.nextWorkerStep(now: now) { return request }
        return nil
    }

    static func chunk(_ rows: Int, from start: Float = 0) -> ActionRows {
        ActionRows(rows: (0..<rows).map { [start + Float($0), start + Float($0)] })
    }

    @Test("Nothing to do without an observation; the first request starts the episode with no prefix")
    func firstRequest() throws {
        var core = Self.core()
        #expect({ if case .idle = core.nextWorkerStep(now: 0) { true } else { false } }())
        core.observation = Self.observation
        let request = try #require(Self.request(&core))
        #expect(request.seq == 1 && request.episodeStart && request.prefixModel == nil && request.delaySteps == 0)
        #expect(core.stats.requests == 1)
    }

    @Test("After a merge: prefix = left-over rows (≤ horizon, both spaces), delay = ceil(max latency · fps)")
    func rtcSnapshot() throws {
        var core = Self.core()
        core.observation = Self.observation
        let first = try #require(Self.request(&core))
        let merged = core.chunkArrived(for: first, model: Self.chunk(8), robot: Self.chunk(8, from: 100), latency: 0.25, now: 1)
        #expect(merged == .merged(ActionQueue.MergeReport(delayUsed: 3, consumedDuringInference: 0, indexDiffMismatch: true)))
        // 5 rows left at 10 fps = 0.5 s ≤ buffer_time_s: a request is due.
        let second = try #require(Self.request(&core, now: 1))
        #expect(second.prefixModel == ActionRows(rows: [[3, 3], [4, 4], [5, 5]]))
        #expect(second.prefixRobot == ActionRows(rows: [[103, 103], [104, 104], [105, 105]]))
        #expect(second.delaySteps == 3 && !second.episodeStart && second.seq == 2)
    }

    @Test("Self-clocking: no request while more than buffer_time_s of actions is buffered")
    func selfClocking() throws {
        var core = Self.core(rtc: false)
        core.observation = Self.observation
        let first = try #require(Self.request(&core))
        _ = core.chunkArrived(for: first, model: Self.chunk(8), robot: Self.chunk(8), latency: 0.05, now: 0)
        #expect({ if case .idle = core.nextWorkerStep(now: 0) { true } else { false } }())
        for _ in 0..<3 { _ = core.nextAction(now: 0.1) }
        #expect(Self.request(&core) != nil)  // 5 left = 0.5 s
    }

    @Test("A reset makes the in-flight chunk late: dropped, counted, never merged; a reset is queued first")
    func lateChunkAfterReset() throws {
        var core = Self.core()
        core.observation = Self.observation
        let request = try #require(Self.request(&core))
        core.reset()
        #expect(core.chunkArrived(for: request, model: Self.chunk(4), robot: Self.chunk(4), latency: 0.1, now: 0.1) == .dropped)
        #expect(core.stats.lateChunksDropped == 1 && core.queueDepth == 0 && core.observation == nil)
        guard case .sendReset(let episode) = core.nextWorkerStep(now: 0.1) else {
            Issue.record("the reset is not sent first")
            return
        }
        #expect(episode == 1)
    }

    @Test("Repeated timeouts flag a reconnect; a lost server too; DEAD clears the buffer and stops the worker")
    func failures() throws {
        var core = Self.core()
        core.observation = Self.observation
        let request = try #require(Self.request(&core))
        _ = core.chunkArrived(for: request, model: Self.chunk(4), robot: Self.chunk(4), latency: 0, now: 0)
        #expect(core.requestTimedOut(now: 0.5) == .none && core.state == .degraded)
        #expect(core.requestTimedOut(now: 11) == .reconnect && core.isReconnectRequested)
        #expect({ if case .reconnect = core.nextWorkerStep(now: 11) { true } else { false } }())
        core.reconnected(now: 12)
        #expect(core.state == .streaming && !core.isReconnectRequested && core.stats.reconnects == 1)
        #expect(core.serverLost(now: 13) && core.state == .reconnecting)
        #expect(core.die("gone", now: 14) && !core.die("again", now: 15))
        #expect(core.state == .dead && core.queueDepth == 0 && core.nextAction(now: 15).action == nil)
        #expect({ if case .stop = core.nextWorkerStep(now: 15) { true } else { false } }())
        #expect(
            core.stats.transitions.map(\.state) == [.connecting, .streaming, .degraded, .reconnecting, .streaming, .reconnecting, .dead])
    }
}

@Suite("Inbox: bounded, drop-oldest, one awaiting reader")
struct InboxTests {
    /// Deposits until a waiting reader took one (it may not be waiting yet on the first deposit).
    static func depositUntilTaken(_ inbox: Inbox<Int>) async {
        var sent = 0
        while sent < 1000 {
            sent += 1
            inbox.deposit(sent)
            await Task.yield()
            if await inbox.next(timeout: 0) == nil { break }
        }
    }

    @Test("Kept items come out oldest first; beyond the capacity the oldest is dropped")
    func keeps() async {
        let inbox = Inbox<Int>(capacity: 2)
        inbox.deposit(1)
        inbox.deposit(2)
        inbox.deposit(3)
        #expect(await inbox.next(timeout: 0) == 2)
        #expect(await inbox.next(timeout: 0) == 3)
        #expect(await inbox.next(timeout: 0) == nil)
    }

    @Test("A waiting reader gets the next deposit; with none it ends at the timeout; cancellation ends it")
    func waits() async {
        let inbox = Inbox<Int>(capacity: 4)
        async let got = inbox.next(timeout: 30)
        await Self.depositUntilTaken(inbox)
        #expect(await got != nil)
        #expect(await inbox.next(timeout: 0.01) == nil)
        let task = Task { await inbox.next(timeout: 30) }
        task.cancel()
        #expect(await task.value == nil)
    }
    @Test("Without a timeout: a kept item at once, else the next deposit, however late; cancellation ends the wait")
    func waitsWithoutTimeout() async {
        let inbox = Inbox<Int>(capacity: 1)
        inbox.deposit(7)
        #expect(await inbox.next() == 7)
        let reader = Task { await inbox.next() }
        await Self.depositUntilTaken(inbox)
        #expect(await reader.value != nil)
        let cancelled = Task { await inbox.next() }
        cancelled.cancel()
        #expect(await cancelled.value == nil)
    }
}

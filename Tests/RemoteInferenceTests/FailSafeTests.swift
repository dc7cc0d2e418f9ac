import RemoteInference
import Testing

/// Every row of the seed's fail-safe table, driven by an explicit clock (seconds).
@Suite("Fail-safe state machine and action buffer")
struct FailSafeTests {
    static let config = FailSafeConfiguration()

    static func streaming(at t: Double = 0) -> FailSafeStateMachine {
        var m = FailSafeStateMachine(configuration: config)
        #expect(m.state == .connecting)
        _ = m.handshakeSucceeded(at: t)
        _ = m.chunkMerged(at: t)
        return m
    }

    @Test("Short blip / late chunk: ride the buffer, DEGRADED, warned once after degraded_after_s")
    func blip() {
        var m = Self.streaming()
        #expect(m.requestTimedOut(at: 0.5, bufferHasActions: true, serverAlive: true) == .none)
        #expect(m.state == .degraded)
        #expect(m.requestTimedOut(at: 1.2, bufferHasActions: true, serverAlive: true) == .warnDegraded(secondsWithoutChunk: 1.2))
        #expect(m.requestTimedOut(at: 1.4, bufferHasActions: true, serverAlive: true) == .none)
        #expect(m.chunkMerged(at: 1.5) == .none)
        #expect(m.state == .streaming && m.offlineSince == nil && m.timeouts == 3)
    }

    @Test("Buffered actions older than max_action_age_s are dropped, never executed")
    func staleness() {
        var buffer = ActionBuffer(mode: .replace, fallback: .hold, actionDimension: 2, maxActionAge: 3)
        let chunk = ActionRows(rows: [[1, 1], [2, 2], [3, 3]])
        buffer.merge(original: chunk, processed: chunk, realDelay: 0, actionIndexBeforeInference: nil, now: 10, latency: 0.2)
        #expect(buffer.next(now: 10.1).action == [1, 1])
        let late = buffer.next(now: 13.3)  // anchor 9.8 → 3.5 s old
        #expect(late.action == nil && late.droppedStale && buffer.staleDrops == 1)
        #expect(buffer.queue.isEmpty)
    }

    @Test("Buffer runs dry: STALLED, and the fallback ladder", arguments: FallbackPolicy.allCases)
    func stalled(fallback: FallbackPolicy) {
        var m = Self.streaming()
        _ = m.requestTimedOut(at: 0.5, bufferHasActions: true, serverAlive: true)
        m.bufferRanDry()
        #expect(m.state == .stalled)
        var buffer = ActionBuffer(mode: .append, fallback: fallback, actionDimension: 3, maxActionAge: 3)
        #expect(buffer.next(now: 0).action == (fallback == .zero ? [0, 0, 0] : nil))
        let chunk = ActionRows(rows: [[1, 2, 3]])
        buffer.merge(original: chunk, processed: chunk, realDelay: 0, actionIndexBeforeInference: nil, now: 1, latency: 0)
        #expect(buffer.next(now: 1).action == [1, 2, 3])
        let dry = buffer.next(now: 1.1)
        switch fallback {
        case .hold: #expect(dry.action == nil && dry.source == .none)
        case .repeatLast: #expect(dry.action == [1, 2, 3] && dry.source == .fallback)
        case .zero: #expect(dry.action == [0, 0, 0] && dry.source == .fallback)
        }
    }

    @Test("Server liveliness lost: RECONNECTING with backoff 0.5 s doubling up to 10 s, new epoch each attempt")
    func reconnect() {
        var m = Self.streaming()
        #expect(m.serverLivelinessLost(at: 1) == .reconnect)
        #expect(m.state == .reconnecting)
        var waits: [Double] = []
        for i in 0..<7 {
            guard case .attemptReconnect(let wait, let epoch) = m.nextReconnectAttempt(at: 1 + Double(i), isPaused: false) else {
                Issue.record("expected an attempt")
                return
            }
            waits.append(wait)
            #expect(epoch == UInt32(i + 1))
        }
        #expect(waits == [0.5, 1, 2, 4, 8, 10, 10])
        #expect(m.handshakeSucceeded(at: 9) == .none)
        #expect(m.state == .streaming && m.reconnects == 1 && m.backoff == 0.5)
    }

    @Test("Repeated timeouts (offline ≥ 2 × request_timeout_s) reconnect")
    func repeatedTimeouts() {
        var m = Self.streaming()
        #expect(m.requestTimedOut(at: 5, bufferHasActions: false, serverAlive: true) != .reconnect)
        #expect(m.requestTimedOut(at: 15, bufferHasActions: false, serverAlive: true) == .reconnect)
        #expect(m.state == .reconnecting)
    }

    @Test("A reconnected server with another model/revision: DEAD")
    func wrongModel() {
        var m = Self.streaming()
        _ = m.serverLivelinessLost(at: 1)
        #expect(
            m.serverModelChanged(from: "lerobot/pi0@main", to: "lerobot/pi0@v2")
                == .die(
                    reason:
                        "Server model changed across reconnect (lerobot/pi0@main → lerobot/pi0@v2) — refusing to execute wrong-model chunks"
                ))
        #expect(m.state == .dead)
        #expect(m.handshakeSucceeded(at: 2) == .none && m.state == .dead)
    }

    @Test("Offline longer than max_offline_s: DEAD; a pause never burns the budget")
    func offline() {
        var m = Self.streaming()
        _ = m.serverLivelinessLost(at: 0)
        _ = m.nextReconnectAttempt(at: 30, isPaused: true)  // paused: the offline clock restarts at 30
        guard case .attemptReconnect = m.nextReconnectAttempt(at: 80, isPaused: false) else {
            Issue.record("died although only 50 s of unpaused offline time passed")
            return
        }
        guard case .die = m.nextReconnectAttempt(at: 91, isPaused: false) else {
            Issue.record("still alive after 61 s offline")
            return
        }
        #expect(m.state == .dead)
    }
}

import NIOCore
import PolicyRuntime
import PolicyServer
import PolicyWire
import Testing

@Suite("Session table: open, close, reset, deposit, scheduling, GC")
struct SessionTableTests {
    static let names = (0..<6).map { "joint_\($0).pos" }

    static func table(max: Int = 2) -> SessionTable {
        SessionTable(
            capabilities: ServerCapabilities(
                policyType: "mock", actionNames: names, expectedCameras: [], stateDim: 6, trainedFPS: 30,
                strictFPS: false, pinnedTask: nil, rtcActive: true, maxSessions: max),
            identity: .init(modelRepo: "mock/model", modelRevision: "main", chunkSize: 20, servingMode: .shared, rtcExecutionHorizon: 10))
    }

    static func open(_ uuid: String, rtc: Bool = true) -> SessionOpen {
        SessionOpen(clientUUID: uuid, policyType: "mock", fps: 30, actionNames: names, stateDim: 6, rtcEnabled: rtc)
    }

    static let policy = try! RecordingPolicy()
    static func pending(_ seq: UInt64, at t: Double = 0) -> PendingObservation {
        PendingObservation(header: AttachmentHeader(seqID: seq), body: ByteBuffer(), receivedAt: t)
    }

    @Test("Capacity, re-handshake replaces with a new id, capabilities echoed")
    func open() {
        var t = Self.table()
        let a = t.open(Self.open("a"), processors: Self.policy.makeSessionState, now: 0)
        #expect(a.ack.accepted && a.ack.sessionID.count == 32 && a.ack.supportsRTC && a.ack.chunkSize == 20)
        #expect(a.ack.modelRepo == "mock/model" && a.ack.actionNames == Self.names && a.ack.serverLoad == 0.5)
        _ = t.open(Self.open("b"), processors: Self.policy.makeSessionState, now: 0)
        let c = t.open(Self.open("c"), processors: Self.policy.makeSessionState, now: 0)
        #expect(!c.ack.accepted && c.ack.error == "server full: 2/2 sessions active" && c.ack.serverLoad == 1)
        let again = t.open(Self.open("a"), processors: Self.policy.makeSessionState, now: 1)
        #expect(again.ack.accepted && again.ack.sessionID != a.ack.sessionID && again.replaced?.sessionID == a.ack.sessionID)
        #expect(t.activeSessions == 2 && t.status().activeSessions == 2 && t.status().maxSessions == 2)
    }

    @Test("Close is identity-checked; reset of an unknown client names it")
    func closeAndReset() {
        var t = Self.table()
        let a = t.open(Self.open("a"), processors: Self.policy.makeSessionState, now: 0)
        #expect(t.close(clientUUID: "a", sessionID: "other") == nil)
        #expect(t.reset(Reset(clientUUID: "x", episodeID: 3)).ack == ResetAck(ok: false, error: "unknown client 'x'"))
        #expect(t.deposit(clientUUID: "a", Self.pending(1)) == .deposited)
        let reset = t.reset(Reset(clientUUID: "a", episodeID: 5))
        #expect(reset.ack.ok && reset.session?.episodeID == 5 && t.takeNext() == nil)
        #expect(t.close(clientUUID: "a", sessionID: a.ack.sessionID)?.sessionID == a.ack.sessionID)
        #expect(t.activeSessions == 0)
    }

    @Test("Deposits: newest wins, supersessions counted; unknown clients warned once")
    func deposits() {
        var t = Self.table()
        _ = t.open(Self.open("a"), processors: Self.policy.makeSessionState, now: 0)
        #expect(t.deposit(clientUUID: "a", Self.pending(1)) == .deposited)
        #expect(t.deposit(clientUUID: "a", Self.pending(2)) == .superseded)
        let work = t.takeNext()
        #expect(work?.pending.header.seqID == 2 && work?.superseded == 1)
        #expect(t.deposit(clientUUID: "ghost", Self.pending(1)) == .unknownClient(warn: true))
        #expect(t.deposit(clientUUID: "ghost", Self.pending(2)) == .unknownClient(warn: false))
    }

    @Test("Round-robin over ready sessions; a replaced session's result is not written back")
    func scheduling() {
        var t = Self.table(max: 3)
        for u in ["a", "b", "c"] { _ = t.open(Self.open(u), processors: Self.policy.makeSessionState, now: 0) }
        var order: [String] = []
        for round in 0..<2 {
            for u in ["c", "a", "b"] { _ = t.deposit(clientUUID: u, Self.pending(UInt64(round))) }
            while let w = t.takeNext() { order.append(w.session.clientUUID) }
        }
        #expect(order == ["a", "b", "c", "a", "b", "c"])
        _ = t.deposit(clientUUID: "a", Self.pending(9))
        var served = t.takeNext()!.session
        served.episodeID = 42
        _ = t.open(Self.open("a"), processors: Self.policy.makeSessionState, now: 1)
        t.finishedServing(served, succeeded: true)
        #expect(t.sessions["a"]?.episodeID == -1)
    }

    @Test("GC: token lost > 5 s, idle > timeout, a returning token clears the candidate")
    func gc() {
        var t = Self.table()
        _ = t.open(Self.open("a"), processors: Self.policy.makeSessionState, now: 0)
        _ = t.open(Self.open("b"), processors: Self.policy.makeSessionState, now: 0)
        t.clientTokenLost("a", now: 10)
        #expect(t.garbage(now: 14, idleTimeout: 300).isEmpty)
        #expect(t.garbage(now: 15.5, idleTimeout: 300).map(\.clientUUID) == ["a"])
        t.clientTokenSeen("a")
        #expect(t.garbage(now: 16, idleTimeout: 300).isEmpty)
        _ = t.deposit(clientUUID: "a", Self.pending(1, at: 200))
        #expect(t.garbage(now: 301, idleTimeout: 300).map(\.clientUUID) == ["b"])
    }
}

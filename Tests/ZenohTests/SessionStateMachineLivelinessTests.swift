import NIOCore
import Testing
import ZenohProtocol
import ZenohTransport

@testable import Zenoh

@Suite("SessionStateMachine: liveliness")
struct SessionStateMachineLivelinessTests {
    private func token(_ id: UInt32, _ key: String, interestID: UInt32? = nil) -> NetworkMessage {
        Fixture.declare(.token(EntityDeclaration(id: id, wireExpr: Fixture.wire(key))), interestID: interestID)
    }

    private func undeclareToken(_ id: UInt32) -> NetworkMessage {
        // Rust's U_TOKEN: the id and an empty WireExpr extension.
        Fixture.declare(.undeclareToken(EntityUndeclaration(id: id, wireExpr: Fixture.wire(""))))
    }

    private func put(_ key: String) -> ZenohSample { ZenohSample(kind: .put, key: Fixture.key(key)) }
    private func delete(_ key: String) -> ZenohSample { ZenohSample(kind: .delete, key: Fixture.key(key)) }

    @Test func subscriberSeesCurrentTokensWithIThenLiveChangesThenDeleteById() {
        var machine = Fixture.connected()
        let sub = machine.livelinessSubscriberDeclared(Fixture.key("group/**"), history: true).id
        // Current phase: D_TOKEN with I = our interest id, then D_FINAL(I).
        #expect(
            machine.received(token(10, "group/a", interestID: sub), generation: 1)
                == [.deliverLivelinessSample(put("group/a"), subscriberIDs: [sub])])
        #expect(machine.received(Fixture.declare(.final(FinalDeclaration()), interestID: sub), generation: 1).isEmpty)
        // Future phase: plain D_TOKEN.
        #expect(
            machine.received(token(11, "group/b"), generation: 1)
                == [.deliverLivelinessSample(put("group/b"), subscriberIDs: [sub])])
        #expect(machine.received(token(12, "elsewhere/c"), generation: 1).isEmpty)
        // U_TOKEN carries no key: the remembered one is used.
        #expect(
            machine.received(undeclareToken(10), generation: 1)
                == [.deliverLivelinessSample(delete("group/a"), subscriberIDs: [sub])])
        #expect(machine.received(undeclareToken(10), generation: 1).isEmpty)
    }

    @Test func currentPhaseAnswersGoOnlyToTheirInterest() {
        var machine = Fixture.connected()
        let first = machine.livelinessSubscriberDeclared(Fixture.key("g/**"), history: true).id
        let second = machine.livelinessSubscriberDeclared(Fixture.key("g/*"), history: true).id
        #expect(
            machine.received(token(1, "g/x", interestID: second), generation: 1)
                == [.deliverLivelinessSample(put("g/x"), subscriberIDs: [second])])
        #expect(
            machine.received(token(2, "g/y"), generation: 1)
                == [.deliverLivelinessSample(put("g/y"), subscriberIDs: [first, second])])
    }

    @Test func livelinessGetCollectsTokensUntilFinal() {
        var machine = Fixture.connected()
        let (id, actions) = machine.livelinessGetRequested(Fixture.key("group/**"), timeout: .seconds(5), now: .now)
        guard case .liveliness(let interestID) = id else {
            Issue.record("expected a liveliness id")
            return
        }
        #expect(
            actions.sentMessages == [
                .interest(
                    .init(
                        interestID: interestID, mode: .current, options: [.keyExprs, .tokens], wireExpr: Fixture.wire("group/**")))
            ])
        #expect(
            machine.received(token(5, "group/a", interestID: interestID), generation: 1)
                == [.deliverReply(ZenohReply(result: .success(put("group/a"))), to: id)])
        #expect(
            machine.received(Fixture.declare(.final(FinalDeclaration()), interestID: interestID), generation: 1)
                == [.finishQuery(id, error: nil)])
        // Get answers are not remembered as live tokens.
        #expect(machine.faces[1]?.tokens.isEmpty == true)
    }

    @Test func linkLossDeletesTheTokensEachSubscriberWasToldAbout() {
        var machine = Fixture.connected()
        let sub = machine.livelinessSubscriberDeclared(Fixture.key("g/**"), history: false).id
        _ = machine.received(token(1, "g/a"), generation: 1)
        let actions = machine.transportClosed(generation: 1, error: ZenohError(.leaseExpired, "silence"))
        #expect(actions.contains(.deliverLivelinessSample(delete("g/a"), subscriberIDs: [sub])))
        #expect(machine.faces.isEmpty)
    }
}

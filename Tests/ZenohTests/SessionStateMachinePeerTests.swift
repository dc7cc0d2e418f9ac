import NIOCore
import Testing
import ZenohProtocol
import ZenohTransport

@testable import Zenoh

/// Peer mode as a pure state machine: what each kind of face is told, where publications and queries go, and
/// what happens when a face goes.
@Suite("SessionStateMachine: peer mode")
struct SessionStateMachinePeerTests {
    static func info(_ whatAmI: WhatAmI, port: Int) -> ZenohTransportInfo {
        var info = Fixture.info(port: port)
        info.remoteWhatAmI = whatAmI
        return info
    }

    /// A listening peer with faces accepted in order (generations 1, 2, …).
    static func peer(accepting remotes: [WhatAmI]) -> SessionStateMachine {
        var machine = SessionStateMachine(isPeer: true)
        for (index, whatAmI) in remotes.enumerated() {
            _ = machine.faceAccepted(info: info(whatAmI, port: 8000 + index))
        }
        return machine
    }

    static let finalZero = NetworkMessage.declare(.init(interestID: 0, qos: .declare, declaration: .final(FinalDeclaration())))

    @Test func aPeerIsToldEverythingThenFinalZeroAClientNothing() {
        var machine = SessionStateMachine(isPeer: true)
        _ = machine.subscriberDeclared(Fixture.key("a/**"))
        _ = machine.tokenDeclared(Fixture.key("live/me"))
        let peer = machine.faceAccepted(info: Self.info(.peer, port: 1))!
        #expect(peer.actions.sentMessages.count == 3)
        #expect(peer.actions.sentMessages.last == Self.finalZero)
        #expect(peer.actions.allSatisfy { if case .send(_, _, let face) = $0 { face == peer.generation } else { false } })
        let client = machine.faceAccepted(info: Self.info(.client, port: 2))!
        #expect(client.actions.isEmpty)
    }

    @Test func publicationsGoToPeersUntilTheirFinalThenOnlyByDeclaration() {
        var machine = Self.peer(accepting: [.peer, .client])
        let put = NetworkMessage.Push.Body.put(.init(payload: ByteBuffer(string: "x")))
        // Peer 1 has not sent D_FINAL(0): it gets everything; the client declared nothing: it gets nothing.
        #expect(machine.published(Fixture.key("k/1"), body: put, options: .default).sentFaces == [1])
        _ = machine.received(Self.finalZero, generation: 1)
        #expect(machine.published(Fixture.key("k/1"), body: put, options: .default).sentFaces == [])
        _ = machine.received(Fixture.declare(.subscriber(EntityDeclaration(id: 7, wireExpr: Fixture.wire("k/**")))), generation: 2)
        #expect(machine.published(Fixture.key("k/1"), body: put, options: .default).sentFaces == [2])
        _ = machine.received(Fixture.declare(.subscriber(EntityDeclaration(id: 1, wireExpr: Fixture.wire("k/1")))), generation: 1)
        #expect(machine.published(Fixture.key("k/1"), body: put, options: .default).sentFaces == [1, 2])
    }

    @Test func clientTrafficIsForwardedButNeverPeerToPeer() {
        var machine = Self.peer(accepting: [.peer, .peer, .client])
        for face: UInt64 in 1...3 {
            _ = machine.received(Self.finalZero, generation: face)
            _ = machine.received(Fixture.declare(.subscriber(EntityDeclaration(id: 1, wireExpr: Fixture.wire("k/**")))), generation: face)
        }
        #expect(machine.received(Fixture.push("k/a"), generation: 1).sentFaces == [3])  // peer → client only
        #expect(machine.received(Fixture.push("k/a"), generation: 3).sentFaces == [1, 2])  // client → both peers
    }

    @Test func aClientsInterestIsAnsweredWithLocalAndRoutedDeclarationsThenFutureOnes() {
        var machine = Self.peer(accepting: [.peer, .client])
        _ = machine.tokenDeclared(Fixture.key("live/local"))
        _ = machine.received(Fixture.declare(.token(EntityDeclaration(id: 5, wireExpr: Fixture.wire("live/peer")))), generation: 1)
        let interest = NetworkMessage.interest(
            .init(
                interestID: 9, mode: .currentFuture, options: [.keyExprs, .tokens], wireExpr: Fixture.wire("live/**")))
        let answer = machine.received(interest, generation: 2)
        let tokens = answer.declarations.compactMap { declaration, id -> String? in
            if case .token(let token) = declaration, id == 9 { token.wireExpr.suffix } else { nil }
        }
        #expect(tokens == ["live/local", "live/peer"])
        #expect(answer.sentMessages.last == .declare(.init(interestID: 9, qos: .declare, declaration: .final(FinalDeclaration()))))
        // Future part: a new token of the peer is passed on (no I flag), and so is its disappearance.
        let later = machine.received(Fixture.declare(.token(EntityDeclaration(id: 6, wireExpr: Fixture.wire("live/new")))), generation: 1)
        #expect(later.sentFaces == [2])
        #expect(later.declarations.first?.1 == nil)
        let gone = machine.received(
            Fixture.declare(.undeclareToken(EntityUndeclaration(id: 6, wireExpr: SessionMessages.emptyUndeclareExpr))), generation: 1)
        #expect(gone.sentFaces == [2])
    }

    @Test func aClientsQueryIsForwardedAndItsResponsesRoutedBackWithOneFinal() {
        var machine = Self.peer(accepting: [.peer, .client])
        _ = machine.queryableDeclared(Fixture.key("q/**"), isComplete: false)
        _ = machine.received(Fixture.declare(.queryable(QueryableDeclaration(id: 3, wireExpr: Fixture.wire("q/**")))), generation: 1)
        let actions = machine.received(Fixture.request(41, "q/x"), generation: 2)
        guard case .send(.request(let forwarded), _, 1) = actions.first else {
            Issue.record("not forwarded: \(actions)")
            return
        }
        #expect(actions.contains { if case .deliverQuery = $0 { true } else { false } })
        let response = NetworkMessage.response(
            .init(
                requestID: forwarded.requestID, wireExpr: Fixture.wire("q/x"),
                body: .reply(.init(body: .put(.init(payload: ByteBuffer(string: "r")))))))
        let back = machine.received(response, generation: 1)
        guard case .send(.response(let routed), _, 2) = back.first else {
            Issue.record("not routed back: \(back)")
            return
        }
        #expect(routed.requestID == 41)
        #expect(machine.received(.responseFinal(.init(requestID: forwarded.requestID)), generation: 1).isEmpty)
        // The local queryable finishing is the last part: one ResponseFinal(41) to the client.
        #expect(
            machine.inboundQueryFinished(generation: 2, requestID: 41).sentMessages
                == [.responseFinal(.init(requestID: 41, qos: .request))])
    }

    @Test func aFaceThatGoesTakesItsTokensAndUnblocksQueriesWaitingOnIt() {
        var machine = Self.peer(accepting: [.peer, .client])
        let live = machine.livelinessSubscriberDeclared(Fixture.key("live/**"), history: false).id
        _ = machine.received(Fixture.declare(.token(EntityDeclaration(id: 5, wireExpr: Fixture.wire("live/p")))), generation: 1)
        _ = machine.received(Fixture.declare(.queryable(QueryableDeclaration(id: 3, wireExpr: Fixture.wire("q/**")))), generation: 1)
        _ = machine.received(.interest(.init(interestID: 2, mode: .currentFuture, options: [.tokens])), generation: 2)
        let get = machine.getRequested(
            .init(
                selector: Selector(key: Fixture.key("q/a"), parameters: ""), body: nil, attachment: nil,
                target: .bestMatching, consolidation: .none, timeout: .seconds(10)), now: .now)
        #expect(get.actions.sentFaces == [1])
        let actions = machine.transportClosed(generation: 1, error: ZenohError(.leaseExpired, "silence"))
        #expect(actions.contains(.deliverLivelinessSample(ZenohSample(kind: .delete, key: Fixture.key("live/p")), subscriberIDs: [live])))
        #expect(actions.contains(.finishQuery(get.id, error: nil)))
        #expect(actions.sentFaces == [2])  // the client is told the token is gone
        #expect(machine.faces.keys.sorted() == [2])
    }

    @Test func peerLivelinessIsServedFromPushedTokensWithoutInterests() {
        var machine = Self.peer(accepting: [.peer])
        _ = machine.received(Fixture.declare(.token(EntityDeclaration(id: 5, wireExpr: Fixture.wire("live/p")))), generation: 1)
        let subscriber = machine.livelinessSubscriberDeclared(Fixture.key("live/**"), history: true)
        #expect(
            subscriber.actions == [
                .deliverLivelinessSample(ZenohSample(kind: .put, key: Fixture.key("live/p")), subscriberIDs: [subscriber.id])
            ])
        let get = machine.livelinessGetRequested(Fixture.key("live/**"), timeout: .seconds(1), now: .now)
        #expect(get.actions.sentMessages.isEmpty)
        #expect(get.actions.count == 2)
    }
}

extension [SessionAction] {
    /// The faces messages were sent to, in order, without repeats.
    var sentFaces: [UInt64] {
        var faces: [UInt64] = []
        for case .send(_, _, let face) in self where !faces.contains(face) { faces.append(face) }
        return faces
    }
}

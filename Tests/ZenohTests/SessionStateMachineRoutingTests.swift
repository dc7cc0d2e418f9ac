import NIOCore
import Testing
import ZenohProtocol
import ZenohTransport

@testable import Zenoh

@Suite("SessionStateMachine: routing inbound data and queries")
struct SessionStateMachineRoutingTests {
    @Test func pushGoesOnlyToIntersectingSubscribers() {
        var machine = Fixture.connected()
        let all = machine.subscriberDeclared(Fixture.key("demo/**")).id
        let one = machine.subscriberDeclared(Fixture.key("demo/a")).id
        _ = machine.subscriberDeclared(Fixture.key("other/**"))
        let actions = machine.received(Fixture.push("demo/a", payload: "hi"), generation: 1)
        #expect(
            actions == [
                .deliverSample(
                    ZenohSample(kind: .put, key: Fixture.key("demo/a"), payload: ByteBuffer(string: "hi")),
                    subscriberIDs: [all, one])
            ])
        #expect(machine.received(Fixture.push("nobody/here"), generation: 1).isEmpty)
    }

    @Test func rememberedRoutesFollowSubscriberChanges() {
        var machine = Fixture.connected()
        let first = machine.subscriberDeclared(Fixture.key("demo/*")).id
        func receivers() -> [UInt32] {
            guard case .deliverSample(_, let ids)? = machine.received(Fixture.push("demo/a"), generation: 1).first else {
                return []
            }
            return ids
        }
        #expect(receivers() == [first])
        #expect(receivers() == [first])  // now from the remembered route
        let second = machine.subscriberDeclared(Fixture.key("demo/a")).id
        #expect(receivers() == [first, second])
        _ = machine.subscriberUndeclared(first)
        #expect(receivers() == [second])
        _ = machine.subscriberUndeclared(second)
        #expect(receivers() == [])
    }

    @Test func senderMappingIsResolvedThroughTheRemoteKeyExprTable() {
        var machine = Fixture.connected()
        let sub = machine.subscriberDeclared(Fixture.key("cap/sub/**")).id
        _ = machine.received(
            Fixture.declare(.keyExpr(KeyExprDeclaration(id: 7, wireExpr: Fixture.wire("cap/sub", senderMapping: false)))), generation: 1)
        let actions = machine.received(Fixture.push("/x", scope: 7, senderMapping: true), generation: 1)
        guard case .deliverSample(let sample, let ids) = actions.first else {
            Issue.record("expected a delivery, got \(actions)")
            return
        }
        #expect(sample.key == Fixture.key("cap/sub/x"))
        #expect(ids == [sub])
        // An unknown scope is not resolvable: nothing is delivered.
        #expect(machine.received(Fixture.push("/x", scope: 9), generation: 1).isEmpty)
        // U_KEYEXPR forgets the id.
        _ = machine.received(Fixture.declare(.undeclareKeyExpr(KeyExprUndeclaration(id: 7))), generation: 1)
        #expect(machine.received(Fixture.push("/x", scope: 7), generation: 1).isEmpty)
    }

    @Test func receiverMappingUsesOurOwnTableWhichIsEmpty() {
        var machine = Fixture.connected()
        _ = machine.subscriberDeclared(Fixture.key("**"))
        _ = machine.received(Fixture.declare(.keyExpr(KeyExprDeclaration(id: 1, wireExpr: Fixture.wire("a")))), generation: 1)
        // M=0 with scope 1 refers to an id *we* declared; we declared none, so the remote's id 1 must not be used.
        #expect(machine.received(Fixture.push("/b", scope: 1, senderMapping: false), generation: 1).isEmpty)
        #expect(machine.received(Fixture.push("/b", scope: 1, senderMapping: true), generation: 1).count == 1)
    }

    @Test func pushTimestampAndDeleteBecomeSampleFields() {
        var machine = Fixture.connected()
        _ = machine.subscriberDeclared(Fixture.key("k"))
        let stamp = ZenohTimestamp(time: 42, id: Fixture.routerZid)
        let push = NetworkMessage.push(
            .init(
                wireExpr: Fixture.wire("k"), timestamp: stamp, body: .del(.init(attachment: ByteBuffer(string: "att")))))
        let actions = machine.received(push, generation: 1)
        #expect(
            actions == [
                .deliverSample(
                    ZenohSample(kind: .delete, key: Fixture.key("k"), attachment: ByteBuffer(string: "att"), timestamp: stamp),
                    subscriberIDs: [1])
            ])
    }

    @Test func requestWithoutMatchingQueryableGetsExactlyOneFinal() {
        var machine = Fixture.connected()
        _ = machine.queryableDeclared(Fixture.key("other/**"), isComplete: false)
        let actions = machine.received(Fixture.request(9, "demo/a"), generation: 1)
        #expect(actions == [.send(.responseFinal(.init(requestID: 9, qos: .request)), ZenohSendOptions.request, face: 1)])
        #expect(machine.inboundRequests.isEmpty)
    }

    @Test func requestToSeveralQueryablesIsFinalizedOnceWhenTheLastFinishes() {
        var machine = Fixture.connected()
        let first = machine.queryableDeclared(Fixture.key("demo/**"), isComplete: false).id
        let second = machine.queryableDeclared(Fixture.key("demo/a"), isComplete: true).id
        let actions = machine.received(Fixture.request(4, "demo/a", parameters: "x=1"), generation: 1)
        guard case .deliverQuery(let query, let ids) = actions.first else {
            Issue.record("expected a query delivery, got \(actions)")
            return
        }
        #expect(ids == [first, second])
        #expect(query.parameters == "x=1")
        #expect(machine.canReply(generation: 1, requestID: 4))
        #expect(machine.inboundQueryFinished(generation: 1, requestID: 4).isEmpty)
        #expect(machine.inboundQueryFinished(generation: 1, requestID: 4).sentMessages == [.responseFinal(.init(requestID: 4))])
        #expect(machine.inboundQueryFinished(generation: 1, requestID: 4).isEmpty)
        #expect(!machine.canReply(generation: 1, requestID: 4))
    }

    @Test func finalOfARequestFromALostTransportIsNotSentOnTheNewOne() {
        var machine = Fixture.connected()
        _ = machine.queryableDeclared(Fixture.key("q"), isComplete: false)
        _ = machine.received(Fixture.request(1, "q"), generation: 1)
        _ = machine.transportClosed(generation: 1, error: ZenohError(.connectionClosed, "gone"))
        let generation = machine.connectAttemptStarted() ?? 0
        _ = machine.connectionEstablished(generation: generation, info: Fixture.info())
        #expect(machine.inboundQueryFinished(generation: 1, requestID: 1).isEmpty)
    }

    @Test func getSendsRequestAndCompletesOnResponseFinal() {
        var machine = Fixture.connected()
        let now = ContinuousClock.now
        let get = SessionStateMachine.GetRequest(
            selector: Selector(key: Fixture.key("demo/**"), parameters: ""), body: nil,
            attachment: ByteBuffer(string: "a"), target: .all, consolidation: .none, timeout: .seconds(2))
        let (id, actions) = machine.getRequested(get, now: now)
        #expect(id == .get(1))
        #expect(
            actions == [
                .send(
                    .request(
                        .init(
                            requestID: 1, wireExpr: Fixture.wire("demo/**"), qos: .request, target: .all, timeoutMilliseconds: 2000,
                            query: .init(consolidation: .none, attachment: ByteBuffer(string: "a")))), .request, face: 1)
            ])
        let reply = NetworkMessage.response(
            .init(
                requestID: 1, wireExpr: Fixture.wire("demo/x"), body: .reply(.init(body: .put(.init(payload: ByteBuffer(string: "r")))))))
        let delivered = machine.received(reply, generation: 1)
        #expect(
            delivered == [
                .deliverReply(
                    ZenohReply(
                        result: .success(
                            ZenohSample(kind: .put, key: Fixture.key("demo/x"), payload: ByteBuffer(string: "r")))), to: .get(1))
            ])
        #expect(machine.received(.responseFinal(.init(requestID: 1)), generation: 1) == [.finishQuery(.get(1), error: nil)])
        #expect(machine.received(.responseFinal(.init(requestID: 1)), generation: 1).isEmpty)
    }

    @Test func getDropsRepliesWhoseKeyDoesNotIntersectUnlessAnyke() {
        var machine = Fixture.connected()
        let strict = machine.getRequested(
            .init(
                selector: Selector(key: Fixture.key("demo/a"), parameters: ""), body: nil, attachment: nil,
                target: .bestMatching, consolidation: .none, timeout: .seconds(1)), now: .now)
        let anyKey = machine.getRequested(
            .init(
                selector: Selector(key: Fixture.key("demo/a"), parameters: "_anyke"), body: nil, attachment: nil,
                target: .bestMatching, consolidation: .none, timeout: .seconds(1)), now: .now)
        for id in [strict.id, anyKey.id] {
            guard case .get(let requestID) = id else { continue }
            let reply = NetworkMessage.response(
                .init(
                    requestID: requestID, wireExpr: Fixture.wire("elsewhere"), body: .err(.init(payload: ByteBuffer(string: "e")))))
            let actions = machine.received(reply, generation: 1)
            #expect(actions.count == (id == strict.id ? 0 : 1))
        }
    }

    @Test func getTimesOutAtItsDeadlineAndFailsWhenDisconnected() {
        var machine = Fixture.connected()
        let now = ContinuousClock.now
        let request = SessionStateMachine.GetRequest(
            selector: Selector(key: Fixture.key("k"), parameters: ""), body: nil, attachment: nil,
            target: .bestMatching, consolidation: .auto, timeout: .seconds(3))
        let id = machine.getRequested(request, now: now).id
        #expect(machine.nextDeadline == now + .seconds(3))
        #expect(machine.deadlinesPassed(now: now + .seconds(2)).isEmpty)
        #expect(machine.deadlinesPassed(now: now + .seconds(3)) == [.finishQuery(id, error: nil)])
        var offline = SessionStateMachine()
        let failed = offline.getRequested(request, now: now)
        #expect(failed.actions == [.finishQuery(failed.id, error: ZenohError(.connectionClosed, ""))])
    }

    @Test func messagesFromAnOlderTransportAreIgnored() {
        var machine = Fixture.connected()
        _ = machine.subscriberDeclared(Fixture.key("k"))
        #expect(machine.received(Fixture.push("k"), generation: 0).isEmpty)
        #expect(machine.received(Fixture.push("k"), generation: 1).count == 1)
    }

    @Test func remoteInterestIsAnsweredWithMatchingDeclarationsThenFinal() {
        var machine = Fixture.connected()
        _ = machine.subscriberDeclared(Fixture.key("a/b"))
        _ = machine.subscriberDeclared(Fixture.key("z"))
        _ = machine.tokenDeclared(Fixture.key("a/t"))
        let interest = NetworkMessage.interest(
            .init(
                interestID: 3, mode: .currentFuture, options: [.subscribers, .tokens], wireExpr: Fixture.wire("a/**")))
        let answers = machine.received(interest, generation: 1).declarations
        #expect(
            answers.map(\.0) == [
                .subscriber(EntityDeclaration(id: 1, wireExpr: Fixture.wire("a/b"))),
                .token(EntityDeclaration(id: 3, wireExpr: Fixture.wire("a/t"))),
                .final(FinalDeclaration()),
            ])
        #expect(answers.allSatisfy { $0.1 == 3 })
        let future = NetworkMessage.interest(.init(interestID: 4, mode: .future, options: [.subscribers]))
        #expect(machine.received(future, generation: 1).declarations.map(\.0) == [.final(FinalDeclaration())])
    }

    private func reply(_ requestID: UInt32, _ key: String, _ payload: String, time: UInt64?) -> NetworkMessage {
        let put = ZenohMessage.Put(
            timestamp: time.map { ZenohTimestamp(time: $0, id: Fixture.routerZid) }, payload: ByteBuffer(string: payload))
        return .response(.init(requestID: requestID, wireExpr: Fixture.wire(key), body: .reply(.init(body: .put(put)))))
    }

    private func payloads(_ actions: [SessionAction]) -> [String] {
        actions.compactMap { if case .deliverReply(let reply, _) = $0 { reply.sample.map { String(buffer: $0.payload) } } else { nil } }
    }

    @Test func autoConsolidationIsSentAsLatestAndKeepsTheNewestReplyPerKeyUntilTheEnd() {
        var machine = Fixture.connected()
        let get = SessionStateMachine.GetRequest(
            selector: Selector(key: Fixture.key("k/*"), parameters: ""), body: nil, attachment: nil,
            target: .bestMatching, consolidation: .auto, timeout: .seconds(5))
        let (id, sent) = machine.getRequested(get, now: .now)
        guard case .request(let request)? = sent.sentMessages.first, case .get(let requestID) = id else {
            Issue.record("expected a Request")
            return
        }
        #expect(request.query.consolidation == .latest)
        #expect(machine.received(reply(requestID, "k/a", "old", time: 1), generation: 1).isEmpty)
        #expect(machine.received(reply(requestID, "k/b", "only", time: nil), generation: 1).isEmpty)
        #expect(machine.received(reply(requestID, "k/a", "new", time: 2), generation: 1).isEmpty)
        #expect(machine.received(reply(requestID, "k/a", "stale", time: 1), generation: 1).isEmpty)
        let end = machine.received(.responseFinal(.init(requestID: requestID)), generation: 1)
        #expect(payloads(end) == ["new", "only"])
        #expect(end.last == .finishQuery(id, error: nil))
    }

    @Test func monotonicConsolidationDropsRepliesOlderThanTheLastDelivered() {
        var machine = Fixture.connected()
        let get = SessionStateMachine.GetRequest(
            selector: Selector(key: Fixture.key("k"), parameters: ""), body: nil, attachment: nil,
            target: .bestMatching, consolidation: .monotonic, timeout: .seconds(5))
        guard case .get(let requestID) = machine.getRequested(get, now: .now).id else { return }
        #expect(payloads(machine.received(reply(requestID, "k", "1", time: 1), generation: 1)) == ["1"])
        #expect(payloads(machine.received(reply(requestID, "k", "0", time: 0), generation: 1)).isEmpty)
        #expect(payloads(machine.received(reply(requestID, "k", "3", time: 3), generation: 1)) == ["3"])
    }
}

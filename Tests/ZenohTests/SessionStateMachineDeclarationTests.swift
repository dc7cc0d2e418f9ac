import NIOCore
import Testing
import ZenohProtocol
import ZenohTransport

@testable import Zenoh

@Suite("SessionStateMachine: declarations")
struct SessionStateMachineDeclarationTests {
    @Test func subscriberQueryableTokenShareOneCounterAndSendDeclares() {
        var machine = Fixture.connected()
        let sub = machine.subscriberDeclared(Fixture.key("demo/**"))
        let queryable = machine.queryableDeclared(Fixture.key("demo/q"), isComplete: true)
        let token = machine.tokenDeclared(Fixture.key("group/me"))
        #expect([sub.id, queryable.id, token.id] == [1, 2, 3])
        #expect(
            sub.actions == [
                .send(
                    .declare(
                        .init(
                            qos: .declare,
                            declaration: .subscriber(
                                EntityDeclaration(id: 1, wireExpr: Fixture.wire("demo/**"))))), .control, face: 1)
            ])
        #expect(
            queryable.actions == [
                .send(
                    .declare(
                        .init(
                            qos: .declare,
                            declaration: .queryable(
                                QueryableDeclaration(id: 2, wireExpr: Fixture.wire("demo/q"), info: .init(isComplete: true))))), .control,
                    face: 1)
            ])
        #expect(
            token.actions == [
                .send(
                    .declare(
                        .init(
                            qos: .declare,
                            declaration: .token(
                                EntityDeclaration(id: 3, wireExpr: Fixture.wire("group/me"))))), .control, face: 1)
            ])
    }

    @Test func undeclarationsCarryTheIdAndAreSentOnce() {
        var machine = Fixture.connected()
        let sub = machine.subscriberDeclared(Fixture.key("a")).id
        let queryable = machine.queryableDeclared(Fixture.key("b"), isComplete: false).id
        let token = machine.tokenDeclared(Fixture.key("c")).id
        let undeclarations =
            machine.subscriberUndeclared(sub) + machine.queryableUndeclared(queryable)
            + machine.tokenUndeclared(token)
        let expected: [Declaration] = [
            .undeclareSubscriber(EntityUndeclaration(id: sub)),
            .undeclareQueryable(EntityUndeclaration(id: queryable, wireExpr: SessionMessages.emptyUndeclareExpr)),
            .undeclareToken(EntityUndeclaration(id: token, wireExpr: SessionMessages.emptyUndeclareExpr)),
        ]
        #expect(undeclarations.declarations.map(\.0) == expected)
        #expect(machine.subscriberUndeclared(sub).isEmpty)
        #expect(machine.tokenUndeclared(token).isEmpty)
    }

    @Test func livelinessSubscriberSendsInterestWithKeyExprsAndTokens() {
        var machine = Fixture.connected()
        let withHistory = machine.livelinessSubscriberDeclared(Fixture.key("group/**"), history: true)
        let withoutHistory = machine.livelinessSubscriberDeclared(Fixture.key("other/*"), history: false)
        #expect(
            withHistory.actions.sentMessages == [
                .interest(
                    .init(
                        interestID: 1, mode: .currentFuture, options: [.keyExprs, .tokens], wireExpr: Fixture.wire("group/**")))
            ])
        #expect(
            withoutHistory.actions.sentMessages == [
                .interest(
                    .init(
                        interestID: 2, mode: .future, options: [.keyExprs, .tokens], wireExpr: Fixture.wire("other/*")))
            ])
        #expect(machine.livelinessSubscriberUndeclared(1).sentMessages == [.interest(.init(interestID: 1, mode: .final))])
    }

    @Test func interestWireBytesMatchRust() {
        // `99 <id> 21 08`: Interest Final with the control QoS extension (zenoh-protocol.md §8.6).
        var buffer = ByteBuffer()
        buffer.writeZenohNetworkMessage(.interest(.init(interestID: 5, mode: .final)))
        #expect(Array(buffer.readableBytesView) == [0x99, 0x05, 0x21, 0x08])
        // CurrentFuture with options 0x79 = K + T + R + N + M.
        var subscribe = ByteBuffer()
        subscribe.writeZenohNetworkMessage(
            .interest(
                .init(
                    interestID: 1, mode: .currentFuture, options: [.keyExprs, .tokens], wireExpr: Fixture.wire("g"))))
        #expect(Array(subscribe.readableBytesView.prefix(3)) == [0xF9, 0x01, 0x79])
    }

    @Test func declarationsWhileDisconnectedAreRecordedNotSent() {
        var machine = SessionStateMachine()
        #expect(machine.subscriberDeclared(Fixture.key("a")).actions.isEmpty)
        #expect(machine.tokenDeclared(Fixture.key("t")).actions.isEmpty)
        #expect(machine.livelinessSubscriberDeclared(Fixture.key("l/**"), history: true).actions.isEmpty)
        let generation = machine.connectAttemptStarted() ?? 0
        let actions = (try? machine.connectionEstablished(generation: generation, info: Fixture.info()).get()) ?? []
        #expect(
            actions.declarations.map(\.0) == [
                .subscriber(EntityDeclaration(id: 1, wireExpr: Fixture.wire("a"))),
                .token(EntityDeclaration(id: 2, wireExpr: Fixture.wire("t"))),
            ])
        #expect(
            actions.sentMessages.contains(
                .interest(
                    .init(
                        interestID: 1, mode: .currentFuture, options: [.keyExprs, .tokens], wireExpr: Fixture.wire("l/**")))))
        #expect(actions.last == .emit(.connected(Fixture.info())))
    }

    @Test func putIsSentWithItsQoSAndDeliveredToLocalSubscribers() {
        var machine = Fixture.connected()
        let sub = machine.subscriberDeclared(Fixture.key("demo/*")).id
        _ = machine.subscriberDeclared(Fixture.key("other"))
        let options = ZenohPublicationOptions(priority: .realTime, congestionControl: .block, isExpress: true)
        let put = ZenohMessage.Put(payload: ByteBuffer(string: "x"))
        let actions = machine.published(Fixture.key("demo/a"), body: .put(put), options: options)
        #expect(
            actions.first
                == .send(
                    .push(.init(wireExpr: Fixture.wire("demo/a"), qos: ZenohQoS(rawValue: 0x19), body: .put(put))),
                    ZenohSendOptions(priority: .realTime, congestionControl: .block, isExpress: true), face: 1))
        #expect(
            actions.last
                == .deliverSample(
                    ZenohSample(
                        kind: .put, key: Fixture.key("demo/a"), payload: ByteBuffer(string: "x"), qos: ZenohQoS(rawValue: 0x19)),
                    subscriberIDs: [sub]))
    }

    @Test func repeatedPutsOnOneKeyFollowLocalSubscribersAsTheyComeAndGo() {
        var machine = Fixture.connected()
        let put = NetworkMessage.Push.Body.put(.init(payload: ByteBuffer(string: "x")))
        func delivered(_ machine: inout SessionStateMachine) -> [UInt32] {
            let actions = machine.published(Fixture.key("demo/a"), body: put, options: .default)
            #expect(actions.sentMessages.count == 1)
            guard case .deliverSample(_, let ids) = actions.last else { return [] }
            return ids
        }
        #expect(delivered(&machine) == [])
        #expect(delivered(&machine) == [])
        let sub = machine.subscriberDeclared(Fixture.key("demo/**")).id
        #expect(delivered(&machine) == [sub])
        #expect(delivered(&machine) == [sub])
        _ = machine.subscriberUndeclared(sub)
        #expect(delivered(&machine) == [])
    }

    @Test func defaultPutUsesDataDropAndOmitsTheQoSExtension() {
        let options = ZenohPublicationOptions.default
        #expect(options.qos == .default)
        #expect(options.sendOptions == ZenohSendOptions(priority: .data, congestionControl: .drop))
    }

    @Test func putWhileDisconnectedIsOnlyDeliveredLocally() {
        var machine = SessionStateMachine()
        _ = machine.subscriberDeclared(Fixture.key("k"))
        let actions = machine.published(Fixture.key("k"), body: .del(.init()), options: .default)
        #expect(actions.sentMessages.isEmpty)
        #expect(actions.count == 1)
    }
}

import NIOCore
import Testing
import ZenohProtocol
import ZenohTransport

@testable import Zenoh

@Suite("SessionStateMachine: connection, loss and reconnect")
struct SessionStateMachineConnectionTests {
    @Test func lossFailsPendingQueriesForgetsRemoteTablesAndStartsReconnecting() {
        var machine = Fixture.connected()
        let get = machine.getRequested(
            .init(
                selector: Selector(key: Fixture.key("k"), parameters: ""), body: nil, attachment: nil,
                target: .bestMatching, consolidation: .auto, timeout: .seconds(10)), now: .now
        ).id
        let livelinessGet = machine.livelinessGetRequested(Fixture.key("l"), timeout: .seconds(10), now: .now).id
        _ = machine.received(Fixture.declare(.keyExpr(KeyExprDeclaration(id: 1, wireExpr: Fixture.wire("p")))), generation: 1)
        let error = ZenohError(.connectionClosed, "router went away")
        let actions = machine.transportClosed(generation: 1, error: error)
        #expect(actions.contains(.finishQuery(get, error: ZenohError(.connectionClosed, ""))))
        #expect(actions.contains(.finishQuery(livelinessGet, error: ZenohError(.connectionClosed, ""))))
        #expect(actions.suffix(2) == [.emit(.disconnected(error)), .startReconnecting])
        #expect(machine.faces.isEmpty)
        #expect(!machine.isConnected)
        // A second `.closed` for the same transport changes nothing.
        #expect(machine.transportClosed(generation: 1, error: error).isEmpty)
    }

    @Test func reconnectRedeclaresEverythingAndReportsReconnected() {
        var machine = Fixture.connected()
        _ = machine.subscriberDeclared(Fixture.key("s/**"))
        _ = machine.queryableDeclared(Fixture.key("q"), isComplete: true)
        _ = machine.tokenDeclared(Fixture.key("t"))
        _ = machine.livelinessSubscriberDeclared(Fixture.key("l/**"), history: true)
        let removed = machine.subscriberDeclared(Fixture.key("gone")).id
        _ = machine.subscriberUndeclared(removed)
        _ = machine.transportClosed(generation: 1, error: ZenohError(.connectionClosed, "x"))
        // Declared while disconnected: recorded, sent with the rest.
        #expect(machine.subscriberDeclared(Fixture.key("late")).actions.isEmpty)
        let generation = machine.connectAttemptStarted() ?? 0
        #expect(generation == 2)
        let info = Fixture.info(port: 9000)
        let actions = (try? machine.connectionEstablished(generation: generation, info: info).get()) ?? []
        #expect(
            actions.declarations.map(\.0) == [
                .subscriber(EntityDeclaration(id: 1, wireExpr: Fixture.wire("s/**"))),
                .queryable(QueryableDeclaration(id: 2, wireExpr: Fixture.wire("q"), info: .init(isComplete: true))),
                .token(EntityDeclaration(id: 3, wireExpr: Fixture.wire("t"))),
                .subscriber(EntityDeclaration(id: 5, wireExpr: Fixture.wire("late"))),
            ])
        #expect(
            actions.sentMessages.contains(
                .interest(
                    .init(
                        interestID: 1, mode: .currentFuture, options: [.keyExprs, .tokens], wireExpr: Fixture.wire("l/**")))))
        #expect(actions.last == .emit(.reconnected(info)))
        #expect(machine.isConnected)
    }

    @Test func aCloseThatBeatsTheEstablishmentFailsTheAttempt() {
        var machine = SessionStateMachine()
        let generation = machine.connectAttemptStarted() ?? 0
        #expect(machine.transportClosed(generation: generation, error: ZenohError(.connectionClosed, "early")).isEmpty)
        let result = machine.connectionEstablished(generation: generation, info: Fixture.info())
        #expect(throws: ZenohError(.connectionClosed, "")) { try result.get() }
        #expect(!machine.isConnected)
    }

    @Test func withoutReconnectTheSessionStaysDisconnected() {
        var machine = Fixture.connected(reconnects: false)
        let actions = machine.transportClosed(generation: 1, error: ZenohError(.leaseExpired, "x"))
        #expect(!actions.contains(.startReconnecting))
    }

    @Test func closeEndsEverythingAndRefusesNewAttempts() {
        var machine = Fixture.connected()
        let get = machine.livelinessGetRequested(Fixture.key("l"), timeout: .seconds(1), now: .now).id
        #expect(machine.closeRequested() == [.finishQuery(get, error: ZenohError(.sessionClosed, ""))])
        #expect(machine.connectAttemptStarted() == nil)
        #expect(machine.transportClosed(generation: 1, error: ZenohError(.sessionClosed, "")).isEmpty)
        let late = machine.connectionEstablished(generation: 1, info: Fixture.info())
        #expect(throws: ZenohError(.sessionClosed, "")) { try late.get() }
    }

    @Test func backoffDoublesUpToTheMaximumWithBoundedJitter() {
        var backoff = ReconnectBackoff(policy: .init(initialDelay: .milliseconds(500), maximumDelay: .seconds(2), jitter: 0.2))
        let delays = (0..<5).map { _ in backoff.nextDelay(unit: 0.5) }
        #expect(delays == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(2), .seconds(2)])
        backoff.reset()
        #expect(backoff.nextDelay(unit: 0) == .milliseconds(400))
        #expect(backoff.nextDelay(unit: 1) == .milliseconds(1200))
    }
}

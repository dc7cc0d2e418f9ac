import NIOCore
import Synchronization
import Testing
import ZenohProtocol
import ZenohTransport

@testable import Zenoh

@Suite("ZenohSession over an in-memory transport")
struct ZenohSessionMockTests {
    @Test func openTriesEndpointsInOrderAndFailsWithTheLastError() async throws {
        let connector = MockConnector(refusing: [1])
        let session = try await ZenohSession.open(configuration: .mock(ports: [1, 2]), connector: connector)
        #expect(connector.attemptedPorts == [1, 2])
        #expect(session.isConnected)
        #expect(session.transportInfo?.endpoint.port == 2)
        await session.close()
        await #expect(throws: ZenohError(.connectionFailed, "")) {
            _ = try await ZenohSession.open(configuration: .mock(ports: [3]), connector: MockConnector(refusing: [3]))
        }
        await #expect(throws: ZenohError(.invalidConfiguration, "")) {
            _ = try await ZenohSession.open(configuration: .mock(ports: []), connector: connector)
        }
    }

    @Test func invalidKeysAreRefusedNamingTheKey() async throws {
        let session = try await ZenohSession.open(configuration: .mock(), connector: MockConnector())
        defer { Task { await session.close() } }
        do {
            _ = try session.declareSubscriber("a//b")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidKeyExpr)
            #expect(error.message.contains("'a//b'"))
        }
    }

    @Test func subscriberSequenceAndCallbackReceivePushesUntilUndeclared() async throws {
        let connector = MockConnector()
        let session = try await ZenohSession.open(configuration: .mock(), connector: connector)
        let subscriber = try session.declareSubscriber("demo/**")
        let seen = Mutex<[String]>([])
        let callback = try session.declareSubscriber("demo/a") { sample in
            seen.withLock { $0.append(String(buffer: sample.payload)) }
        }
        let link = try #require(connector.last)
        link.inject(Fixture.push("demo/a", payload: "one"))
        link.inject(Fixture.push("other", payload: "no"))
        var iterator = subscriber.makeAsyncIterator()
        let sample = await iterator.next()
        #expect(sample?.key.description == "demo/a")
        #expect(sample.map { String(buffer: $0.payload) } == "one")
        #expect(seen.withLock { $0 } == ["one"])
        subscriber.undeclare()
        #expect(await iterator.next() == nil)
        #expect(link.sentMessages.contains(Fixture.declare(.undeclareSubscriber(EntityUndeclaration(id: 1)))))
        callback.undeclare()
        await session.close()
    }

    @Test func releasedQueryIsFinalizedExactlyOnce() async throws {
        let connector = MockConnector()
        let session = try await ZenohSession.open(configuration: .mock(), connector: connector)
        let queryable = try session.declareQueryable("calc/**")
        let link = try #require(connector.last)
        link.inject(
            .request(
                .init(
                    requestID: 77, wireExpr: Fixture.wire("calc/add"),
                    query: .init(
                        parameters: "a=1", body: .init(encoding: .textPlain, payload: ByteBuffer(string: "q")),
                        attachment: ByteBuffer(string: "att")))))
        var iterator = queryable.makeAsyncIterator()
        do {
            let query = try #require(await iterator.next())
            #expect(query.selector == "calc/add?a=1")
            #expect(query.payload == ByteBuffer(string: "q"))
            #expect(query.encoding == .textPlain)
            #expect(query.attachment == ByteBuffer(string: "att"))
            try query.reply(key: "calc/add", payload: ByteBuffer(string: "2"))
            #expect(throws: ZenohError(.invalidKeyExpr, "")) { try query.reply(key: "elsewhere", payload: ByteBuffer()) }
        }  // the query is released here
        let finals = link.sentMessages.filter { if case .responseFinal = $0 { true } else { false } }
        #expect(finals == [.responseFinal(.init(requestID: 77))])
        let responses = link.sentMessages.filter { if case .response = $0 { true } else { false } }
        #expect(responses.count == 1)
        // No queryable matches: the final goes out at once.
        link.inject(Fixture.request(78, "nothing/here"))
        #expect(link.sentMessages.last == .responseFinal(.init(requestID: 78)))
        queryable.undeclare()
        await session.close()
    }

    @Test func getCollectsRepliesUntilResponseFinal() async throws {
        let connector = MockConnector()
        let session = try await ZenohSession.open(configuration: .mock(), connector: connector)
        let replies = try session.get(
            "demo/**?x=1", payload: ByteBuffer(string: "p"), attachment: ByteBuffer(string: "a"), consolidation: .none)
        let link = try #require(connector.last)
        guard case .request(let request) = link.sentMessages.last else {
            Issue.record("expected a Request, sent \(link.sentMessages)")
            return
        }
        #expect(request.query.parameters == "x=1")
        #expect(request.timeoutMilliseconds == 5000)
        link.inject(
            .response(
                .init(
                    requestID: request.requestID, wireExpr: Fixture.wire("demo/a"),
                    body: .reply(.init(body: .put(.init(payload: ByteBuffer(string: "r"))))))))
        link.inject(
            .response(
                .init(
                    requestID: request.requestID, wireExpr: Fixture.wire("demo/b"), body: .err(.init(payload: ByteBuffer(string: "bad"))))))
        link.inject(.responseFinal(.init(requestID: request.requestID)))
        let all = try await replies.collect()
        #expect(all.map { $0.sample?.key.description } == ["demo/a", nil])
        #expect(all.last?.error?.description == "bad")
        await session.close()
    }

    @Test func lostLinkReconnectsRedeclaresAndFailsPendingGets() async throws {
        let connector = MockConnector()
        let session = try await ZenohSession.open(configuration: .mock(ports: [1, 2]), connector: connector)
        let events = session.connectionEvents
        var eventIterator = events.makeAsyncIterator()
        #expect(await eventIterator.next() == .connected(Fixture.info(port: 1)))
        let subscriber = try session.declareSubscriber("s/**")
        let token = try session.liveliness.declareToken("alive/me")
        let pending = try session.get("k")
        let first = try #require(connector.last)
        connector.refuse([1])  // the first router is gone: the session must move on to the second
        first.drop()
        await #expect(throws: ZenohError(.connectionClosed, "")) { _ = try await pending.collect() }
        guard case .disconnected = await eventIterator.next() else {
            Issue.record("expected .disconnected")
            return
        }
        #expect(await eventIterator.next() == .reconnected(Fixture.info(port: 2)))
        let second = try #require(connector.last)
        #expect(second !== first)
        #expect(second.sentMessages.contains(Fixture.declare(.subscriber(EntityDeclaration(id: 1, wireExpr: Fixture.wire("s/**"))))))
        #expect(second.sentMessages.contains(Fixture.declare(.token(EntityDeclaration(id: 2, wireExpr: Fixture.wire("alive/me"))))))
        second.inject(Fixture.push("s/after"))
        var iterator = subscriber.makeAsyncIterator()
        #expect(await iterator.next()?.key.description == "s/after")
        token.undeclare()
        await session.close()
        #expect(await eventIterator.next() == nil)
        #expect(await iterator.next() == nil)
    }

    @Test func putWhileDisconnectedIsDroppedAndAfterCloseThrows() async throws {
        var configuration = ZenohConfiguration.mock()
        configuration.reconnect = .disabled
        let connector = MockConnector()
        let session = try await ZenohSession.open(configuration: configuration, connector: connector)
        #expect(try session.put("k", payload: ByteBuffer(string: "v")))
        connector.last?.drop()
        #expect(!session.isConnected)
        #expect(try session.put("k", payload: ByteBuffer(string: "v")) == false)
        await session.close()
        #expect(throws: ZenohError(.sessionClosed, "")) { try session.put("k", payload: ByteBuffer()) }
    }

    @Test func livelinessSubscriberAndGetThroughTheFacade() async throws {
        let connector = MockConnector()
        let session = try await ZenohSession.open(configuration: .mock(), connector: connector)
        let subscriber = try session.liveliness.declareSubscriber("group/**", history: true)
        let link = try #require(connector.last)
        link.inject(Fixture.declare(.token(EntityDeclaration(id: 4, wireExpr: Fixture.wire("group/a"))), interestID: 1))
        link.inject(Fixture.declare(.final(FinalDeclaration()), interestID: 1))
        link.inject(Fixture.declare(.undeclareToken(EntityUndeclaration(id: 4, wireExpr: Fixture.wire("")))))
        var iterator = subscriber.makeAsyncIterator()
        #expect(await iterator.next() == ZenohSample(kind: .put, key: Fixture.key("group/a")))
        #expect(await iterator.next() == ZenohSample(kind: .delete, key: Fixture.key("group/a")))
        let replies = try session.liveliness.get("group/**")
        link.inject(Fixture.declare(.token(EntityDeclaration(id: 9, wireExpr: Fixture.wire("group/b"))), interestID: 2))
        link.inject(Fixture.declare(.final(FinalDeclaration()), interestID: 2))
        #expect(try await replies.collect().map { $0.sample?.key.description } == ["group/b"])
        subscriber.undeclare()
        #expect(link.sentMessages.last == .interest(.init(interestID: 1, mode: .final)))
        await session.close()
    }

    @Test func releasingEntitiesUndeclaresThem() async throws {
        let connector = MockConnector()
        let session = try await ZenohSession.open(configuration: .mock(), connector: connector)
        let link = try #require(connector.last)
        do {
            _ = try session.declareSubscriber("a")
            _ = try session.declareQueryable("b")
            _ = try session.liveliness.declareToken("c")
        }
        let undeclared = link.sentMessages.compactMap { message -> UInt8? in
            guard case .declare(let declare) = message else { return nil }
            switch declare.declaration {
            case .undeclareSubscriber, .undeclareQueryable, .undeclareToken: return declare.declaration.id.rawValue
            default: return nil
            }
        }
        #expect(undeclared == [0x03, 0x05, 0x07])
        await session.close()
    }
}

import Foundation
import InteropSupport
import NIOCore
import Testing
import Zenoh
import ZenohProtocol
import ZenohTransport

/// The Swift session against a real Rust router (`eclipse-zenoh` 1.10.2) and Python clients.
@Suite("Zenoh session ⇄ Rust router", .serialized)
struct ZenohInteropTests {
    @Test func pythonPutAndDeleteReachASwiftSubscriber() async throws {
        let router = try await Interop.router()
        defer { router.stop() }
        let session = try await Interop.session(router)
        let samples = Collector<ZenohSample>()
        let subscriber = try session.declareSubscriber("demo/**") { samples.append($0) }
        _ = try await Interop.run(
            router,
            [
                "put", "-k", "demo/a", "-p", Interop.hex("hello"), "-a", Interop.hex("att"), "--encoding", "text/plain",
            ])
        let put = try await samples.wait("the PUT") { !$0.isEmpty }[0]
        #expect(put.kind == .put)
        #expect(put.key.description == "demo/a")
        #expect(put.payload.text == "hello")
        #expect(put.attachment?.text == "att")
        #expect(put.encoding == .textPlain)
        #expect(put.timestamp != nil)  // added by the router
        _ = try await Interop.run(router, ["delete", "-k", "demo/a", "-a", Interop.hex("del-att")])
        let delete = try await samples.wait("the DELETE") { $0.count >= 2 }[1]
        #expect(delete.kind == .delete)
        #expect(delete.attachment?.text == "del-att")
        subscriber.undeclare()
        await session.close()
    }

    @Test func swiftPutAndDeleteReachAPythonSubscriber() async throws {
        let router = try await Interop.router()
        defer { router.stop() }
        let session = try await Interop.session(router)
        let python = try Interop.python(router, ["sub", "-k", "demo/**"])
        defer { python.stop() }
        try await python.ready()
        // The Python subscriber's declaration reaches the router asynchronously: publish until it is seen.
        let line = try await Self.repeatUntilSeen(python, kind: "PUT") {
            try session.put(
                "demo/swift", payload: ByteBuffer(string: "from swift"), encoding: .applicationJSON,
                attachment: ByteBuffer(string: "meta"))
        }
        #expect(line["key"] == "demo/swift")
        #expect(line["payload"] == Interop.hex("from swift"))
        #expect(line["attachment"] == Interop.hex("meta"))
        #expect(line["encoding"] == "application/json")
        let publisher = try session.declarePublisher("demo/pub", options: .init(priority: .realTime, isExpress: true))
        try publisher.delete(attachment: ByteBuffer(string: "bye"))
        let delete = try await python.waitForJSON { $0["kind"] as? String == "DELETE" }
        #expect(delete["key"] == "demo/pub")
        #expect(delete["attachment"] == Interop.hex("bye"))
        await session.close()
    }

    @Test func pythonGetIsAnsweredBySwiftQueryable() async throws {
        let router = try await Interop.router()
        defer { router.stop() }
        let session = try await Interop.session(router)
        let queries = Collector<String>()
        let queryable = try session.declareQueryable("calc/**") { query in
            queries.append("\(query.selector) \(query.payload?.text ?? "-") \(query.attachment?.text ?? "-")")
            try? query.reply(key: "calc/add", payload: ByteBuffer(string: "42"), attachment: ByteBuffer(string: "r-att"))
        }
        let replies = try await Interop.run(
            router,
            [
                "get", "-k", "calc/add?x=1", "-p", Interop.hex("qp"), "-a", Interop.hex("qa"),
            ])
        #expect(replies.count == 1)
        #expect(replies.first?["reply"] == "ok")
        #expect(replies.first?["key"] == "calc/add")
        #expect(replies.first?["payload"] == Interop.hex("42"))
        #expect(replies.first?["attachment"] == Interop.hex("r-att"))
        #expect(queries.values == ["calc/add?x=1 qp qa"])
        queryable.undeclare()
        await session.close()
    }

    @Test func swiftGetIsAnsweredByPythonQueryable() async throws {
        let router = try await Interop.router()
        defer { router.stop() }
        let session = try await Interop.session(router)
        let python = try Interop.python(router, ["queryable", "-k", "calc/mul", "-p", Interop.hex("6"), "-a", Interop.hex("pa")])
        defer { python.stop() }
        try await python.ready()
        var replies: [ZenohReply] = []
        for _ in 0..<10 where replies.isEmpty {
            replies = try await session.getAll(
                "calc/mul", payload: ByteBuffer(string: "2*3"), attachment: ByteBuffer(string: "sa"), timeout: .seconds(2))
        }
        let sample = try #require(replies.first?.sample)
        #expect(sample.key.description == "calc/mul")
        #expect(sample.payload.text == "6")
        #expect(sample.attachment?.text == "pa")
        let query = try await python.waitForJSON { $0["query"] != nil }
        #expect(query["payload"] == Interop.hex("2*3"))
        #expect(query["attachment"] == Interop.hex("sa"))
        // Nobody answers here: the router's ResponseFinal ends the get well before its timeout.
        let start = ContinuousClock.now
        #expect(try await session.getAll("nobody/**", timeout: .seconds(5)).isEmpty)
        #expect(ContinuousClock.now - start < .seconds(4))
        await session.close()
    }

    @Test func swiftTokenIsSeenByPythonLivelinessSubscriberAndGet() async throws {
        let router = try await Interop.router()
        defer { router.stop() }
        let session = try await Interop.session(router)
        let token = try session.liveliness.declareToken("group/swift")
        let python = try Interop.python(router, ["liveliness-sub", "-k", "group/**", "--history"])
        defer { python.stop() }
        try await python.ready()
        let appeared = try await python.waitForJSON { $0["kind"] as? String == "PUT" }
        #expect(appeared["key"] == "group/swift")
        let listed = try await Interop.run(router, ["liveliness-get", "-k", "group/**"])
        #expect(listed.map { $0["key"] } == ["group/swift"])
        token.undeclare()
        let gone = try await python.waitForJSON { $0["kind"] as? String == "DELETE" }
        #expect(gone["key"] == "group/swift")
        await session.close()
    }

    @Test func pythonTokenIsSeenBySwiftLivelinessSubscriberAndGet() async throws {
        let router = try await Interop.router()
        defer { router.stop() }
        let python = try Interop.python(router, ["token", "-k", "group/python"])
        try await python.ready()
        let session = try await Interop.session(router)
        let changes = Collector<ZenohSample>()
        let subscriber = try session.liveliness.declareSubscriber("group/**", history: true) { changes.append($0) }
        try await changes.wait("the token from history") { $0.contains { $0.kind == .put && $0.key.description == "group/python" } }
        let listed = try await session.liveliness.get("group/**", timeout: .seconds(5)).collect()
        #expect(listed.compactMap { $0.sample?.key.description } == ["group/python"])
        python.stop()
        try await changes.wait("the token's DELETE") { $0.contains { $0.kind == .delete && $0.key.description == "group/python" } }
        subscriber.undeclare()
        await session.close()
    }

    @Test func swiftPublisherReachesSwiftSubscriberThroughTheRouter() async throws {
        let router = try await Interop.router()
        defer { router.stop() }
        let publisherSession = try await Interop.session(router)
        let subscriberSession = try await Interop.session(router)
        let subscriber = try subscriberSession.declareSubscriber("robot/*/state")
        let publisher = try publisherSession.declarePublisher("robot/1/state")
        // Publish until the subscription has reached the router, then read from the async sequence.
        let received = Task {
            var iterator = subscriber.makeAsyncIterator()
            return await iterator.next()
        }
        let seen = Collector<Bool>()
        let probe = try subscriberSession.declareSubscriber("robot/1/state") { _ in seen.append(true) }
        for _ in 0..<50 where seen.values.isEmpty {
            try publisher.put(ByteBuffer(string: "ok"), attachment: ByteBuffer(string: "a"))
            _ = try? await seen.wait(timeout: 0.2, "a sample") { !$0.isEmpty }
        }
        let sample = await received.value
        #expect(sample?.key.description == "robot/1/state")
        #expect(sample?.payload.text == "ok")
        #expect(sample?.attachment?.text == "a")
        probe.undeclare()
        await publisherSession.close()
        await subscriberSession.close()
    }

    @Test func sessionReconnectsAfterARouterRestartAndRedeclares() async throws {
        var router = try await Interop.router()
        let port = router.port
        let session = try await Interop.session(router)
        let events = Collector<ZenohConnectionEvent>()
        let watcher = Task {
            for await event in session.connectionEvents { events.append(event) }
        }
        let samples = Collector<ZenohSample>()
        let subscriber = try session.declareSubscriber("demo/**") { samples.append($0) }
        let token = try session.liveliness.declareToken("group/survivor")
        router.stop()
        try await events.wait("disconnected") { $0.contains { if case .disconnected = $0 { true } else { false } } }
        #expect(!session.isConnected)
        #expect(try session.put("demo/lost", payload: ByteBuffer()) == false)
        router = try await Interop.router(port: port)
        defer { router.stop() }
        try await events.wait(timeout: 30, "reconnected") { $0.contains { if case .reconnected = $0 { true } else { false } } }
        #expect(session.isConnected)
        _ = try await Interop.run(router, ["put", "-k", "demo/again", "-p", Interop.hex("back")])
        let received = try await samples.wait("a sample after the restart") {
            $0.contains { $0.key.description == "demo/again" }
        }
        // The put made while disconnected was not sent, but this session's own subscriber saw it locally.
        #expect(received.map(\.key.description) == ["demo/lost", "demo/again"])
        #expect(received.last?.payload.text == "back")
        let tokens = try await Interop.run(router, ["liveliness-get", "-k", "group/**"])
        #expect(tokens.map { $0["key"] } == ["group/survivor"])
        token.undeclare()
        subscriber.undeclare()
        await session.close()
        await watcher.value
    }

    /// Publishes with `publish` every 200 ms until the Python subscriber prints a sample of `kind`.
    private static func repeatUntilSeen(
        _ python: PythonProcess, kind: String, publish: () throws -> Bool
    ) async throws -> [String: String] {
        for _ in 0..<50 {
            _ = try publish()
            if let line = try? await python.waitForJSON(timeout: 0.2, { $0["kind"] as? String == kind }) {
                return line
            }
        }
        return try await python.waitForJSON { $0["kind"] as? String == kind }
    }
}

import Foundation
import InteropSupport
import NIOCore
import Testing
import ZenohProtocol
import ZenohTransport

/// Against a real Rust Zenoh router (`eclipse-zenoh` 1.10.2 from the project virtualenv) on a free loopback port.
@Suite("Transport interop with a Rust router", .serialized)
struct TransportInteropTests {
    let connector = TCPTransportConnector()

    func connect(
        _ router: ZenohRouter, configuration: ZenohTransportConfiguration = .init()
    ) async throws -> (any ZenohTransportConnection, EventRecorder) {
        let recorder = EventRecorder()
        let transport = try await connector.connect(
            to: try ZenohEndpoint(parsing: router.endpoint), configuration: configuration
        ) { recorder.record($0) }
        return (transport, recorder)
    }

    func declareSubscriber(_ transport: any ZenohTransportConnection, id: UInt32, key: String) {
        let declare = NetworkMessage.declare(
            .init(declaration: .subscriber(EntityDeclaration(id: id, wireExpr: WireExpr(suffix: key)))))
        #expect(transport.send(declare, options: .control))
    }

    /// Runs a one-shot Python `put` until `recorder` has a Put on `key` (the subscription may still be travelling).
    func pythonPut(
        _ router: ZenohRouter, key: String, payloadHex: String, attachmentHex: String? = nil,
        into recorder: EventRecorder
    ) async throws -> ZenohMessage.Put {
        for _ in 0..<3 {
            var arguments = ["-e", router.endpoint, "put", "-k", key, "-p", payloadHex]
            if let attachmentHex { arguments += ["-a", attachmentHex] }
            try PythonRunner.succeed("zenoh_tool.py", arguments)
            if let put = try? await recorder.wait(for: "put on \(key)", timeout: 3, { $0.put(on: key) }) {
                return put
            }
        }
        throw TestFailure("no put on \(key) reached the Swift transport")
    }

    static func pushPut(_ key: String, payload: [UInt8], attachment: [UInt8]? = nil) -> NetworkMessage {
        .push(
            .init(
                wireExpr: WireExpr(suffix: key),
                body: .put(.init(attachment: attachment.map { ByteBuffer(bytes: $0) }, payload: ByteBuffer(bytes: payload)))))
    }

    @Test func handshakeWithTheRouter() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let zid = ZenohId.random()
        let (transport, recorder) = try await connect(router, configuration: .init(zid: zid))
        #expect(transport.info.remoteWhatAmI == .router)
        #expect(transport.info.localZid == zid)
        #expect(transport.info.remoteZid != zid)
        #expect(transport.info.batchSize <= 65_535 && transport.info.batchSize >= 1_024)
        #expect(transport.info.remoteLeaseMilliseconds == 10_000)
        #expect(transport.info.isQoSEnabled)  // the router offers QoS too: 8 lanes
        #expect(transport.info.endpoint.port == router.port)
        await transport.close()
        #expect(recorder.closures.map(\.code) == [.sessionClosed])
    }

    @Test func receivesAPythonPutThroughADeclaredSubscriber() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let (transport, recorder) = try await connect(router)
        declareSubscriber(transport, id: 1, key: "demo/**")
        let put = try await pythonPut(
            router, key: "demo/hello", payloadHex: "68656c6c6f", attachmentHex: "a1b2", into: recorder)
        #expect(Array(put.payload.readableBytesView) == Array("hello".utf8))
        #expect(put.attachment.map { Array($0.readableBytesView) } == [0xA1, 0xB2])
        await transport.close()
    }

    @Test func pythonSubscriberSeesARawPush() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let subscriber = try PythonProcess("zenoh_tool.py", ["-e", router.endpoint, "sub", "-k", "demo/**"])
        defer { subscriber.stop() }
        try await subscriber.awaitReady()
        let (transport, recorder) = try await connect(router)
        let sample = try await repeatUntilSeen(by: subscriber, key: "demo/swift") {
            transport.send(Self.pushPut("demo/swift", payload: Array("from swift".utf8), attachment: [7, 8]), options: .init())
        }
        #expect(sample["payload"] as? String == Array("from swift".utf8).hexString)
        #expect(sample["attachment"] as? String == "0708")
        #expect(recorder.closures.isEmpty)
        await transport.close()
    }

    @Test func oneMebibyteToAPythonSubscriber() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let subscriber = try PythonProcess("zenoh_tool.py", ["-e", router.endpoint, "sub", "-k", "demo/big"])
        defer { subscriber.stop() }
        try await subscriber.awaitReady()
        let (transport, _) = try await connect(router)
        let payload = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 12) }
        // One send only: the helper's reader needs several seconds per 2 MiB line of hex, so repeats pile up.
        let sample = try await repeatUntilSeen(by: subscriber, key: "demo/big", interval: 60) {
            transport.send(Self.pushPut("demo/big", payload: payload), options: .init(congestionControl: .block))
        }
        #expect(sample["payload"] as? String == payload.hexString)
        await transport.close()
    }

    @Test func oneMebibyteFromTheRouterIsReassembled() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        // A second Swift transport publishes 1 MiB; the Rust router reassembles it and fragments it again to us.
        let (receiver, recorder) = try await connect(router)
        let (publisher, _) = try await connect(router)
        declareSubscriber(receiver, id: 1, key: "demo/**")
        let payload = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ $0 >> 10) }
        let put = try await repeatUntil(recorder, key: "demo/big") {
            publisher.send(Self.pushPut("demo/big", payload: payload, attachment: [1]), options: .init(congestionControl: .block))
        }
        #expect(put.payload.readableBytes == payload.count)
        #expect(Array(put.payload.readableBytesView) == payload)
        #expect(put.attachment.map { Array($0.readableBytesView) } == [1])
        await publisher.close()
        await receiver.close()
    }

    @Test func pythonPutLargerThanOurSmallBatchIsFragmentedToUs() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        // A 4 KiB batch makes the router fragment a 60 000-byte put (the most a command line can carry in hex).
        let (transport, recorder) = try await connect(router, configuration: .init(batchSize: 4_096))
        #expect(transport.info.batchSize == 4_096)
        declareSubscriber(transport, id: 1, key: "demo/**")
        let payload = (0..<60_000).map { UInt8(truncatingIfNeeded: $0 &* 5) }
        let put = try await pythonPut(router, key: "demo/frag", payloadHex: payload.hexString, into: recorder)
        #expect(Array(put.payload.readableBytesView) == payload)
        await transport.close()
    }

    @Test func staysUpWhileIdleThanksToKeepAlives() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let (transport, recorder) = try await connect(router)
        declareSubscriber(transport, id: 1, key: "demo/**")
        // The router's lease for us is our 10 s; without keep-alives it would close us after 10 s.
        try await Task.sleep(for: .seconds(15))
        #expect(recorder.closures.isEmpty)
        let put = try await pythonPut(router, key: "demo/after-idle", payloadHex: "01", into: recorder)
        #expect(Array(put.payload.readableBytesView) == [1])
        await transport.close()
    }

    @Test func closeDeliversClosedOnceAndRefusesLaterSends() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let (transport, recorder) = try await connect(router)
        await transport.close()
        #expect(recorder.closures.map(\.code) == [.sessionClosed])
        #expect(!transport.send(Self.pushPut("demo/x", payload: [1]), options: .init(congestionControl: .block)))
        await transport.close()
        try await Task.sleep(for: .milliseconds(200))
        #expect(recorder.closures.count == 1)
        #expect(recorder.count == 1)
    }

    @Test func routerShutdownIsReportedAsClosed() async throws {
        let router = try await ZenohRouter.start()
        let (transport, recorder) = try await connect(router)
        router.stop()
        let errors = try await recorder.wait(for: ".closed", timeout: 15) { $0.closures.isEmpty ? nil : $0.closures }
        #expect(errors.map(\.code) == [.connectionClosed])
        await transport.close()
        #expect(recorder.closures.count == 1)
    }

    @Test func connectionRefusedNamesTheEndpoint() async throws {
        let port = freeLoopbackPort()
        let endpoint = ZenohEndpoint(linkProtocol: .tcp, host: "127.0.0.1", port: port)
        do {
            _ = try await connector.connect(to: endpoint, configuration: .init()) { _ in }
            Issue.record("connected to a closed port")
        } catch {
            #expect(error.code == .connectionFailed)
            #expect(error.message.contains("127.0.0.1:\(port)"))
        }
    }

    // MARK: Helpers

    /// Calls `send` every `interval` seconds until the Python subscriber prints a sample on `key`.
    func repeatUntilSeen(
        by subscriber: PythonProcess, key: String, interval: TimeInterval = 0.5, _ send: () -> Bool
    ) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(max(20, interval))
        while Date() < deadline {
            #expect(send())
            if (try? await subscriber.awaitLine(timeout: interval, { $0.contains("\"\(key)\"") })) != nil {
                break
            }
        }
        guard let sample = subscriber.jsonLines().first(where: { $0["key"] as? String == key }) else {
            throw TestFailure("the Python subscriber never printed \(key)")
        }
        return sample
    }

    /// Calls `send` until `recorder` holds a Put on `key`.
    func repeatUntil(_ recorder: EventRecorder, key: String, _ send: () -> Bool) async throws -> ZenohMessage.Put {
        for _ in 0..<5 {
            #expect(send())
            if let put = try? await recorder.wait(for: "put on \(key)", timeout: 3, { $0.put(on: key) }) {
                return put
            }
        }
        throw TestFailure("no put on \(key) arrived")
    }
}

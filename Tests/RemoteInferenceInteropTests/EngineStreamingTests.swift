import Foundation
import InteropSupport
import Logging
import NIOCore
import OrderedCollections
import PolicyServer
import PolicyWire
import RemoteInference
import Synchronization
import Testing
import Zenoh

/// The edge engine against our real server through a real Rust router.
@Suite("Remote engine streaming through a router", .serialized)
struct EngineStreamingTests {
    /// Row `k` of the mock's robot-space chunk for `state`.
    static func mockRow(_ k: Int, _ state: [Float] = EdgeFixture.state) -> [Float] {
        state.map { 2 * ($0 + 0.01 * Float(k)) }
    }

    static func matchingRow(_ action: [Float]) -> Int? {
        (0..<50).first { k in zip(action, mockRow(k)).allSatisfy { abs($0 - $1) < 1e-4 } }
    }

    @Test("RTC: exact mock values reach the robot in ordered_action_keys order; delay trims the first rows")
    func rtcStreaming() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let server = try await InProcessServer(router: router.endpoint, model: model)
        let engine = try RemoteEngine(
            configuration: EdgeFixture.configuration(router: router.endpoint), robot: EdgeFixture.robot(),
            policy: EdgeFixture.policy(model), logger: Logger(label: "test.edge"))
        engine.reset()
        try await engine.start()
        #expect(engine.isRTCActive && engine.isReady && !engine.isFailed)
        #expect(engine.state == .streaming)
        let loop = TestControlLoop(engine: engine)
        #expect(await EdgeFixture.eventually { engine.stats.merges >= 3 })
        loop.stop()
        let served = loop.actions.compactMap { $0 }
        #expect(!served.isEmpty)
        let first = try #require(served.first)
        let row = try #require(Self.matchingRow(first), "first action \(first) is no row of the mock chunk")
        #expect(row >= 1, "replace mode skips at least the row that elapsed during the round trip")
        #expect(served.allSatisfy { Self.matchingRow($0) != nil })
        let stats = engine.stats
        #expect(stats.timeouts == 0 && stats.lateChunksDropped == 0 && stats.latencyP50 > 0)
        await engine.stop()
        await server.stop()
    }

    @Test("Append mode (server without RTC): the chunk is played from row 0, the RTC downgrade is taken")
    func appendStreaming() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let server = try await InProcessServer(router: router.endpoint, model: model, rtc: false)
        let engine = try RemoteEngine(
            configuration: EdgeFixture.configuration(router: router.endpoint), robot: EdgeFixture.robot(),
            policy: EdgeFixture.policy(model), logger: Logger(label: "test.edge"))
        engine.reset()
        try await engine.start()
        #expect(!engine.isRTCActive)
        let loop = TestControlLoop(engine: engine)
        #expect(await EdgeFixture.eventually { engine.stats.merges >= 2 })
        loop.stop()
        let served = loop.actions.compactMap { $0 }
        #expect(served.first == Self.mockRow(0))
        #expect(served.prefix(20).enumerated().allSatisfy { $0.element == Self.mockRow($0.offset) })
        await engine.stop()
        await server.stop()
    }

    @Test("RTC prefixes and delay steps reach the server; the first observation starts episode 1")
    func prefixesOnTheWire() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let server = try await InProcessServer(router: router.endpoint, model: model)
        let configuration = EdgeFixture.configuration(router: router.endpoint)
        let engine = try RemoteEngine(
            configuration: configuration, robot: EdgeFixture.robot(), policy: EdgeFixture.policy(model),
            logger: Logger(label: "test.edge"))
        // A second Zenoh session sees exactly what the server receives on this robot's key.
        let tap = try await ZenohSession.open(
            configuration: ZenohConfiguration(connect: [try ZenohEndpoint(parsing: router.endpoint)]), connector: TCPTransportConnector())
        let seen = Mutex<[(AttachmentHeader, Observation)]>([])
        let subscriber = try tap.declareSubscriber(try engine.keys.observations(client: engine.clientUUID)) { sample in
            guard let attachment = sample.attachment, let header = try? AttachmentHeader(unpacking: attachment),
                let observation = try? Observation(decoding: sample.payload)
            else { return }
            seen.withLock { $0.append((header, observation)) }
        }
        try await Task.sleep(for: .milliseconds(300))  // the tap's declaration reaches the router
        engine.reset()
        try await engine.start()
        let loop = TestControlLoop(engine: engine)
        #expect(await EdgeFixture.eventually { seen.withLock { $0.count } >= 4 })
        loop.stop()
        await engine.stop()
        subscriber.undeclare()
        await tap.close()
        await server.stop()

        let observations = seen.withLock { $0 }
        let (firstHeader, first) = try #require(observations.first)
        #expect(firstHeader.episodeID == 1 && firstHeader.seqID == 1 && firstHeader.messageType == .observation)
        #expect(first.episodeStart && first.prefixModel == nil && first.inferenceDelaySteps == 0)
        #expect(first.task == EdgeFixture.task)
        #expect(first.state?.floats() == EdgeFixture.state)
        guard case .jpeg(let jpeg)? = first.images[EdgeFixture.camera] else {
            Issue.record("the camera was not sent as JPEG: \(first.images.keys)")
            return
        }
        #expect(try JPEGDecoder().decode(jpeg).width == 64)
        let later = observations.dropFirst().map(\.1)
        let withPrefix = try #require(later.first { $0.prefixModel != nil }, "no observation carried an RTC prefix")
        let prefixModel = try #require(withPrefix.prefixModel)
        let prefixRobot = try #require(withPrefix.prefixRobot)
        #expect(prefixModel.shape[1] == 6 && (1...10).contains(prefixModel.shape[0]))
        #expect(prefixRobot.shape == prefixModel.shape)
        #expect(zip(prefixRobot.floats(), prefixModel.floats()).allSatisfy { abs($0 - 2 * $1) < 1e-5 })
        #expect(withPrefix.inferenceDelaySteps >= 1 && !withPrefix.episodeStart)
        #expect(observations.map(\.0.seqID) == Array(1...UInt64(observations.count)))
    }

    @Test("Reset bumps the episode and the chunk still in flight for the old one is dropped, never executed")
    func resetDropsLateChunk() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        // 100 rows (3.3 s at 30 Hz): the RTC trim of a slow round trip on a loaded machine never empties it.
        let model = try EdgeFixture.checkpoint(computeMs: 400, chunkSize: 100)
        let server = try await InProcessServer(router: router.endpoint, model: model)
        let engine = try RemoteEngine(
            configuration: EdgeFixture.configuration(router: router.endpoint), robot: EdgeFixture.robot(),
            policy: EdgeFixture.policy(model), logger: Logger(label: "test.edge"))
        engine.reset()
        try await engine.start()
        #expect(engine.episode == 1)
        engine.notifyObservation(EdgeFixture.observation())
        #expect(await EdgeFixture.eventually { engine.stats.requests == 1 })
        // The first request is being served (400 ms); an episode boundary now makes its chunk stale.
        engine.reset()
        #expect(engine.episode == 2)
        let newState: [Float] = [10, 20, 30, 40, 50, 60]
        engine.notifyObservation(EdgeFixture.observation(newState))
        #expect(await EdgeFixture.eventually { engine.stats.merges >= 1 && engine.stats.lateChunksDropped >= 1 })
        let stats = engine.stats
        #expect(stats.lateChunksDropped == 1 && stats.resets == 2)
        let action = try #require(engine.action())
        #expect(zip(action, newState).allSatisfy { $1 * 2 <= $0 && $0 < $1 * 2 + 2 }, "an action of the old episode ran: \(action)")
        await engine.stop()
        await server.stop()
    }

    @Test("Chunks without a valid header are dropped, counted by cause, and the session goes on")
    func junkChunksCounted() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let server = try await InProcessServer(router: router.endpoint, model: model)
        let engine = try RemoteEngine(
            configuration: EdgeFixture.configuration(router: router.endpoint) { $0.clientUUID = "robot-junk" },
            robot: EdgeFixture.robot(), policy: EdgeFixture.policy(model), logger: Logger(label: "test.edge"))
        try await engine.start()
        let intruder = try await ZenohSession.open(
            configuration: ZenohConfiguration(connect: [try ZenohEndpoint(parsing: router.endpoint)]), connector: TCPTransportConnector())
        let key = try server.server.keys.actions(client: "robot-junk")
        let publisher = try intruder.declarePublisher(key)
        var body = ByteBuffer()
        body.writeBytes([0x80])
        try publisher.put(body)
        try publisher.put(body, attachment: ByteBuffer(bytes: [1, 0, 2]))
        try publisher.put(body, attachment: AttachmentHeader(schemaVersion: 9, messageType: .chunk).packed())
        #expect(await EdgeFixture.eventually { engine.stats.dropped.total == 3 }, "\(engine.stats.dropped)")
        let dropped = engine.stats.dropped
        #expect(dropped[.noHeader] == 1 && dropped[.badHeader] == 1 && dropped[.schemaVersion] == 1)
        // The session is undisturbed: the next observation gets its chunk.
        engine.notifyObservation(EdgeFixture.observation())
        #expect(await EdgeFixture.eventually { engine.stats.merges >= 1 })
        #expect(engine.stats.lateChunksDropped == 0 && engine.stats.timeouts == 0)
        publisher.undeclare()
        await intruder.close()
        await engine.stop()
        await server.stop()
    }

    @Test("--rename_map renames camera keys in the session open and on the wire; jpeg_quality=0 sends raw images")
    func renameMapAndRawImages() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let server = try await InProcessServer(router: router.endpoint, model: model)
        let top = "observation.images.top"
        var robot = EdgeFixture.robot()
        robot.cameraKeys = [top]
        robot.renameMap = [top: EdgeFixture.camera]
        let engine = try RemoteEngine(
            configuration: EdgeFixture.configuration(router: router.endpoint) { $0.jpegQuality = 0 }, robot: robot,
            policy: EdgeFixture.policy(model), logger: Logger(label: "test.edge"))
        let tap = try await ZenohSession.open(
            configuration: ZenohConfiguration(connect: [try ZenohEndpoint(parsing: router.endpoint)]), connector: TCPTransportConnector())
        let seen = Mutex<[Observation]>([])
        let subscriber = try tap.declareSubscriber(try engine.keys.observations(client: engine.clientUUID)) { sample in
            if let observation = try? Observation(decoding: sample.payload) { seen.withLock { $0.append(observation) } }
        }
        try await Task.sleep(for: .milliseconds(300))  // the tap's declaration reaches the router
        engine.reset()
        try await engine.start()  // the server expects observation.images.front: accepted only after the rename
        let image = try RGBImage(width: 64, height: 48, pixels: [UInt8](repeating: 42, count: 64 * 48 * 3))
        engine.notifyObservation(RobotObservation(state: EdgeFixture.state, cameras: [.init(key: top, image: image)]))
        #expect(await EdgeFixture.eventually { engine.stats.merges >= 1 && !seen.withLock { $0.isEmpty } })
        let first = try #require(seen.withLock { $0.first })
        #expect(Array(first.images.keys) == [EdgeFixture.camera])
        #expect(first.images[EdgeFixture.camera] == .raw(height: 48, width: 64, data: ByteBuffer(bytes: image.pixels)))
        await engine.stop()
        subscriber.undeclare()
        await tap.close()
        await server.stop()
    }
}

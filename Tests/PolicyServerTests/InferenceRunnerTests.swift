import Foundation
import NIOCore
import OrderedCollections
import PolicyRuntime
import PolicyServer
import PolicyWire
import Synchronization
import Testing

/// Wraps the mock policy and records what the server handed it (requests, resets).
final class RecordingPolicy: ChunkPolicy {
    let inner: MockPolicy
    let requests = Mutex<[PolicyRequest]>([])
    let policyResets = Mutex(0)
    let sessionResets = Mutex(0)

    init(chunkSize: Int = 20) throws {
        let json = """
            {"type": "mock", "chunk_size": \(chunkSize), "input_features": {"observation.state": {"type": "STATE", "shape": [6]},
             "observation.images.front": {"type": "VISUAL", "shape": [3, 48, 64]}},
             "output_features": {"action": {"type": "ACTION", "shape": [6]}},
             "action_feature_names": ["joint_0.pos", "joint_1.pos", "joint_2.pos", "joint_3.pos", "joint_4.pos", "joint_5.pos"]}
            """
        inner = MockPolicy(config: try PolicyConfig(json: json))
    }

    var config: PolicyConfig { inner.config }
    var supportsRTC: Bool { true }

    final class Session: PolicySessionState {
        let owner: RecordingPolicy
        init(owner: RecordingPolicy) { self.owner = owner }
        func reset() { owner.sessionResets.withLock { $0 += 1 } }
    }

    func makeSessionState() -> any PolicySessionState { Session(owner: self) }

    func predictChunk(_ request: PolicyRequest, session: any PolicySessionState) throws(PolicyRuntimeError) -> PolicyOutput {
        requests.withLock { $0.append(request) }
        return try inner.predictChunk(request, session: session)
    }

    func resetPolicy() { policyResets.withLock { $0 += 1 } }
}

@Suite("Serving one observation (no transport)")
struct InferenceRunnerTests {
    static let state: [Float] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]

    static func pending(
        seq: UInt64 = 7, episode: UInt32 = 1, delay: Int64 = 3, prefixRows: Int? = nil, episodeStart: Bool = false,
        runner: InferenceRunner
    ) throws -> PendingObservation {
        let image = try RGBImage(width: 64, height: 48, filledWith: (10, 20, 30))
        let prefix = try prefixRows.map { rows in try PolicyTensor(float32: (0..<rows * 6).map(Float.init), shape: [rows, 6]) }
        let observation = Observation(
            state: try PolicyTensor(float32: state),
            images: ["observation.images.front": try WireImage(image, quality: 0, encoder: JPEGEncoder())],
            task: "", inferenceDelaySteps: delay, prefixModel: prefix, prefixRobot: prefix, episodeStart: episodeStart)
        let header = AttachmentHeader(messageType: .observation, seqID: seq, episodeID: episode, clientMonoNs: -123, sessionEpoch: 4)
        return PendingObservation(header: header, body: observation.encoded(), receivedAt: runner.now)
    }

    static func session(_ policy: RecordingPolicy, rtc: Bool = true) -> ServerSession {
        ServerSession(sessionID: "s1", clientUUID: "c1", rtcEnabled: rtc, task: "", processors: policy.makeSessionState(), now: 0)
    }

    @Test("Exact mock values, both spaces, echoed header and fields")
    func values() throws {
        let policy = try RecordingPolicy()
        let runner = try InferenceRunner(
            policy: policy, settings: .init(servingMode: .shared, rtcExecutionHorizon: 10, defaultTask: "fold"))
        var session = Self.session(policy)
        let reply = try runner.serve(try Self.pending(runner: runner), session: &session, superseded: 1, serverLoad: 0.25)
        #expect(reply.header == AttachmentHeader(messageType: .chunk, seqID: 7, episodeID: 1, clientMonoNs: -123, sessionEpoch: 4))
        let chunk = try ActionChunk(decoding: reply.body)
        #expect(chunk.seqIDEcho == 7 && chunk.episodeIDEcho == 1 && chunk.clientMonoNsEcho == -123)
        #expect(chunk.supersededSeqs == 1 && chunk.serverLoad == 0.25 && chunk.inferenceMs >= 0 && chunk.queueWaitMs >= 0)
        let model = try #require(chunk.chunkModel)
        let robot = try #require(chunk.chunkRobot)
        #expect(model.shape == [20, 6] && model.dtype == .float32)
        let m = model.floats()
        #expect(Array(m[0..<6]) == Self.state)
        for t in 0..<20 { for j in 0..<6 { #expect(m[t * 6 + j] == Self.state[j] + 0.01 * Float(t)) } }
        #expect(robot.floats() == m.map { 2 * $0 })
        let seen = try #require(policy.requests.withLock { $0.first })
        #expect(seen.task == "fold" && seen.images.first?.key == "observation.images.front")
        #expect(seen.rtc?.delaySteps == 3 && seen.rtc?.validRows == 0 && seen.rtc?.prefix.count == 60)
    }

    @Test("RTC prefixes: 3 rows padded to 10, 15 truncated to 10; no RTC when not granted")
    func prefixes() throws {
        let policy = try RecordingPolicy()
        let runner = try InferenceRunner(policy: policy, settings: .init(servingMode: .shared, rtcExecutionHorizon: 10, defaultTask: ""))
        var session = Self.session(policy)
        _ = try runner.serve(try Self.pending(prefixRows: 3, runner: runner), session: &session, superseded: 0, serverLoad: 0)
        _ = try runner.serve(try Self.pending(prefixRows: 15, runner: runner), session: &session, superseded: 0, serverLoad: 0)
        let rtc = policy.requests.withLock { $0.map { $0.rtc } }
        #expect(rtc[0]?.validRows == 3 && rtc[0]?.prefix[17] == 17 && rtc[0]?.prefix[18] == 0 && rtc[0]?.prefix.count == 60)
        #expect(rtc[1]?.validRows == 10 && rtc[1]?.prefix.last == 59)
        var plain = Self.session(policy, rtc: false)
        _ = try runner.serve(try Self.pending(prefixRows: 3, runner: runner), session: &plain, superseded: 0, serverLoad: 0)
        #expect(policy.requests.withLock { $0.last?.rtc } == nil)
    }

    @Test("Episodes: −1 at start, first request resets, same episode does not, episode_start does; exclusive resets the policy")
    func episodes() throws {
        for mode in [ServingMode.shared, .exclusive] {
            let policy = try RecordingPolicy()
            let runner = try InferenceRunner(policy: policy, settings: .init(servingMode: mode, rtcExecutionHorizon: 10, defaultTask: ""))
            var session = Self.session(policy)
            #expect(session.episodeID == -1)
            _ = try runner.serve(try Self.pending(episode: 1, runner: runner), session: &session, superseded: 0, serverLoad: 0)
            #expect(session.episodeID == 1 && policy.sessionResets.withLock { $0 } == 1)
            _ = try runner.serve(try Self.pending(episode: 1, runner: runner), session: &session, superseded: 0, serverLoad: 0)
            #expect(policy.sessionResets.withLock { $0 } == 1)
            _ = try runner.serve(
                try Self.pending(episode: 1, episodeStart: true, runner: runner), session: &session, superseded: 0, serverLoad: 0)
            _ = try runner.serve(try Self.pending(episode: 2, runner: runner), session: &session, superseded: 0, serverLoad: 0)
            #expect(policy.sessionResets.withLock { $0 } == 3 && session.episodeID == 2)
            #expect(policy.policyResets.withLock { $0 } == (mode == .exclusive ? 3 : 0))
        }
    }

    @Test("A malformed body is an error, and nothing is produced")
    func malformed() throws {
        let policy = try RecordingPolicy()
        let runner = try InferenceRunner(policy: policy, settings: .init(servingMode: .shared, rtcExecutionHorizon: 10, defaultTask: ""))
        var session = Self.session(policy)
        let bad = PendingObservation(header: AttachmentHeader(), body: ByteBuffer(bytes: [0xc1]), receivedAt: 0)
        #expect(throws: PolicyWireError.self) { try runner.serve(bad, session: &session, superseded: 0, serverLoad: 0) }
        #expect(policy.requests.withLock { $0.isEmpty })
    }

    @Test("Audit line: LeRobot's keys, 3 decimals")
    func audit() throws {
        let line = AuditLine.render(
            sessionID: "9f2c", clientUUID: "robot-07", seqID: 412, episodeID: 3, queueWaitMs: 1.8, inferenceMs: 93.2,
            superseded: 0, outcome: "ok")
        #expect(
            line == "{\"session_id\": \"9f2c\", \"client_uuid\": \"robot-07\", \"seq_id\": 412, \"episode_id\": 3, "
                + "\"queue_wait_ms\": 1.800, \"inference_ms\": 93.200, \"superseded\": 0, \"outcome\": \"ok\"}")
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(parsed?["client_uuid"] as? String == "robot-07")
    }
}

import Foundation
import InteropSupport
import NIOCore
import OrderedCollections
import PolicyRuntime
import PolicyServer
import PolicyWire
import Testing

@Suite("Batching across robots")
struct BatchSchedulingTests {
    @Test("takeBatch: ready sessions in round-robin order, at most the limit, mailboxes emptied")
    func takeBatch() {
        var t = SessionTableTests.table(max: 4)
        for uuid in ["c", "a", "d", "b"] {
            _ = t.open(SessionTableTests.open(uuid), processors: SessionTableTests.policy.makeSessionState, now: 0)
        }
        for (seq, uuid) in ["a", "b", "c"].enumerated() { _ = t.deposit(clientUUID: uuid, SessionTableTests.pending(UInt64(seq))) }
        let first = t.takeBatch(limit: 2)
        #expect(first.map(\.session.clientUUID) == ["a", "b"])
        let second = t.takeBatch(limit: 8)
        #expect(second.map(\.session.clientUUID) == ["c"] && second.first?.pending.header.seqID == 2)
        #expect(t.takeBatch(limit: 8).isEmpty && t.takeNext() == nil)
    }

    @Test("Manifest: scheduler round_robin by default, batch with a max batch size; bad values named")
    func manifest() throws {
        let plain = try ServerManifest(yaml: nil, overrides: [("model.repo_or_path", "x"), ("zenoh.mode", "peer")])
        #expect(plain.scheduler == .roundRobin && plain.schedulerMaxBatch == 8)
        let batch = try ServerManifest(
            yaml: nil,
            overrides: [("model.repo_or_path", "x"), ("zenoh.mode", "peer"), ("scheduler", "batch"), ("scheduler_max_batch", "4")])
        #expect(batch.scheduler == .batch && batch.schedulerMaxBatch == 4)
        #expect {
            try ServerManifest(yaml: nil, overrides: [("model.repo_or_path", "x"), ("zenoh.mode", "peer"), ("scheduler", "fifo")])
        } throws: { ($0 as? PolicyServerError)?.message == "scheduler must be one of round_robin|batch, got 'fifo'" }
        #expect {
            try ServerManifest(yaml: nil, overrides: [("model.repo_or_path", "x"), ("zenoh.mode", "peer"), ("scheduler_max_batch", "0")])
        } throws: { ($0 as? PolicyServerError)?.message == "scheduler_max_batch must be >= 1, got 0" }
    }

    /// The exported ACT fixture with two cameras: N sessions in one batched run vs each alone.
    @Test("N sessions served in one run produce exactly the per-session results of N single runs", arguments: [2, 3])
    func batchEqualsSingles(sessions n: Int) async throws {
        let directory = ONNXServingTests.fixtures.appendingPathComponent("act-tiny-2cam")
        let manifest = try ServerManifest(
            yaml: nil,
            overrides: [
                ("model.repo_or_path", directory.path), ("model.device", "cpu"), ("zenoh.mode", "peer"), ("scheduler", "batch"),
            ])
        let server = try await ServerStartup.load(manifest)
        let runner = try InferenceRunner(
            policy: server.policy, settings: .init(servingMode: .shared, rtcExecutionHorizon: 10, defaultTask: ""))
        var generator = SystemRandomNumberGenerator()
        func observation(stateCount: Int = 6, nan: Bool = false) throws -> PendingObservation {
            var images: OrderedDictionary<String, WireImage> = [:]
            for key in ["observation.images.wrist", "observation.images.front"] {
                let pixels = (0..<(48 * 64 * 3)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                images[key] = try WireImage(try RGBImage(width: 64, height: 48, pixels: pixels), quality: 0, encoder: JPEGEncoder())
            }
            let body = Observation(
                state: try PolicyTensor(float32: (0..<stateCount).map { i in nan && i == 2 ? .nan : Float.random(in: -2...2) }),
                images: images, task: "",
                inferenceDelaySteps: 0, prefixModel: nil, prefixRobot: nil, episodeStart: false
            ).encoded()
            return PendingObservation(
                header: AttachmentHeader(messageType: .observation, seqID: 9, episodeID: 1), body: body, receivedAt: runner.now)
        }
        func session(_ i: Int) -> ServerSession {
            ServerSession(
                sessionID: "s\(i)", clientUUID: "c\(i)", rtcEnabled: false, task: "", processors: server.policy.makeSessionState(), now: 0)
        }
        let pendings = try (0..<n).map { _ in try observation() }
        var singles: [ActionChunk] = []
        for (i, pending) in pendings.enumerated() {
            var s = session(i)
            singles.append(try ActionChunk(decoding: try runner.serve(pending, session: &s, superseded: 0, serverLoad: 0).body))
        }
        var items = pendings.enumerated().map { InferenceRunner.BatchItem(pending: $1, session: session($0), superseded: $0) }
        let results = runner.serveBatch(&items, serverLoad: 0.5)
        #expect(results.count == n)
        for (i, result) in results.enumerated() {
            let chunk = try ActionChunk(decoding: try result.get().body)
            #expect(chunk.chunkModel?.floats() == singles[i].chunkModel?.floats(), "session \(i) chunk_model")
            #expect(chunk.chunkRobot?.floats() == singles[i].chunkRobot?.floats(), "session \(i) chunk_robot")
            #expect(chunk.supersededSeqs == Int64(i) && chunk.serverLoad == 0.5 && items[i].session.episodeID == 1)
        }
        // A request that does not decode fails alone.
        var mixed = [
            InferenceRunner.BatchItem(pending: pendings[0], session: session(0), superseded: 0),
            InferenceRunner.BatchItem(
                pending: PendingObservation(header: AttachmentHeader(), body: ByteBuffer(bytes: [0xc1]), receivedAt: runner.now),
                session: session(1), superseded: 0),
            InferenceRunner.BatchItem(pending: pendings[1], session: session(2), superseded: 0),
        ]
        let outcome = runner.serveBatch(&mixed, serverLoad: 0)
        #expect((try? outcome[0].get()) != nil && (try? outcome[1].get()) == nil && (try? outcome[2].get()) != nil)
        #expect(try ActionChunk(decoding: try outcome[2].get().body).chunkModel?.floats() == singles[1].chunkModel?.floats())
        // One that decodes but does not fit the policy (5 state values for 6) fails the batched run; the others are
        // then served one by one and get exactly their chunks.
        var misfit = [
            InferenceRunner.BatchItem(pending: pendings[0], session: session(0), superseded: 0),
            InferenceRunner.BatchItem(pending: try observation(stateCount: 5), session: session(1), superseded: 0),
            InferenceRunner.BatchItem(pending: pendings[1], session: session(2), superseded: 0),
        ]
        let isolated = runner.serveBatch(&misfit, serverLoad: 0)
        #expect(try ActionChunk(decoding: try isolated[0].get().body).chunkModel?.floats() == singles[0].chunkModel?.floats())
        #expect(try ActionChunk(decoding: try isolated[2].get().body).chunkModel?.floats() == singles[1].chunkModel?.floats())
        #expect((try? isolated[1].get()) == nil)
        // A state with NaN in it is refused before any run, naming the value.
        var poisoned = [
            InferenceRunner.BatchItem(pending: pendings[0], session: session(0), superseded: 0),
            InferenceRunner.BatchItem(pending: try observation(nan: true), session: session(1), superseded: 0),
        ]
        let refused = runner.serveBatch(&poisoned, serverLoad: 0)
        #expect(try ActionChunk(decoding: try refused[0].get().body).chunkModel?.floats() == singles[0].chunkModel?.floats())
        #expect(throws: PolicyRuntimeError(.invalidInput, "observation.state[2] is nan: every value must be finite")) {
            try refused[1].get()
        }
    }
}

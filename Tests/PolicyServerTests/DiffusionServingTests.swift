import Foundation
import NIOCore
import OrderedCollections
import PolicyRuntime
import PolicyServer
import PolicyWire
import Testing

/// The committed Diffusion Policy package (`Tests/Fixtures/diffusion-tiny`) through the server: start-up (exclusive
/// serving, no RTC), the request path over the wire, the per-session observation history and its reset at an
/// episode boundary. The chunks are compared with the same policy run directly (same seed, so the same noise
/// stream); the comparison with PyTorch is `DiffusionONNXTests`.
@Suite("Serving a Diffusion Policy package")
struct DiffusionServingTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/diffusion-tiny")

    static func floats(_ url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
            }
        }
    }

    /// The fixture's requests in order (three single-request episodes, then one of three observations).
    static func requests() throws -> [PolicyRequest] {
        let manifest = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("requests/requests.json")))
                as? [String: Any])
        return try (manifest["episodes"] as! [[[String: Any]]]).joined().map { entry in
            var images: [(key: String, image: RGBImage)] = []
            for (key, image) in entry["images"] as! [String: [String: Any]] {
                let pixels = [UInt8](try Data(contentsOf: directory.appendingPathComponent(image["file"] as! String)))
                images.append((key, try RGBImage(width: image["width"] as! Int, height: image["height"] as! Int, pixels: pixels)))
            }
            return PolicyRequest(state: try floats(directory.appendingPathComponent(entry["state"] as! String)), images: images)
        }
    }

    @Test("Exclusive, no RTC; chunks over the wire equal the policy's own; a new episode clears the history")
    func serve() async throws {
        let manifest = try ServerManifest(
            yaml: nil,
            overrides: [
                ("model.repo_or_path", Self.directory.path), ("model.device", "cpu"), ("zenoh.mode", "peer"),
            ])
        let server = try await ServerStartup.load(manifest)
        #expect(server.policy.config.type == "diffusion" && server.policy is ONNXDiffusionPolicy)
        #expect(server.servingMode == .exclusive && !server.rtcActive && !server.policy.supportsRTC)
        #expect(server.capabilities.expectedCameras == ["observation.images.front"])
        let runner = try InferenceRunner(
            policy: server.policy, settings: .init(servingMode: server.servingMode, rtcExecutionHorizon: 10, defaultTask: ""))
        let all = try Self.requests()
        // Episode 1: the three consecutive observations; episode 2 starts with the first single request.
        let plan: [(request: PolicyRequest, episode: UInt32, start: Bool)] = [
            (all[3], 1, true), (all[4], 1, false), (all[5], 1, false), (all[0], 2, true),
        ]
        var session = ServerSession(
            sessionID: "s1", clientUUID: "c1", rtcEnabled: false, task: "", processors: server.policy.makeSessionState(), now: 0)
        var served: [[Float]] = []
        for (seq, step) in plan.enumerated() {
            var images: OrderedDictionary<String, WireImage> = [:]
            for (key, image) in step.request.images { images[key] = try WireImage(image, quality: 0, encoder: JPEGEncoder()) }
            let observation = Observation(
                state: try PolicyTensor(float32: step.request.state), images: images, task: "", inferenceDelaySteps: 0,
                prefixModel: nil, prefixRobot: nil, episodeStart: step.start)
            let header = AttachmentHeader(
                messageType: .observation, seqID: UInt64(seq), episodeID: step.episode, clientMonoNs: 5, sessionEpoch: 1)
            let reply = try runner.serve(
                PendingObservation(header: header, body: observation.encoded(), receivedAt: runner.now), session: &session,
                superseded: 0, serverLoad: 0)
            let chunk = try #require(try ActionChunk(decoding: reply.body).chunkModel as PolicyTensor?)
            #expect(chunk.shape == [8, 6])
            served.append(chunk.floats())
        }
        // The same policy, same seed, run directly: one session per episode.
        let reference = try ONNXDiffusionPolicy(directory: Self.directory, config: server.policy.config)
        let first = reference.makeSessionState()
        var want = try plan.prefix(3).map { try reference.predictChunk($0.request, session: first).chunkModel }
        want.append(try reference.predictChunk(plan[3].request, session: reference.makeSessionState()).chunkModel)
        for k in 0..<4 { #expect(served[k] == want[k], "request \(k)") }
        // Had the server kept episode 1's history, episode 2's chunk would differ: replay the noise stream and
        // continue the first session instead.
        let stale = try ONNXDiffusionPolicy(directory: Self.directory, config: server.policy.config)
        let kept = stale.makeSessionState()
        for step in plan.prefix(3) { _ = try stale.predictChunk(step.request, session: kept) }
        let continued = try stale.predictChunk(plan[3].request, session: kept).chunkModel
        #expect(zip(continued, served[3]).map { abs($0 - $1) }.max()! > 1e-3)
    }

    @Test("Environment state over the wire (no camera): warm-up, chunks equal the policy's own, a missing one is refused")
    func environmentState() async throws {
        let directory = Self.directory.deletingLastPathComponent().appendingPathComponent("diffusion-tiny-envstate-only")
        let manifest = try ServerManifest(
            yaml: nil,
            overrides: [
                ("model.repo_or_path", directory.path), ("model.device", "cpu"), ("zenoh.mode", "peer"),
            ])
        let server = try await ServerStartup.load(manifest)
        #expect(server.capabilities.expectedCameras.isEmpty)
        let runner = try InferenceRunner(
            policy: server.policy, settings: .init(servingMode: server.servingMode, rtcExecutionHorizon: 10, defaultTask: ""))
        try ServerStartup.warmUp(server, runner: runner)
        let requests =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: directory.appendingPathComponent("requests/requests.json"))) as! [String: Any]
        let entries = Array((requests["episodes"] as! [[[String: Any]]]).joined())
        var session = ServerSession(
            sessionID: "s1", clientUUID: "c1", rtcEnabled: false, task: "", processors: server.policy.makeSessionState(), now: 0)
        let reference = try ONNXDiffusionPolicy(directory: directory, config: server.policy.config)
        let referenceSession = reference.makeSessionState()
        // The warm-up's two requests took two noise draws from the server policy's stream; take them here too.
        let zeros = PolicyRequest(state: [Float](repeating: 0, count: 6), environmentState: [0, 0, 0, 0])
        for _ in 0..<manifest.warmupInferences { _ = try reference.predictChunk(zeros, session: reference.makeSessionState()) }
        for (seq, entry) in entries.suffix(3).enumerated() {
            let state = try Self.floats(directory.appendingPathComponent(entry["state"] as! String))
            let environment = try Self.floats(directory.appendingPathComponent(entry["environment_state"] as! String))
            let observation = Observation(
                state: try PolicyTensor(float32: state), episodeStart: seq == 0,
                environmentState: try PolicyTensor(float32: environment))
            let header = AttachmentHeader(
                messageType: .observation, seqID: UInt64(seq), episodeID: 1, clientMonoNs: 5, sessionEpoch: 1)
            let reply = try runner.serve(
                PendingObservation(header: header, body: observation.encoded(), receivedAt: runner.now), session: &session,
                superseded: 0, serverLoad: 0)
            let chunk = try #require(try ActionChunk(decoding: reply.body).chunkModel as PolicyTensor?)
            let want = try reference.predictChunk(
                PolicyRequest(state: state, environmentState: environment), session: referenceSession
            ).chunkModel
            #expect(chunk.floats() == want, "request \(seq)")
        }
        let missing = Observation(state: try PolicyTensor(float32: [Float](repeating: 0, count: 6)), episodeStart: true)
        #expect(throws: (any Error).self) {
            try runner.serve(
                PendingObservation(
                    header: AttachmentHeader(messageType: .observation, seqID: 9, episodeID: 2, clientMonoNs: 5, sessionEpoch: 1),
                    body: missing.encoded(), receivedAt: runner.now),
                session: &session, superseded: 0, serverLoad: 0)
        }
    }
}

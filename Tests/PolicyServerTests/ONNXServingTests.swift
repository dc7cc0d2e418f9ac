import Foundation
import InteropSupport
import NIOCore
import OrderedCollections
import PolicyRuntime
import PolicyServer
import PolicyWire
import Testing

/// The server's request path (wire → processors → ONNX Runtime → post-processor → wire) on an ACT-shaped model
/// package made by `python/onnx_policy_fixtures.py`, against numpy processors + Python onnxruntime.
@Suite("Serving an ONNX model package")
struct ONNXServingTests {
    static func raw(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    static func floats(_ url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
            }
        }
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// Serves every request of `directory/requests/requests.json` through the runner (raw images, so the wire is
    /// lossless) and returns the largest |Swift − reference| of chunk_model and chunk_robot.
    static func serveAll(_ directory: URL, chunk: Int, cameras: [String]) async throws -> (model: Float, robot: Float) {
        let manifest = try ServerManifest(
            yaml: nil,
            overrides: [
                ("model.repo_or_path", directory.path), ("model.device", "cpu"), ("zenoh.mode", "peer"),
            ])
        let server = try await ServerStartup.load(manifest)
        #expect(server.policy.config.type == "act" && !server.rtcActive)
        #expect(server.capabilities.expectedCameras == cameras)
        let runner = try InferenceRunner(
            policy: server.policy, settings: .init(servingMode: server.servingMode, rtcExecutionHorizon: 10, defaultTask: ""))
        try ServerStartup.warmUp(server, runner: runner)
        let list = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("requests/requests.json")))
                as? [String: Any])
        var session = ServerSession(
            sessionID: "s1", clientUUID: "c1", rtcEnabled: false, task: "", processors: server.policy.makeSessionState(), now: 0)
        var worst: (model: Float, robot: Float) = (0, 0)
        let requests = list["requests"] as! [[String: Any]]
        #expect(requests.count == 3)
        for (seq, entry) in requests.enumerated() {
            var images: OrderedDictionary<String, WireImage> = [:]
            for (key, image) in entry["images"] as! [String: [String: Any]] {
                let rgb = try RGBImage(
                    width: image["width"] as! Int, height: image["height"] as! Int,
                    pixels: try Self.raw(directory.appendingPathComponent(image["file"] as! String)))
                images[key] = try WireImage(rgb, quality: 0, encoder: JPEGEncoder())  // raw: lossless
            }
            let observation = Observation(
                state: try PolicyTensor(float32: try Self.floats(directory.appendingPathComponent(entry["state"] as! String))),
                images: images, task: "", inferenceDelaySteps: 0, prefixModel: nil, prefixRobot: nil, episodeStart: seq == 0)
            let header = AttachmentHeader(messageType: .observation, seqID: UInt64(seq), episodeID: 1, clientMonoNs: 5, sessionEpoch: 1)
            let reply = try runner.serve(
                PendingObservation(header: header, body: observation.encoded(), receivedAt: runner.now), session: &session,
                superseded: 0, serverLoad: 0)
            let decoded = try ActionChunk(decoding: reply.body)
            let model = try #require(decoded.chunkModel as PolicyTensor?)
            let robot = try #require(decoded.chunkRobot as PolicyTensor?)
            #expect(model.shape == [chunk, 6] && robot.shape == [chunk, 6])
            let wantModel = try Self.floats(directory.appendingPathComponent(entry["chunk_model"] as! String))
            let wantRobot = try Self.floats(directory.appendingPathComponent(entry["chunk_robot"] as! String))
            #expect(wantModel.count == chunk * 6 && wantRobot.count == chunk * 6)
            worst.model = max(worst.model, zip(model.floats(), wantModel).map { abs($0 - $1) }.max() ?? .infinity)
            worst.robot = max(worst.robot, zip(robot.floats(), wantRobot).map { abs($0 - $1) }.max() ?? .infinity)
        }
        return worst
    }

    @Test("Full request path on an ACT-shaped package: bit-identical to numpy processors + Python onnxruntime")
    func fullPathAgainstPythonORT() async throws {
        let directory = try PythonRunner.temporaryDirectory("serve-act")
        try PythonRunner.succeed("onnx_policy_fixtures.py", ["tiny-act", directory.path, "--cameras", "2", "--chunk", "7"])
        let worst = try await Self.serveAll(directory, chunk: 7, cameras: ["observation.images.front", "observation.images.wrist"])
        #expect(worst.model == 0 && worst.robot == 0, "Δ model \(worst.model), robot \(worst.robot)")
    }

    /// Exported LeRobot ACT checkpoints (Tests/Fixtures, made by tools/make_act_fixture.py) against LeRobot's own
    /// pipeline in PyTorch. 1e-4: PyTorch and ONNX Runtime use different kernels (GEMM blocking, fused attention,
    /// softmax), so float32 results differ by rounding; the exporter measured ≤ 1e-6 on the graph alone.
    @Test(
        "Full request path on exported LeRobot ACT: chunk_model and chunk_robot match PyTorch to 1e-4",
        arguments: [
            ("act-tiny-1cam", 10, ["observation.images.front"]),
            ("act-tiny-2cam", 20, ["observation.images.front", "observation.images.wrist"]),
        ])
    func fullPathAgainstPyTorch(fixture: String, chunk: Int, cameras: [String]) async throws {
        let worst = try await Self.serveAll(Self.fixtures.appendingPathComponent(fixture), chunk: chunk, cameras: cameras)
        #expect(worst.model <= 1e-4 && worst.robot <= 1e-4, "\(fixture): Δ model \(worst.model), robot \(worst.robot)")
        print("\(fixture): max |Swift - PyTorch| chunk_model \(worst.model), chunk_robot \(worst.robot)")
    }

    @Test("model.device=cuda on the CPU wheel fails at start-up, naming what is missing")
    func cudaMissing() async throws {
        let directory = try PythonRunner.temporaryDirectory("serve-act-cuda")
        try PythonRunner.succeed("onnx_policy_fixtures.py", ["tiny-act", directory.path])
        let manifest = try ServerManifest(yaml: nil, overrides: [("model.repo_or_path", directory.path), ("zenoh.mode", "peer")])
        #expect(manifest.model.device == "cuda")  // LeRobot's default
        await #expect {
            try await ServerStartup.load(manifest)
        } throws: { error in
            guard let error = error as? PolicyRuntimeError else { return false }
            return error.code == .unsupportedPolicy && error.message.contains("has no CUDAExecutionProvider")
                && error.message.contains("model.device=cpu")
        }
    }
}

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
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    @Test("chunk_model and chunk_robot through the full request path equal the Python pipeline's, bit for bit")
    func fullPath() async throws {
        let directory = try PythonRunner.temporaryDirectory("serve-act")
        try PythonRunner.succeed("onnx_policy_fixtures.py", ["tiny-act", directory.path, "--cameras", "2", "--chunk", "7"])
        let manifest = try ServerManifest(yaml: nil, overrides: [
            ("model.repo_or_path", directory.path), ("model.device", "cpu"), ("zenoh.mode", "peer"),
        ])
        let server = try await ServerStartup.load(manifest)
        #expect(server.policy.config.type == "act" && !server.rtcActive)
        #expect(server.capabilities.expectedCameras == ["observation.images.front", "observation.images.wrist"])
        let runner = try InferenceRunner(
            policy: server.policy, settings: .init(servingMode: server.servingMode, rtcExecutionHorizon: 10, defaultTask: ""))
        try ServerStartup.warmUp(server, runner: runner)
        let list = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("requests/requests.json")))
                as? [String: Any])
        var session = ServerSession(
            sessionID: "s1", clientUUID: "c1", rtcEnabled: false, task: "", processors: server.policy.makeSessionState(), now: 0)
        for (seq, entry) in (list["requests"] as! [[String: Any]]).enumerated() {
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
            let chunk = try ActionChunk(decoding: reply.body)
            let model = try #require(chunk.chunkModel as PolicyTensor?)
            let robot = try #require(chunk.chunkRobot as PolicyTensor?)
            #expect(model.shape == [7, 6] && robot.shape == [7, 6])
            #expect(model.floats() == (try Self.floats(directory.appendingPathComponent(entry["chunk_model"] as! String))))
            #expect(robot.floats() == (try Self.floats(directory.appendingPathComponent(entry["chunk_robot"] as! String))))
        }
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

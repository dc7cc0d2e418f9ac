import Foundation
import ONNXRuntime
import PolicyWire
import Testing

@testable import PolicyRuntime

/// A small ACT-shaped model package (ACT's config fields, processor JSONs, normalizer stats, an onnx/ graph) built
/// by `python/onnx_policy_fixtures.py tiny-act`, with the chunks LeRobot's formulas + Python onnxruntime give.
@Suite("ONNX chunk policy (ACT-shaped package)")
struct ONNXPolicyTests {
    struct Case {
        var request: PolicyRequest
        var model: [Float]
        var robot: [Float]
    }

    static func package(cameras: Int, chunk: Int, relative: Bool = false) throws -> (URL, [Case]) {
        let directory = try Fixtures.make(
            "tiny-act", ["--cameras", "\(cameras)", "--chunk", "\(chunk)"] + (relative ? ["--relative"] : []))
        let manifest = try #require(
            try Fixtures.json(directory.appendingPathComponent("requests/requests.json")) as? [String: Any])
        var cases: [Case] = []
        for entry in manifest["requests"] as! [[String: Any]] {
            var images: [(key: String, image: RGBImage)] = []
            for (key, image) in entry["images"] as! [String: [String: Any]] {
                let pixels = try Fixtures.bytes(directory.appendingPathComponent(image["file"] as! String))
                images.append((key, try RGBImage(width: image["width"] as! Int, height: image["height"] as! Int, pixels: pixels)))
            }
            images.sort { $0.key > $1.key }  // the robot's order need not be the config's
            cases.append(
                Case(
                    request: PolicyRequest(
                        state: try Fixtures.floats(directory.appendingPathComponent(entry["state"] as! String)), images: images),
                    model: try Fixtures.floats(directory.appendingPathComponent(entry["chunk_model"] as! String)),
                    robot: try Fixtures.floats(directory.appendingPathComponent(entry["chunk_robot"] as! String))))
        }
        return (directory, cases)
    }

    @Test("Swift processors + ONNX Runtime are bit-identical to numpy processors + Python onnxruntime", arguments: [(1, 10), (2, 7)])
    func matchesPython(cameras: Int, chunk: Int) throws {
        let (directory, cases) = try Self.package(cameras: cameras, chunk: chunk)
        let policy = try #require(try PolicyLoader.load(directory: directory) as? ONNXChunkPolicy)
        #expect(policy.config.chunkSize == chunk && policy.config.cameraKeys.count == cameras && !policy.supportsRTC)
        #expect(policy.session.provider == "CPUExecutionProvider")
        #expect(cases.count == 3)
        for (i, c) in cases.enumerated() {
            let out = try policy.predictChunk(c.request, session: policy.makeSessionState())
            #expect(out.rows == chunk && out.columns == 6)
            // Same float32 operations in the same order and the same ONNX Runtime library: bit-identical.
            let modelDiff = Fixtures.maxAbsDiff(out.chunkModel, c.model)
            let robotDiff = Fixtures.maxAbsDiff(out.chunkRobot, c.robot)
            #expect(modelDiff == 0 && robotDiff == 0, "request \(i): model Δ \(modelDiff), robot Δ \(robotDiff)")
        }
    }

    @Test("Relative actions: every row re-anchored on the raw state (gripper excluded); RTC prefix re-anchoring = numpy")
    func relativeActions() throws {
        let (directory, cases) = try Self.package(cameras: 1, chunk: 10, relative: true)
        let policy = try #require(try PolicyLoader.load(directory: directory) as? ONNXChunkPolicy)
        #expect(policy.processors.relative?.mask == [true, true, true, true, true, false])
        let list = try #require(try Fixtures.json(directory.appendingPathComponent("requests/requests.json")) as? [String: Any])
        let entries = list["requests"] as! [[String: Any]]
        for (c, entry) in zip(cases, entries) {
            let session = policy.makeSessionState()
            let out = try policy.predictChunk(c.request, session: session)
            #expect(out.chunkModel == c.model && out.chunkRobot == c.robot)
            #expect((session as? ONNXPolicySession)?.cachedState == c.request.state)
            let prefix = try Fixtures.floats(directory.appendingPathComponent(entry["prefix_robot"] as! String))
            let want = try Fixtures.floats(directory.appendingPathComponent(entry["prefix_model"] as! String))
            #expect(policy.processors.modelSpacePrefix(robotPrefix: prefix, rawState: c.request.state) == want)
            session.reset()
            #expect((session as? ONNXPolicySession)?.cachedState == nil)
        }
        // An absolute step without its relative partner is refused at load.
        let orphan = FileManager.default.temporaryDirectory.appendingPathComponent("act-orphan-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: directory, to: orphan)
        let pre = orphan.appendingPathComponent("policy_preprocessor.json")
        try (try String(contentsOf: pre, encoding: .utf8)).replacingOccurrences(
            of: "\"relative_actions_processor\"", with: "\"to_batch_processor\""
        )
        .write(to: pre, atomically: true, encoding: .utf8)
        #expect {
            try PolicyLoader.load(directory: orphan)
        } throws: {
            ($0 as? PolicyRuntimeError)?.message == "\(orphan.path)/policy_postprocessor.json: step 1 'absolute_actions_processor' is "
                + "enabled but the pre-processor has no relative_actions_processor to pair with"
        }
    }

    @Test("A batch of requests gives exactly what each request gives alone")
    func batchEqualsSingles() throws {
        let (directory, cases) = try Self.package(cameras: 2, chunk: 7)
        let policy = try #require(try PolicyLoader.load(directory: directory) as? ONNXChunkPolicy)
        let singles = try cases.map { try policy.predictChunk($0.request, session: policy.makeSessionState()) }
        let batched = try policy.predictChunks(cases.map { ($0.request, policy.makeSessionState()) })
        #expect(batched.count == singles.count)
        for (b, s) in zip(batched, singles) {
            #expect(b.chunkModel == s.chunkModel && b.chunkRobot == s.chunkRobot)
        }
    }

    @Test("Requests that do not fit: wrong state length, a missing camera")
    func badRequests() throws {
        let (directory, cases) = try Self.package(cameras: 2, chunk: 7)
        let policy = try PolicyLoader.load(directory: directory)
        var short = cases[0].request
        short.state = [1, 2]
        #expect {
            try policy.predictChunk(short, session: policy.makeSessionState())
        } throws: { ($0 as? PolicyRuntimeError)?.message == "state has 2 values, the policy expects 6" }
        var oneCamera = cases[0].request
        oneCamera.images.removeAll { $0.key == "observation.images.front" }
        #expect {
            try policy.predictChunk(oneCamera, session: policy.makeSessionState())
        } throws: {
            ($0 as? PolicyRuntimeError)?.message == "camera 'observation.images.front' is missing (got: observation.images.wrist)"
        }
    }

    @Test("Cameras of another size are resized to the policy's [3, H, W]")
    func resizedCameras() throws {
        let (directory, cases) = try Self.package(cameras: 1, chunk: 10)
        let policy = try PolicyLoader.load(directory: directory)
        var request = cases[0].request
        request.images = [("observation.images.front", try RGBImage(width: 64, height: 48, filledWith: (10, 200, 30)))]
        let big = try policy.predictChunk(request, session: policy.makeSessionState())
        request.images = [("observation.images.front", try RGBImage(width: 32, height: 24, filledWith: (10, 200, 30)))]
        let native = try policy.predictChunk(request, session: policy.makeSessionState())
        // A uniform frame stays uniform under bilinear resizing: the same chunk.
        #expect(big.chunkModel == native.chunkModel)
    }

    @Test("Load errors name the file and the step, policy type or field at fault")
    func loadErrors() throws {
        let (directory, _) = try Self.package(cameras: 1, chunk: 10)
        let fm = FileManager.default
        func edit(_ file: String, _ change: (String) -> String) throws -> URL {
            let copy = fm.temporaryDirectory.appendingPathComponent("act-edit-\(UUID().uuidString)")
            try fm.copyItem(at: directory, to: copy)
            let url = copy.appendingPathComponent(file)
            try change(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
            return copy
        }
        // An unsupported processor step.
        let tokenizer = try edit("policy_preprocessor.json") {
            $0.replacingOccurrences(of: "\"to_batch_processor\"", with: "\"action_tokenizer_processor\"")
        }
        #expect {
            try PolicyLoader.load(directory: tokenizer)
        } throws: {
            ($0 as? PolicyRuntimeError)?.message == "\(tokenizer.path)/policy_preprocessor.json: step 1 "
                + "'action_tokenizer_processor' is not supported by the ONNX runtime (supported: "
                + "rename_observations_processor, to_batch_processor, device_processor, normalizer_processor, "
                + "relative_actions_processor, pi0_new_line_processor, smolvla_new_line_processor, "
                + "pi05_prepare_state_tokenizer_processor_step, tokenizer_processor)"
        }
        // pi0.5's state-prompt step with no tokenizer step to read its prompt.
        let prompt = try edit("policy_preprocessor.json") {
            $0.replacingOccurrences(of: "\"to_batch_processor\"", with: "\"pi05_prepare_state_tokenizer_processor_step\"")
        }
        #expect {
            try PolicyLoader.load(directory: prompt)
        } throws: {
            ($0 as? PolicyRuntimeError)?.message == "\(prompt.path)/policy_preprocessor.json: "
                + "'pi05_prepare_state_tokenizer_processor_step' writes the state into the task prompt, but no "
                + "tokenizer_processor step follows it"
        }
        // An unknown normalization mode.
        let mode = try edit("policy_postprocessor.json") {
            $0.replacingOccurrences(of: "\"ACTION\": \"MEAN_STD\"", with: "\"ACTION\": \"LOG\"")
        }
        #expect {
            try PolicyLoader.load(directory: mode)
        } throws: { ($0 as? PolicyRuntimeError)?.message.contains("normalization mode 'LOG' for ACTION is not supported") == true }
        // A family the ONNX runtime does not serve, and a checkpoint without an ONNX export.
        let pi0 = try edit("config.json") { $0.replacingOccurrences(of: "\"type\": \"act\"", with: "\"type\": \"groot\"") }
        #expect {
            try PolicyLoader.load(directory: pi0)
        } throws: {
            ($0 as? PolicyRuntimeError)?.message
                == "policy type 'groot' (\(pi0.path)) is not served by the ONNX runtime yet (supported: act, diffusion, pi0, pi05, smolvla)"
        }
        let bare = try edit("config.json") { $0 }
        try fm.removeItem(at: bare.appendingPathComponent("onnx/model.json"))
        #expect {
            try PolicyLoader.load(directory: bare)
        } throws: { ($0 as? PolicyRuntimeError)?.message.hasPrefix("policy type 'act' (\(bare.path)) has no onnx/model.json") == true }
        // A graph description that disagrees with config.json.
        let chunk = try edit("config.json") { $0.replacingOccurrences(of: "\"chunk_size\": 10", with: "\"chunk_size\": 12") }
        #expect {
            try PolicyLoader.load(directory: chunk)
        } throws: {
            ($0 as? PolicyRuntimeError)?.message
                == "\(chunk.path)/onnx/model.json: output 'action' is float32 [batch, 10, 6]; config.json needs float32 [batch, 12, 6]"
        }
        // A missing statistics file.
        let stats = try edit("config.json") { $0 }
        try fm.removeItem(at: stats.appendingPathComponent("policy_preprocessor_step_3_normalizer_processor.safetensors"))
        #expect {
            try PolicyLoader.load(directory: stats)
        } throws: {
            ($0 as? PolicyRuntimeError)?.message == "cannot read \(stats.path)/policy_preprocessor_step_3_normalizer_processor.safetensors"
        }
        // A device ONNX Runtime does not know.
        #expect {
            try PolicyLoader.load(directory: directory, options: .init(device: "mps"))
        } throws: { ($0 as? PolicyRuntimeError)?.message.contains("model.device 'mps' is not supported") == true }
    }
}

import FlowMatching
import Foundation
import InteropSupport
import ONNXRuntime
import PolicyWire
import Testing
import Tokenizers

@testable import PolicyRuntime

/// SmolVLA, pi0 and pi0.5 served as a policy (`PolicyLoader` → ``ONNXFlowMatchingPolicy``): the request a server
/// builds from the wire (raw state, camera frames, the task string, RTC inputs) through the Swift pre-processor (new
/// line or pi0.5's state prompt, the checkpoint's tokenizer, normalization), both graphs, the sampler and the
/// post-processor, against what PyTorch's LeRobot pipeline gave for the same inputs and noise
/// (`Tests/Fixtures/smolvla-tiny`, `pi0-tiny`, `pi05-tiny`). Tolerances as in ``FlowMatchingONNXTests``.
@Suite("SmolVLA, pi0 and pi0.5 served through the policy runtime vs PyTorch")
struct FlowMatchingPolicyTests {
    static let directory = FlowMatchingONNXTests.directory
    static let tolerance = FlowMatchingONNXTests.tolerance
    /// The committed flow-matching fixtures: SmolVLA (word-level tokenizer in `vlm/`), pi0 (PaliGemma-style
    /// byte-fallback BPE in `tokenizer/`, `pi0_new_line_processor`, tokens padded to max_length) and pi0.5 (the same
    /// tokenizer; `pi05_prepare_state_tokenizer_processor_step` puts the normalized state into the prompt, 72 tokens).
    static let fixtures = ["smolvla-tiny", "pi0-tiny", "pi05-tiny"]

    static func fixture(_ name: String) -> URL { PythonRunner.packageRoot.appendingPathComponent("Tests/Fixtures/\(name)") }

    struct Sample {
        var task: String
        var state: [Float]
        var images: [(key: String, image: RGBImage)]
        var tokens: [Int64]
        var mask: [Bool]
        var noise: [Float]
        var chunkModel: [Float]
        var chunkRobot: [Float]

        var request: PolicyRequest { PolicyRequest(state: state, images: images, task: task) }
    }

    static func file(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static func samples(_ directory: URL = directory) throws -> [Sample] {
        func file(_ name: String) -> URL { directory.appendingPathComponent(name) }
        return try (FlowMatchingONNXTests.manifest(directory)["requests"] as! [[String: Any]]).map { entry in
            var images: [(key: String, image: RGBImage)] = []
            for (key, image) in (entry["images"] as! [String: [String: Any]]).sorted(by: { $0.key < $1.key }) {
                images.append(
                    (
                        key,
                        try RGBImage(
                            width: image["width"] as! Int, height: image["height"] as! Int,
                            pixels: try Fixtures.bytes(file(image["file"] as! String)))
                    ))
            }
            return Sample(
                task: entry["task"] as! String, state: try Fixtures.floats(file(entry["state"] as! String)), images: images,
                tokens: try FlowMatchingONNXTests.int64s(file(entry["tokens"] as! String)),
                mask: try Fixtures.bytes(file(entry["attention_mask"] as! String)).map { $0 != 0 },
                noise: try Fixtures.floats(file(entry["noise"] as! String)),
                chunkModel: try Fixtures.floats(file(entry["chunk_model"] as! String)),
                chunkRobot: try Fixtures.floats(file(entry["chunk_robot"] as! String)))
        }
    }

    static func policy(
        _ directory: URL = directory, schedule: String = "LINEAR", maxGuidanceWeight: Double = 10
    ) throws -> ONNXFlowMatchingPolicy {
        let options = PolicyRuntimeOptions(rtcPrefixAttentionSchedule: schedule, rtcMaxGuidanceWeight: maxGuidanceWeight)
        return try #require(try PolicyLoader.load(directory: directory, options: options) as? ONNXFlowMatchingPolicy)
    }

    @Test("PolicyLoader serves the package as an RTC-capable, RTC-batching flow-matching policy with its tokenizer")
    func loads() throws {
        let policy = try Self.policy()
        #expect(policy.config.type == "smolvla" && policy.supportsRTC && policy.batchesRTC)
        #expect(policy.language.directory.lastPathComponent == "vlm")
        #expect(policy.language.tokenizer.configuration.appendsNewline && policy.language.tokenizer.configuration.maxLength == 16)
        #expect(policy.guidance.schedule == .linear && policy.guidance.maxGuidanceWeight == 10)
    }

    @Test(
        "The request is tokenized as LeRobot's pipeline did (new line or state prompt, tokenizer, padding to the graph's length)",
        arguments: fixtures)
    func tokens(fixture: String) throws {
        let policy = try Self.policy(Self.fixture(fixture))
        for sample in try Self.samples(Self.fixture(fixture)) {
            let output = try policy.languageTokens(for: sample.request)
            #expect(output.ids.map(Int64.init) == sample.tokens, "\(sample.task)")
            #expect(output.attentionMask == sample.mask, "\(sample.task)")
        }
        let long = Array(repeating: "cube", count: 40).joined(separator: " ")
        #expect { try policy.language.tokens(for: long, length: 8) } throws: {
            ($0 as? PolicyRuntimeError)?.code == .invalidInput && "\($0)".contains("at most 8")
        }
    }

    @Test(
        "RTC off: the whole request path matches PyTorch in model and robot space, alone and as one batch",
        arguments: fixtures)
    func plain(fixture: String) throws {
        let policy = try Self.policy(Self.fixture(fixture))
        let samples = try Self.samples(Self.fixture(fixture))
        var worst: Float = 0
        for (i, sample) in samples.enumerated() {
            let output = try policy.predictChunks([(sample.request, policy.makeSessionState())], noise: sample.noise)[0]
            #expect(output.rows == 50 && output.columns == 6)
            let model = Fixtures.maxAbsDiff(output.chunkModel, sample.chunkModel)
            let robot = Fixtures.maxAbsDiff(output.chunkRobot, sample.chunkRobot)
            worst = max(worst, model)
            #expect(model <= Self.tolerance && robot <= 4 * Self.tolerance, "request \(i): Δ model \(model), robot \(robot)")
        }
        let batch = try policy.predictChunks(samples.map { ($0.request, policy.makeSessionState()) }, noise: samples.flatMap(\.noise))
        for (i, (output, sample)) in zip(batch, samples).enumerated() {
            let diff = Fixtures.maxAbsDiff(output.chunkModel, sample.chunkModel)
            worst = max(worst, diff)
            #expect(diff <= Self.tolerance, "batched request \(i): Δ \(diff)")
        }
        print("\(fixture) served, RTC off: max |Swift − PyTorch| = \(worst)")
    }

    @Test(
        "RTC on: each robot's own delay and prefix, alone and all in one batch; no prefix means no guidance",
        arguments: fixtures)
    func guided(fixture: String) throws {
        let directory = Self.fixture(fixture)
        func file(_ name: String) -> URL { directory.appendingPathComponent(name) }
        let samples = try Self.samples(directory)
        let cases = try #require(try FlowMatchingONNXTests.manifest(directory)["rtc"] as? [[String: Any]])
        var worst: Float = 0
        var batchRequests: [(PolicyRequest, any PolicySessionState)] = []
        var batchNoise: [Float] = []
        var batchWants: [[Float]] = []
        for (k, entry) in cases.enumerated() {
            let sample = samples[entry["request"] as! Int]
            let schedule = entry["schedule"] as! String
            let weight = entry["max_guidance_weight"] as! Double
            let policy = try Self.policy(directory, schedule: schedule, maxGuidanceWeight: weight)
            let valid = entry["valid_rows"] as! Int
            var request = sample.request
            request.rtc = RTCInputs(
                delaySteps: entry["delay"] as! Int, prefix: try Fixtures.floats(file(entry["prefix"] as! String)),
                validRows: valid, executionHorizon: entry["execution_horizon"] as! Int)
            let output = try policy.predictChunks([(request, policy.makeSessionState())], noise: sample.noise)[0]
            if valid == 0 {
                // The robot sent no prefix (first chunk of an episode): LeRobot's RTC processor returns the plain
                // velocity for a nil prefix, so the chunk is the unguided one, bit for bit.
                #expect(
                    output.chunkModel
                        == (try policy.predictChunks([(sample.request, policy.makeSessionState())], noise: sample.noise)[0].chunkModel))
                #expect(Fixtures.maxAbsDiff(output.chunkModel, sample.chunkModel) <= Self.tolerance, "case \(k): unguided")
                continue
            }
            let want = try Fixtures.floats(file(entry["chunk_model"] as! String))
            let diff = Fixtures.maxAbsDiff(output.chunkModel, want)
            worst = max(worst, diff)
            #expect(diff <= Self.tolerance, "case \(k) \(schedule) d=\(entry["delay"]!) valid=\(valid): Δ \(diff)")
            #expect(Fixtures.maxAbsDiff(output.chunkModel, sample.chunkModel) > 1e-3, "case \(k) must be guided")
            if schedule == "LINEAR" && weight == 10 {
                batchRequests.append((request, policy.makeSessionState()))
                batchNoise += sample.noise
                batchWants.append(want)
            }
        }
        // The LINEAR cases (different delays and prefixes) plus one robot without RTC, in one batched run.
        let plain = samples[1]
        batchRequests.append((plain.request, try Self.policy(directory).makeSessionState()))
        batchNoise += plain.noise
        batchWants.append(plain.chunkModel)
        #expect(batchRequests.count >= 3)
        let outputs = try Self.policy(directory).predictChunks(batchRequests, noise: batchNoise)
        for (k, (output, want)) in zip(outputs, batchWants).enumerated() {
            let diff = Fixtures.maxAbsDiff(output.chunkModel, want)
            worst = max(worst, diff)
            #expect(diff <= Self.tolerance, "batched row \(k): Δ \(diff)")
        }
        print("\(fixture) served, RTC on: max |Swift − PyTorch| = \(worst)")
    }

    @Test("Relative actions: the prefix is re-anchored from prefix_robot against the current raw state")
    func reanchoring() throws {
        let copy = try Self.copyFixture()
        defer { try? FileManager.default.removeItem(at: copy) }
        // The pi0 layout: a relative step before the normalizer, its absolute twin after the un-normalizer.
        try Self.editPipeline(copy.appendingPathComponent("policy_preprocessor.json")) { steps in
            let normalizer = steps.firstIndex { ($0["registry_name"] as? String) == "normalizer_processor" }!
            steps.insert(
                [
                    "registry_name": "relative_actions_processor",
                    "config": [
                        "enabled": true, "exclude_joints": ["gripper"],
                        "action_names": ["a.pos", "b.pos", "c.pos", "d.pos", "e.pos", "gripper.pos"],
                    ],
                ],
                at: normalizer)
        }
        try Self.editPipeline(copy.appendingPathComponent("policy_postprocessor.json")) { steps in
            steps.insert(["registry_name": "absolute_actions_processor", "config": ["enabled": true]], at: 1)
        }
        let policy = try Self.policy(copy)
        let relative = try #require(policy.processors.relative)
        #expect(relative.mask == [true, true, true, true, true, false])
        let sample = try Self.samples()[0]
        let robotRows: [Float] = (0..<(4 * 6)).map { Float($0 % 6) * 0.5 + Float($0 / 6) * 0.1 }
        var robotPrefix = [Float](repeating: 0, count: 60)
        robotPrefix.replaceSubrange(0..<24, with: robotRows)
        var request = sample.request
        request.rtc = RTCInputs(
            delaySteps: 1, prefix: [Float](repeating: 99, count: 60), validRows: 4, executionHorizon: 10,
            robotPrefix: robotPrefix)
        let guide = try #require(try policy.guide(for: request))
        let normalization = try #require(policy.processors.actionNormalization)
        for row in 0..<10 {
            for j in 0..<6 {
                let got = guide.target[row * 32 + j]
                guard row < 4 else {
                    #expect(got == 0, "row \(row) past the leftover stays zero")
                    continue
                }
                let relativeValue = robotRows[row * 6 + j] - (j < 5 ? sample.state[j] : 0)
                let want = normalization.normalized([Float](repeating: relativeValue, count: 6))[j]
                #expect(abs(got - want) <= 1e-6, "row \(row) column \(j): \(got) vs \(want)")
            }
        }
        // Robot space adds the state back to the relative columns.
        let output = try policy.predictChunks([(sample.request, policy.makeSessionState())], noise: sample.noise)[0]
        let absolute = zip(sample.chunkRobot.indices, sample.chunkRobot).map { i, v in v + (i % 6 < 5 ? sample.state[i % 6] : 0) }
        #expect(Fixtures.maxAbsDiff(output.chunkRobot, absolute) <= 4 * Self.tolerance)
    }

    @Test("A package without its tokenizer is refused with where to put it; a bad schedule names the setting")
    func refusals() throws {
        let copy = try Self.copyFixture()
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.removeItem(at: copy.appendingPathComponent("vlm/tokenizer.json"))
        #expect { try Self.policy(copy) } throws: { error in
            let message = "\(error)"
            return (error as? PolicyRuntimeError)?.code == .invalidCheckpoint && message.contains("tokenizer 'vlm'")
                && message.contains("onnx/tokenizer") && message.contains("export_onnx.py")
        }
        #expect { try Self.policy(schedule: "CUBIC") } throws: { "\($0)".contains("rtc.prefix_attention_schedule 'CUBIC'") }
        #expect { try Self.policy(maxGuidanceWeight: 0) } throws: { "\($0)".contains("rtc.max_guidance_weight") }
        // A tokenizer next to the graphs (where the exporter writes it) is found first.
        let packaged = copy.appendingPathComponent("onnx/tokenizer")
        try FileManager.default.createDirectory(at: packaged, withIntermediateDirectories: true)
        for name in ["tokenizer_config.json", "special_tokens_map.json"] {
            try FileManager.default.copyItem(at: copy.appendingPathComponent("vlm/\(name)"), to: packaged.appendingPathComponent(name))
        }
        try FileManager.default.copyItem(
            at: Self.directory.appendingPathComponent("vlm/tokenizer.json"), to: packaged.appendingPathComponent("tokenizer.json"))
        #expect(try Self.policy(copy).language.directory.path == packaged.path)
    }

    @Test("Sizes in onnx/model.json are bounded and must agree with the velocity graph's x_t")
    func packageSizes() throws {
        let copy = try Self.copyFixture()
        defer { try? FileManager.default.removeItem(at: copy) }
        let url = copy.appendingPathComponent("onnx/model.json")
        let original = try Data(contentsOf: url)
        func edited(_ key: String, _ value: Any) throws -> String {
            var object = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
            var block = try #require(object["flow_matching"] as? [String: Any])
            block[key] = value
            object["flow_matching"] = block
            try JSONSerialization.data(withJSONObject: object).write(to: url)
            do { _ = try Self.policy(copy) } catch { return "\(error)" }
            return "loaded"
        }
        #expect(
            try edited("max_action_dim", 4_611_686_018_427_387_904).contains(
                "flow_matching.max_action_dim must be an integer in 1...4096, not 4611686018427387904"))
        #expect(try edited("chunk_size", 0).contains("flow_matching.chunk_size must be an integer in 1...10000, not 0"))
        #expect(try edited("num_steps", "10").contains("flow_matching.num_steps must be an integer in 1...10000, not \"10\""))
        // In bounds but not what the graph samples in: refused at load, not at every request.
        #expect(try edited("max_action_dim", 16).contains("graphs.velocity x_t has shape [batch, 50, 32], but flow_matching says"))
        try original.write(to: url)
        #expect(try edited("num_steps", 10) == "loaded")
    }

    static func copyFixture() throws -> URL {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("smolvla-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: directory, to: copy)
        return copy
    }

    static func editPipeline(_ url: URL, _ edit: (inout [[String: Any]]) -> Void) throws {
        var object = try #require(try JSONSerialization.jsonObject(with: try Data(contentsOf: url)) as? [String: Any])
        var steps = try #require(object["steps"] as? [[String: Any]])
        edit(&steps)
        object["steps"] = steps
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }
}

import FlowMatching
import Foundation
import InteropSupport
import ONNXRuntime
import PolicyWire
import Testing

@testable import PolicyRuntime

/// The committed SmolVLA fixture (`Tests/Fixtures/smolvla-tiny`, made by `tools/make_flow_fixture.py`): LeRobot's
/// SmolVLA with random weights on a tiny SmolVLM, exported as prefix + velocity graphs, with what PyTorch's
/// `predict_action_chunk` gave for fixed observations and fixed noise, RTC off and on.
///
/// Here: the prefix graph on ONNX Runtime, then the Swift sampler (and RTC guidance) around the velocity graph.
/// Tolerance 1e-5 on chunks whose values reach ±4: PyTorch's and ONNX Runtime's kernels round differently (the
/// exporter measured 7e-7 with the same loop in numpy) and ten Euler steps carry those differences; the guidance adds
/// the one-unit differences of the LINEAR/EXP ramps (torch's float32 `linspace` formula in both, but PyTorch's
/// vectorized kernel rounds a few points differently).
@Suite("SmolVLA on ONNX Runtime + the Swift flow-matching sampler vs PyTorch")
struct FlowMatchingONNXTests {
    static let directory = PythonRunner.packageRoot.appendingPathComponent("Tests/Fixtures/smolvla-tiny")
    static let tolerance: Float = 1e-5

    struct Request {
        var inputs: [String: [Float]]
        var tokens: [Int64]
        var mask: [Bool]
        var noise: [Float]
        var chunkModel: [Float]
        var chunkRobot: [Float]
    }

    static func manifest(_ directory: URL = directory) throws -> [String: Any] {
        try #require(try Fixtures.json(directory.appendingPathComponent("requests/requests.json")) as? [String: Any])
    }

    static func file(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static func int64s(_ url: URL) throws -> [Int64] {
        let data = try Data(contentsOf: url)
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 8)).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
        }
    }

    static func requests(_ graphs: ONNXFlowMatchingGraphs, in directory: URL = directory) throws -> [Request] {
        func file(_ name: String) -> URL { directory.appendingPathComponent(name) }
        var out: [Request] = []
        for entry in try manifest(directory)["requests"] as! [[String: Any]] {
            var inputs = ["observation.state": try Fixtures.floats(file(entry["state_normalized"] as! String))]
            for (key, image) in entry["images"] as! [String: [String: Any]] {
                let (height, width) = (image["height"] as! Int, image["width"] as! Int)
                let frame = try RGBImage(width: width, height: height, pixels: try Fixtures.bytes(file(image["file"] as! String)))
                var chw = [Float](repeating: 0, count: 3 * height * width)
                chw.withUnsafeMutableBufferPointer { ImagePreparation.fill($0, from: frame, height: height, width: width) }
                inputs[key] = chw
            }
            let tokens = try int64s(file(entry["tokens"] as! String))
            let mask = try Fixtures.bytes(file(entry["attention_mask"] as! String)).map { $0 != 0 }
            #expect(tokens.count == graphs.settings.languageTokens && mask.filter { $0 }.count == entry["token_count"] as! Int)
            out.append(
                Request(
                    inputs: inputs, tokens: tokens, mask: mask, noise: try Fixtures.floats(file(entry["noise"] as! String)),
                    chunkModel: try Fixtures.floats(file(entry["chunk_model"] as! String)),
                    chunkRobot: try Fixtures.floats(file(entry["chunk_robot"] as! String))))
        }
        return out
    }

    /// The prefix graph's inputs for `requests` stacked on the batch axis.
    static func encode(_ graphs: ONNXFlowMatchingGraphs, _ requests: [Request]) throws -> [String: ORTTensor] {
        let batch = requests.count
        var feeds: [String: ORTTensor] = [:]
        for spec in graphs.package.graphs["prefix"]!.inputs {
            let perSample = spec.shape.dropFirst().map { dimension -> Int in
                guard case .fixed(let n) = dimension else { return 0 }
                return n
            }
            switch spec.name {
            case ONNXFlowMatchingGraphs.tokensInput:
                feeds[spec.name] = try ORTTensor(requests.flatMap(\.tokens), shape: [batch] + perSample)
            case ONNXFlowMatchingGraphs.attentionMaskInput:
                feeds[spec.name] = try ORTTensor(requests.flatMap(\.mask), shape: [batch] + perSample)
            default:
                feeds[spec.name] = try ORTTensor(requests.flatMap { $0.inputs[spec.name]! }, shape: [batch] + perSample)
            }
        }
        return try graphs.encode(feeds)
    }

    static func load(_ directory: URL = directory) throws -> ONNXFlowMatchingGraphs {
        try ONNXFlowMatchingGraphs(directory: directory, config: try PolicyConfig(directory: directory))
    }

    static func schedule(_ name: Any?) throws -> PrefixAttentionSchedule {
        try #require(PrefixAttentionSchedule(rawValue: name as! String))
    }

    @Test("The package: two graphs, the sampler settings, the conditioning the velocity graph reads back")
    func package() throws {
        let graphs = try Self.load()
        #expect(graphs.config.type == "smolvla" && graphs.settings.numSteps == 10 && graphs.settings.chunkSize == 50)
        #expect(graphs.settings.maxActionDim == 32 && graphs.settings.actionDim == 6 && graphs.settings.languageTokens == 16)
        #expect(graphs.sampler.steps == 10 && graphs.sampler.rows == 50 && graphs.sampler.dims == 32)
        #expect(graphs.conditioningNames.first == "prefix_pad_mask" && graphs.conditioningNames.count == 1 + 2 * 4)
        #expect(Set(graphs.velocity.inputNames) == Set(graphs.conditioningNames + ["x_t", "time"]))
        #expect(graphs.prefix.provider == "CPUExecutionProvider")
    }

    @Test("RTC off: each request alone, and the three in one batch, match PyTorch; un-normalized = chunk_robot")
    func plain() throws {
        let worst = try Self.checkPlain(Self.directory, tolerance: Self.tolerance)
        print("smolvla-tiny RTC off: max |Swift + ONNX Runtime − PyTorch| = \(worst)")
    }

    @Test("RTC on: every schedule, delays 0–12, full, partial and empty prefixes, one request at a time and all in one batch")
    func guided() throws {
        let worst = try Self.checkGuided(Self.directory, tolerance: Self.tolerance)
        print("smolvla-tiny RTC on: max |Swift + ONNX Runtime − PyTorch| = \(worst)")
    }

    /// RTC off against the fixture in `directory`: each request alone and all in one batch; returns the max |Δ|.
    static func checkPlain(_ directory: URL, tolerance: Float) throws -> Float {
        func file(_ name: String) -> URL { directory.appendingPathComponent(name) }
        let graphs = try load(directory)
        let requests = try Self.requests(graphs, in: directory)
        #expect(requests.count == 3)
        let stats = try SafetensorsFile(contentsOf: file("policy_postprocessor_step_0_unnormalizer_processor.safetensors"))
        // The fixture's action mode (MEAN_STD for SmolVLA and pi0, QUANTILES for pi0.5).
        let post = try #require(
            try JSONSerialization.jsonObject(with: try Data(contentsOf: file("policy_postprocessor.json"))) as? [String: Any])
        let normMap = try #require(
            ((post["steps"] as? [[String: Any]])?.first?["config"] as? [String: Any])?["norm_map"] as? [String: String])
        let mode = try #require(NormalizationMode(rawValue: normMap["ACTION"] ?? ""))
        let (first, second) = try #require(mode.statNames)
        let action = try FeatureNormalization(
            key: "action", mode: mode, shape: [6],
            stats: [first: try stats.floats("action.\(first)"), second: try stats.floats("action.\(second)")],
            eps: 1e-8, source: "fixture")
        var worst: Float = 0
        for (i, request) in requests.enumerated() {
            let conditioning = try Self.encode(graphs, [request])
            let chunk = try graphs.sample(conditioning: conditioning, batch: 1, noise: request.noise)
            let diff = Fixtures.maxAbsDiff(chunk, request.chunkModel)
            worst = max(worst, diff)
            #expect(diff <= tolerance, "request \(i): Δ \(diff)")
            let robot = action.unnormalized(chunk)
            #expect(Fixtures.maxAbsDiff(robot, request.chunkRobot) <= 4 * tolerance, "request \(i) robot space")
        }
        // One batch: the rows of one run equal PyTorch's batched call (tokens padded to the longest there, to 16 here).
        let batch = try #require(try manifest(directory)["batch"] as? [String: Any])
        let conditioning = try Self.encode(graphs, requests)
        let chunks = try graphs.sample(conditioning: conditioning, batch: 3, noise: requests.flatMap(\.noise))
        let want = try Fixtures.floats(file(batch["chunk_model"] as! String))
        let diff = Fixtures.maxAbsDiff(chunks, want)
        worst = max(worst, diff)
        #expect(diff <= tolerance, "batch of 3: Δ \(diff)")
        return worst
    }

    /// RTC on against the fixture in `directory`: every case alone, all cases in one batch, PyTorch's batched RTC call.
    static func checkGuided(_ directory: URL, tolerance: Float) throws -> Float {
        func file(_ name: String) -> URL { directory.appendingPathComponent(name) }
        let graphs = try load(directory)
        let requests = try Self.requests(graphs, in: directory)
        let cases = try #require(try manifest(directory)["rtc"] as? [[String: Any]])
        #expect(cases.count == 7)
        var worst: Float = 0
        var guides: [RTCGuide] = []
        var wants: [[Float]] = []
        for (k, entry) in cases.enumerated() {
            let request = requests[entry["request"] as! Int]
            let guidance = try RTCGuidance(
                schedule: try Self.schedule(entry["schedule"]), maxGuidanceWeight: Float(entry["max_guidance_weight"] as! Double),
                executionHorizon: entry["execution_horizon"] as! Int)
            let prefix = try Fixtures.floats(file(entry["prefix"] as! String))
            let guide = try graphs.guide(prefix: prefix, rows: prefix.count / 6, delay: entry["delay"] as! Int, guidance: guidance)
            let chunk = try graphs.sample(
                conditioning: try Self.encode(graphs, [request]), batch: 1, noise: request.noise, guides: [guide])
            let want = try Fixtures.floats(file(entry["chunk_model"] as! String))
            let diff = Fixtures.maxAbsDiff(chunk, want)
            worst = max(worst, diff)
            #expect(diff <= tolerance, "case \(k) \(entry["schedule"]!) d=\(entry["delay"]!) valid=\(entry["valid_rows"]!): Δ \(diff)")
            // Guidance moved the chunk away from the unguided one.
            #expect(Fixtures.maxAbsDiff(chunk, request.chunkModel) > 1e-3, "case \(k) must differ from RTC off")
            guides.append(guide)
            wants.append(want)
        }
        // All seven cases in one batch: each row keeps its own schedule, delay and prefix.
        let rows = cases.map { requests[$0["request"] as! Int] }
        let chunks = try graphs.sample(
            conditioning: try Self.encode(graphs, rows), batch: rows.count, noise: rows.flatMap(\.noise), guides: guides)
        for k in 0..<rows.count {
            let diff = Fixtures.maxAbsDiff(Array(chunks[(k * 300)..<((k + 1) * 300)]), wants[k])
            worst = max(worst, diff)
            #expect(diff <= tolerance, "batched row \(k): Δ \(diff)")
        }
        // PyTorch's own batched RTC call (one delay, a prefix per row).
        let batch = try #require((try manifest(directory)["batch"] as? [String: Any])?["rtc"] as? [String: Any])
        let guidance = try RTCGuidance(
            schedule: try Self.schedule(batch["schedule"]), maxGuidanceWeight: Float(batch["max_guidance_weight"] as! Double),
            executionHorizon: batch["execution_horizon"] as! Int)
        let prefixes = try Fixtures.floats(file(batch["prefixes"] as! String))
        let perRow = try (0..<3).map { r in
            try graphs.guide(
                prefix: Array(prefixes[(r * 60)..<((r + 1) * 60)]), rows: 10, delay: batch["delay"] as! Int, guidance: guidance)
        }
        let batched = try graphs.sample(
            conditioning: try Self.encode(graphs, requests), batch: 3, noise: requests.flatMap(\.noise), guides: perRow)
        let diff = Fixtures.maxAbsDiff(batched, try Fixtures.floats(file(batch["chunk_model"] as! String)))
        worst = max(worst, diff)
        #expect(diff <= tolerance, "PyTorch's batched RTC call: Δ \(diff)")
        return worst
    }

    @Test("Noise and prefixes that do not fit are refused")
    func errors() throws {
        let graphs = try Self.load()
        let request = try Self.requests(graphs)[0]
        let conditioning = try Self.encode(graphs, [request])
        #expect { try graphs.sample(conditioning: conditioning, batch: 1, noise: [0, 1]) } throws: {
            ($0 as? PolicyRuntimeError)?.message == "noise has 2 values, not 1 × 50 × 32"
        }
        #expect {
            try graphs.guide(
                prefix: [Float](repeating: 0, count: 60 * 6), rows: 60, delay: 0, guidance: try RTCGuidance(executionHorizon: 60))
        } throws: { ($0 as? PolicyRuntimeError)?.code == .invalidInput }
    }
}

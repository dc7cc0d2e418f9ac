// Per-chunk latency of a model package served from Swift: the full policy path (pre-processor, ONNX Runtime,
// post-processor) and ONNX Runtime alone on the same prepared inputs; then N robots served one by one
// (round-robin) vs stacked into one batch. Prints one JSON object per line (scripts/bench-onnx reads them).
// Flow-matching packages (SmolVLA) run with RTC on: every request carries a 10-row prefix and a delay, each robot its
// own (delays 1–4), and "network only" is the prefix graph plus the guided Euler loop over the velocity graph.
// A diffusion package gives the full path per chunk, network only (encoder + the scheduler loop over the denoiser),
// the encoder alone and one denoiser step alone, and N robots (each its own history) one by one vs batched.
//
//   onnx-policy-bench <package dir> [--iterations 50] [--warmup 5] [--batches 1,2,4,8] [--threads 1] [--no-rtc]
import FlowMatching
import Foundation
import JSON
import ONNXRuntime
import PolicyRuntime
import PolicyWire

func argument(_ name: String, _ fallback: String) -> String {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return fallback }
    return args[i + 1]
}

func milliseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
}

func summary(_ samples: [Double]) -> (median: Double, p90: Double, mean: Double) {
    let sorted = samples.sorted()
    return (
        sorted[sorted.count / 2], sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.9))],
        samples.reduce(0, +) / Double(samples.count)
    )
}

func emit(_ fields: JSONValue) {
    print(fields.serialized(.sortedKeys))
}

let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : ""
guard !path.isEmpty, !path.hasPrefix("--") else {
    FileHandle.standardError.write(
        Data("usage: onnx-policy-bench <package dir> [--iterations N] [--warmup N] [--batches 1,2,4,8] [--threads 1]\n".utf8))
    exit(2)
}
let iterations = Int(argument("--iterations", "50"))!
let warmup = Int(argument("--warmup", "5"))!
let threads = Int(argument("--threads", "1"))!
let batches = argument("--batches", "1,2,4,8").split(separator: ",").compactMap { Int($0) }
let directory = URL(fileURLWithPath: path)
let clock = ContinuousClock()

/// A random request for `config`: state in [−1, 1], random frames at the config's camera sizes.
func randomRequest(_ config: PolicyConfig) throws -> PolicyRequest {
    var generator = SystemRandomNumberGenerator()
    var images: [(key: String, image: RGBImage)] = []
    for feature in config.inputFeatures where feature.type == "VISUAL" {
        let (h, w) = (feature.shape[1], feature.shape[2])
        let pixels = (0..<(h * w * 3)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        images.append((feature.key, try RGBImage(width: w, height: h, pixels: pixels)))
    }
    return PolicyRequest(state: (0..<config.stateDim).map { _ in Float.random(in: -1...1) }, images: images)
}

/// Diffusion packages: the full path per chunk (history, encoder, the whole scheduler loop, processors); network only
/// (the encoder plus the scheduler loop over the denoiser on prepared inputs); the encoder and one denoiser call alone;
/// then N robots, each with its own session (history), served one by one vs as one batch.
/// `robots` requests served one by one (round-robin) vs as one batched run, `max(3, iterations / 4)` rounds after one
/// warm-up; `group` gives each round's requests and sessions.
func benchRobots(
    _ policy: any BatchedChunkPolicy, robots: Int, group: () throws -> [(PolicyRequest, any PolicySessionState)]
) throws {
    var single: [Double] = []
    var batched: [Double] = []
    for i in 0..<(1 + max(3, iterations / 4)) {
        let requests = try group()
        var start = clock.now
        for (r, s) in requests { _ = try policy.predictChunk(r, session: s) }
        if i > 0 { single.append(milliseconds(clock.now - start)) }
        start = clock.now
        _ = try policy.predictChunks(requests)
        if i > 0 { batched.append(milliseconds(clock.now - start)) }
    }
    let s = summary(single)
    let b = summary(batched)
    emit([
        "impl": "swift", "what": "robots", "robots": .integer(robots), "round_robin_ms": .double(s.median), "batch_ms": .double(b.median),
        "round_robin_chunks_per_s": .double(Double(robots) * 1000 / s.median),
        "batch_chunks_per_s": .double(Double(robots) * 1000 / b.median),
    ])
}

func benchDiffusion(_ policy: ONNXDiffusionPolicy) throws {
    let session = policy.makeSessionState()
    var full: [Double] = []
    for i in 0..<(warmup + iterations) {
        let request = try randomRequest(policy.config)
        let start = clock.now
        _ = try policy.predictChunk(request, session: session)
        if i >= warmup { full.append(milliseconds(clock.now - start)) }
    }
    func prepared(_ graph: String) throws -> [String: ORTTensor] {
        var feeds: [String: ORTTensor] = [:]
        for spec in policy.package.graphs[graph]!.inputs {
            let shape = [1] + spec.shape.dropFirst().map { if case .fixed(let n) = $0 { n } else { 1 } }
            let count = shape.reduce(1, *)
            feeds[spec.name] =
                spec.dtype == "int64"
                ? try ORTTensor([Int64](repeating: 10, count: count), shape: shape)
                : try ORTTensor((0..<count).map { _ in Float.random(in: -1...1) }, shape: shape)
        }
        return feeds
    }
    let encoderFeeds = try prepared("encoder")
    let denoiserFeeds = try prepared("denoiser")
    // Network only: what predictChunks does between the pre- and post-processor, on already prepared inputs.
    let scheduler = policy.scheduler
    let sampleShape = [1, policy.settings.horizon, policy.settings.actionDim]
    let count = sampleShape.reduce(1, *)
    let integerTimestep = policy.package.graphs["denoiser"]!.inputs.first { $0.name == "timestep" }!.dtype == "int64"
    var noiseSeed: UInt64 = 1
    func network() throws {
        let condition = try policy.encoder.run(encoderFeeds, outputs: ["global_cond"])["global_cond"]!
        noiseSeed += 1
        var sample = GaussianNoise.standardNormal(count: count, seed: noiseSeed)
        for (index, t) in scheduler.timesteps.enumerated() {
            let timestep = integerTimestep ? try ORTTensor([Int64(t)], shape: [1]) : try ORTTensor([Float(t)], shape: [1])
            let output = try policy.denoiser.run(
                ["sample": try ORTTensor(sample, shape: sampleShape), "timestep": timestep, "global_cond": condition],
                outputs: ["model_output"])["model_output"]!
            let noise =
                scheduler.addsNoise(at: index) ? GaussianNoise.standardNormal(count: count, seed: noiseSeed &+ UInt64(index) << 32) : nil
            scheduler.step(index: index, modelOutput: try output.values(as: Float.self), sample: &sample, noise: noise)
        }
    }
    var networkOnly: [Double] = []
    var encoder: [Double] = []
    var denoiser: [Double] = []
    for i in 0..<(warmup + iterations) {
        var start = clock.now
        try network()
        if i >= warmup { networkOnly.append(milliseconds(clock.now - start)) }
        start = clock.now
        _ = try policy.encoder.run(encoderFeeds, outputs: ["global_cond"])
        if i >= warmup { encoder.append(milliseconds(clock.now - start)) }
        start = clock.now
        _ = try policy.denoiser.run(denoiserFeeds, outputs: ["model_output"])
        if i >= warmup { denoiser.append(milliseconds(clock.now - start)) }
    }
    let (f, o, e, d) = (summary(full), summary(networkOnly), summary(encoder), summary(denoiser))
    emit([
        "impl": "swift", "what": "full", "median_ms": .double(f.median), "p90_ms": .double(f.p90), "mean_ms": .double(f.mean),
        "iterations": .integer(iterations), "onnxruntime": .string(policy.encoder.library.version), "threads": .integer(threads),
        "scheduler": .string(policy.scheduler.settings.kind.rawValue), "steps": .integer(policy.scheduler.timesteps.count),
    ])
    emit(["impl": "swift", "what": "ort_only", "median_ms": .double(o.median), "p90_ms": .double(o.p90), "mean_ms": .double(o.mean)])
    emit(["impl": "swift", "what": "encoder_only", "median_ms": .double(e.median), "p90_ms": .double(e.p90), "mean_ms": .double(e.mean)])
    emit([
        "impl": "swift", "what": "denoiser_step_only", "median_ms": .double(d.median), "p90_ms": .double(d.p90), "mean_ms": .double(d.mean),
    ])

    // N robots ready at once, each with its own history: N single runs (round-robin) vs one batched run.
    for n in batches {
        let sessions = (0..<n).map { _ in policy.makeSessionState() }
        try benchRobots(policy, robots: n) { try sessions.map { (try randomRequest(policy.config), $0) } }
    }
}

do {
    let loaded = try PolicyLoader.load(directory: directory, options: .init(device: "cpu", intraOpThreads: threads, noiseSeed: 7))
    if let diffusion = loaded as? ONNXDiffusionPolicy {
        try benchDiffusion(diffusion)
        exit(0)
    }
    guard let policy = loaded as? any BatchedChunkPolicy else { fatalError("\(path) is not an ONNX model package") }
    let flow = policy as? ONNXFlowMatchingPolicy
    let rtc = flow != nil && !CommandLine.arguments.contains("--no-rtc")
    let config = policy.config
    var generator = SystemRandomNumberGenerator()
    let tasks = ["pick up the red cube", "place it in the box", "grasp the blue cube and put it on the table"]
    func request(_ index: Int) throws -> PolicyRequest {
        var images: [(key: String, image: RGBImage)] = []
        for feature in config.inputFeatures where feature.type == "VISUAL" {
            let (h, w) = (feature.shape[1], feature.shape[2])
            let pixels = (0..<(h * w * 3)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            images.append((feature.key, try RGBImage(width: w, height: h, pixels: pixels)))
        }
        var request = PolicyRequest(
            state: (0..<config.stateDim).map { _ in Float.random(in: -1...1) }, images: images, task: tasks[index % tasks.count])
        if rtc {
            let horizon = 10
            request.rtc = RTCInputs(
                delaySteps: 1 + index % 4, prefix: (0..<(horizon * config.actionDim)).map { _ in Float.random(in: -1...1) },
                validRows: horizon, executionHorizon: horizon)
        }
        return request
    }
    let requests = try (0..<max(batches.max() ?? 1, 1)).map { try request($0) }
    let session = policy.makeSessionState()

    // 1. The full path for one robot: pre-processor + ONNX Runtime (+ the sampler) + post-processor.
    var full: [Double] = []
    for i in 0..<(warmup + iterations) {
        let start = clock.now
        _ = try policy.predictChunk(requests[i % requests.count], session: session)
        if i >= warmup { full.append(milliseconds(clock.now - start)) }
    }
    // 2. ONNX Runtime alone on already prepared (normalized, tokenized) inputs.
    var networkOnly: () throws -> Void
    if let flow {
        var prepared: [String: ORTTensor] = [:]
        for spec in flow.graphs.package.graphs["prefix"]!.inputs {
            let shape = [1] + spec.shape.dropFirst().map { if case .fixed(let n) = $0 { n } else { 1 } }
            let count = shape.reduce(1, *)
            switch spec.dtype {
            case "int64": prepared[spec.name] = try ORTTensor((0..<count).map { Int64($0 % 7) }, shape: shape)
            case "bool": prepared[spec.name] = try ORTTensor((0..<count).map { $0 < 6 }, shape: shape)
            default: prepared[spec.name] = try ORTTensor((0..<count).map { _ in Float.random(in: 0...1) }, shape: shape)
            }
        }
        let settings = flow.graphs.settings
        let noise = GaussianNoise.standardNormal(count: settings.chunkSize * settings.maxActionDim, seed: 1)
        let guide = rtc ? try flow.guide(for: requests[0]) : nil
        networkOnly = {
            let conditioning = try flow.graphs.encode(prepared)
            _ = try flow.graphs.sample(conditioning: conditioning, batch: 1, noise: noise, guides: guide.map { [$0] } ?? [])
        }
    } else if let act = policy as? ONNXChunkPolicy {
        var prepared: [String: ORTTensor] = [:]
        for input in act.session.inputNames {
            let spec = act.package.graphs["chunk"]!.inputs.first { $0.name == input }!
            let shape = [1] + spec.shape.dropFirst().map { if case .fixed(let n) = $0 { n } else { 1 } }
            let count = shape.reduce(1, *)
            prepared[input] = try ORTTensor((0..<count).map { _ in Float.random(in: -1...1) }, shape: shape)
        }
        networkOnly = { _ = try act.session.run(prepared, outputs: ["action"]) }
    } else {
        fatalError("\(path): no network-only measurement for \(type(of: policy))")
    }
    var ortOnly: [Double] = []
    for i in 0..<(warmup + iterations) {
        let start = clock.now
        try networkOnly()
        if i >= warmup { ortOnly.append(milliseconds(clock.now - start)) }
    }
    let f = summary(full)
    let o = summary(ortOnly)
    emit([
        "impl": "swift", "what": "full", "median_ms": .double(f.median), "p90_ms": .double(f.p90), "mean_ms": .double(f.mean),
        "iterations": .integer(iterations), "onnxruntime": .string((try? ORTLibrary.load().version) ?? ""),
        "threads": .integer(threads), "rtc": .bool(rtc),
    ])
    emit([
        "impl": "swift", "what": "ort_only", "median_ms": .double(o.median), "p90_ms": .double(o.p90), "mean_ms": .double(o.mean),
        "iterations": .integer(iterations),
    ])

    // 3. N robots ready at once: N single runs (round-robin) vs one batched run.
    for n in batches {
        let group = Array(requests.prefix(n)).map { ($0, policy.makeSessionState()) }
        try benchRobots(policy, robots: n) { group }
    }
} catch {
    FileHandle.standardError.write(Data("onnx-policy-bench: \(error)\n".utf8))
    exit(1)
}

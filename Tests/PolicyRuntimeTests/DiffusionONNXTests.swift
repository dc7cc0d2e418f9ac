import FlowMatching
import Foundation
import InteropSupport
import ONNXRuntime
import PolicyWire
import Testing

@testable import PolicyRuntime

/// The committed Diffusion Policy fixtures (made by `tools/make_diffusion_fixture.py`): one randomly initialised
/// LeRobot DiffusionPolicy (3×32×32 camera center-cropped to 24×24, n_obs_steps 2, horizon 16, n_action_steps 8,
/// 100 train timesteps, 10 inference steps) exported as encoder + denoiser graphs, with what LeRobot + PyTorch gave
/// (pre-processor, populate_queues, predict_action_chunk, post-processor) for fixed observations and fixed noise:
/// `diffusion-tiny` with DDPM (squaredcos_cap_v2, epsilon, clip 1; the recorded per-step noise replayed into diffusers)
/// and `diffusion-tiny-ddim` with the same weights under DDIM (linear betas, epsilon, clip 1).
///
/// Here: Swift processors, ONNX Runtime for the graphs, the Swift scheduler. Measured: at most 1.9e-6 (DDPM) and 1.2e-6
/// (DDIM) on chunks in [−1, 1]. Tolerance 1e-5 (robot space 3e-5: un-normalizing multiplies by (max − min)/2 ≤ 3 for
/// the fixture's stats): PyTorch's and ONNX Runtime's convolution and GroupNorm kernels round differently, PyTorch's float32 sqrt (MKL) is one unit off the correctly rounded one for a fifth of the
/// scheduler's coefficients, and each step's x₀ = (x − √(1−ᾱ)·ε)/√ᾱ divides by √ᾱ_t (≥ 0.16 here) before ten steps
/// compound it; the exporter measured 2.6e-6 (DDPM) and 9e-7 (DDIM) with the same graphs and a numpy scheduler on
/// random inputs. A scheduler, noise or history mistake moves chunks by 1e-2 or more (checked below).
@Suite("Diffusion Policy on ONNX Runtime + the Swift scheduler vs PyTorch")
struct DiffusionONNXTests {
    static let ddpm = PythonRunner.packageRoot.appendingPathComponent("Tests/Fixtures/diffusion-tiny")
    static let ddim = PythonRunner.packageRoot.appendingPathComponent("Tests/Fixtures/diffusion-tiny-ddim")
    static let tolerance: Float = 1e-5

    struct Request {
        var request: PolicyRequest
        var noise: ONNXDiffusionPolicy.Noise
        var chunkModel: [Float]
        var chunkRobot: [Float]
    }

    static func manifest(_ directory: URL) throws -> [String: Any] {
        try #require(try Fixtures.json(directory.appendingPathComponent("requests/requests.json")) as? [String: Any])
    }

    /// The fixture's episodes, each a list of consecutive requests.
    static func episodes(_ directory: URL, noisySteps: Int) throws -> [[Request]] {
        func file(_ name: Any?) throws -> [Float] { try Fixtures.floats(directory.appendingPathComponent(name as! String)) }
        return try (try manifest(directory)["episodes"] as! [[[String: Any]]]).map { episode in
            try episode.map { entry in
                var images: [(key: String, image: RGBImage)] = []
                for (key, image) in entry["images"] as! [String: [String: Any]] {
                    let pixels = try Fixtures.bytes(directory.appendingPathComponent(image["file"] as! String))
                    images.append((key, try RGBImage(width: image["width"] as! Int, height: image["height"] as! Int, pixels: pixels)))
                }
                let steps = entry["step_noise"] == nil ? [] : try file(entry["step_noise"])
                let size = steps.count / max(1, noisySteps)
                let noise = ONNXDiffusionPolicy.Noise(
                    initial: try file(entry["noise"]),
                    steps: (0..<(steps.isEmpty ? 0 : noisySteps)).map { Array(steps[($0 * size)..<(($0 + 1) * size)]) })
                return Request(
                    request: PolicyRequest(
                        state: try file(entry["state"]), images: images,
                        environmentState: entry["environment_state"] == nil ? nil : try file(entry["environment_state"])),
                    noise: noise,
                    chunkModel: try file(entry["chunk_model"]), chunkRobot: try file(entry["chunk_robot"]))
            }
        }
    }

    static func load(_ directory: URL) throws -> ONNXDiffusionPolicy {
        try #require(try PolicyLoader.load(directory: directory) as? ONNXDiffusionPolicy)
    }

    @Test("The packages: encoder + denoiser, the scheduler block, no RTC, served exclusively")
    func packages() throws {
        let policy = try Self.load(Self.ddpm)
        #expect(policy.config.type == "diffusion" && !policy.supportsRTC && policy.config.chunkSize == 8)
        #expect(policy.settings.horizon == 16 && policy.settings.nObsSteps == 2 && policy.settings.nActionSteps == 8)
        #expect(policy.scheduler.settings.kind == .ddpm && policy.scheduler.settings.betaSchedule == .squaredcosCapV2)
        #expect(policy.scheduler.timesteps == [90, 80, 70, 60, 50, 40, 30, 20, 10, 0] && policy.scheduler.noisySteps == 9)
        #expect(policy.encoder.provider == "CPUExecutionProvider" && policy.integerTimestep && policy.globalCondDim == 2 * (6 + 16))
        #expect(policy.cameras.map(\.name) == ["observation.images.front"] && policy.cameras[0].shape == [3, 32, 32])
        let ddim = try Self.load(Self.ddim)
        #expect(ddim.scheduler.settings.kind == .ddim && ddim.scheduler.settings.betaSchedule == .linear && ddim.scheduler.noisySteps == 0)
    }

    /// Every episode in order, one request at a time on one session per episode; returns the largest difference.
    static func episodesMatch(_ directory: URL) throws -> Float {
        let policy = try load(directory)
        let episodes = try episodes(directory, noisySteps: policy.scheduler.noisySteps)
        #expect(episodes.map(\.count) == [1, 1, 1, 3])
        var worst: Float = 0
        for (e, episode) in episodes.enumerated() {
            let session = policy.makeSessionState()
            for (r, request) in episode.enumerated() {
                let out = try policy.predictChunks([(request.request, session)], noise: [request.noise])[0]
                #expect(out.rows == 8 && out.columns == 6)
                let model = Fixtures.maxAbsDiff(out.chunkModel, request.chunkModel)
                let robot = Fixtures.maxAbsDiff(out.chunkRobot, request.chunkRobot)
                worst = max(worst, model, robot / 3)
                #expect(model <= tolerance && robot <= 3 * tolerance, "episode \(e) request \(r): model Δ \(model), robot Δ \(robot)")
            }
            #expect((session as? DiffusionSessionState)?.history.count == 2)
        }
        return worst
    }

    @Test("DDPM: single requests and a three-observation episode (history) match PyTorch with its step noise")
    func ddpmEpisodes() throws {
        let worst = try Self.episodesMatch(Self.ddpm)
        print("diffusion-tiny (DDPM) episodes: max |Swift + ONNX Runtime − PyTorch| = \(worst)")
    }

    @Test("DDIM: single requests and a three-observation episode (history) match PyTorch")
    func ddimEpisodes() throws {
        let worst = try Self.episodesMatch(Self.ddim)
        print("diffusion-tiny-ddim (DDIM) episodes: max |Swift + ONNX Runtime − PyTorch| = \(worst)")
    }

    @Test(
        "One batch of three sessions = PyTorch's batched call = each alone", arguments: [DiffusionONNXTests.ddpm, DiffusionONNXTests.ddim])
    func batched(directory: URL) throws {
        let policy = try Self.load(directory)
        let singles = try Self.episodes(directory, noisySteps: policy.scheduler.noisySteps).filter { $0.count == 1 }.map { $0[0] }
        #expect(singles.count == 3)
        let outputs = try policy.predictChunks(singles.map { ($0.request, policy.makeSessionState()) }, noise: singles.map(\.noise))
        let batch = try #require(try Self.manifest(directory)["batch"] as? [String: Any])
        let want = try Fixtures.floats(directory.appendingPathComponent(batch["chunk_model"] as! String))
        let wantRobot = try Fixtures.floats(directory.appendingPathComponent(batch["chunk_robot"] as! String))
        let model = Fixtures.maxAbsDiff(outputs.flatMap(\.chunkModel), want)
        let robot = Fixtures.maxAbsDiff(outputs.flatMap(\.chunkRobot), wantRobot)
        #expect(model <= Self.tolerance && robot <= 3 * Self.tolerance, "batch of 3: model Δ \(model), robot Δ \(robot)")
        for (k, single) in singles.enumerated() {
            #expect(Fixtures.maxAbsDiff(outputs[k].chunkModel, single.chunkModel) <= Self.tolerance, "row \(k) vs its single request")
        }
        print("\(directory.lastPathComponent) batch of 3: max |Swift + ONNX Runtime − PyTorch| = \(max(model, robot / 3))")
    }

    @Test("The history matters: without it, after reset, and with the wrong noise the chunk moves far beyond the tolerance")
    func historyAndReset() throws {
        let policy = try Self.load(Self.ddpm)
        let episode = try Self.episodes(Self.ddpm, noisySteps: policy.scheduler.noisySteps)[3]
        // The second observation alone (a fresh session fills the queue with it) is not the episode's second chunk.
        let fresh = try policy.predictChunks([(episode[1].request, policy.makeSessionState())], noise: [episode[1].noise])[0]
        #expect(Fixtures.maxAbsDiff(fresh.chunkModel, episode[1].chunkModel) > 1e-2)
        // reset() empties the queue: the same session then reproduces the episode's first chunk.
        let session = policy.makeSessionState()
        _ = try policy.predictChunks([(episode[0].request, session)], noise: [episode[0].noise])
        _ = try policy.predictChunks([(episode[1].request, session)], noise: [episode[1].noise])
        let state = try #require(session as? DiffusionSessionState)
        #expect(state.history.count == 2 && state.history[0] != state.history[1])
        session.reset()
        #expect(state.history.isEmpty)
        let again = try policy.predictChunks([(episode[0].request, session)], noise: [episode[0].noise])[0]
        #expect(Fixtures.maxAbsDiff(again.chunkModel, episode[0].chunkModel) <= Self.tolerance)
        #expect(state.history.count == 2 && state.history[0] == state.history[1])
        // Other step noise, other chunk (the DDPM noise is really used).
        var noise = episode[0].noise
        noise.steps[4] = noise.steps[4].map { -$0 }
        let other = try policy.predictChunks([(episode[0].request, policy.makeSessionState())], noise: [noise])[0]
        #expect(Fixtures.maxAbsDiff(other.chunkModel, episode[0].chunkModel) > 1e-2)
    }

    @Test("Seeded noise: same seed, same chunks; the draws are GaussianNoise's; ChunkPolicy entry points work")
    func seeded() throws {
        let config = try PolicyConfig(directory: Self.ddpm)
        let a = try ONNXDiffusionPolicy(directory: Self.ddpm, config: config, seed: 7)
        let b = try ONNXDiffusionPolicy(directory: Self.ddpm, config: config, seed: 7)
        let c = try ONNXDiffusionPolicy(directory: Self.ddpm, config: config, seed: 8)
        let request = try Self.episodes(Self.ddpm, noisySteps: 9)[0][0]
        let first = try a.predictChunk(request.request, session: a.makeSessionState())
        #expect(first == (try b.predictChunk(request.request, session: b.makeSessionState())))
        #expect(Fixtures.maxAbsDiff(first.chunkModel, try c.predictChunk(request.request, session: c.makeSessionState()).chunkModel) > 1e-3)
        // The draws: initial sample, then the nine step noises, from one xoshiro256** stream.
        var generator = Xoshiro256StarStar(seed: 7)
        let noise = a.drawNoise(using: &generator)
        var check = Xoshiro256StarStar(seed: 7)
        #expect(noise.initial == GaussianNoise.standardNormal(count: 96, using: &check) && noise.steps.count == 9)
        #expect(noise.steps[0] == GaussianNoise.standardNormal(count: 96, using: &check))
        var replay = Xoshiro256StarStar(seed: 7)
        let explicit = try a.predictChunks([(request.request, a.makeSessionState())], noise: [a.drawNoise(using: &replay)])[0]
        #expect(explicit == first)
    }

    @Test("Requests and noise that do not fit are refused")
    func badRequests() throws {
        let policy = try Self.load(Self.ddpm)
        let request = try Self.episodes(Self.ddpm, noisySteps: 9)[0][0]
        #expect { try policy.predictChunks([(request.request, policy.makeSessionState())], noise: [.init(initial: [0, 1])]) } throws: {
            ($0 as? PolicyRuntimeError)?.message
                == "noise 0: initial has 2 values and 0 step sets; the policy needs 16 × 6 and 9 of that size"
        }
        var short = request.request
        short.state = [1, 2]
        #expect { try policy.predictChunk(short, session: policy.makeSessionState()) } throws: {
            ($0 as? PolicyRuntimeError)?.message == "state has 2 values, the policy expects 6"
        }
        var blind = request.request
        blind.images = []
        #expect { try policy.predictChunk(blind, session: policy.makeSessionState()) } throws: {
            ($0 as? PolicyRuntimeError)?.message == "camera 'observation.images.front' is missing (got: )"
        }
        #expect { try policy.predictChunk(request.request, session: ONNXPolicySession()) } throws: {
            ($0 as? PolicyRuntimeError)?.code == .invalidInput
        }
    }

    /// A copy of the DDPM fixture with `model.json`'s diffusion block (or the whole object) changed.
    static func edited(
        _ change: (inout [String: Any]) -> Void, config: ((String) -> String)? = nil, from base: URL = ddpm
    ) throws -> URL {
        let fm = FileManager.default
        let copy = fm.temporaryDirectory.appendingPathComponent("diffusion-edit-\(UUID().uuidString)")
        try fm.copyItem(at: base, to: copy)
        let url = copy.appendingPathComponent("onnx/model.json")
        var object = try #require(try Fixtures.json(url) as? [String: Any])
        change(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        if let config {
            let file = copy.appendingPathComponent("config.json")
            try config(try String(contentsOf: file, encoding: .utf8)).write(to: file, atomically: true, encoding: .utf8)
        }
        return copy
    }

    static func block(_ key: String, _ value: Any?) -> (inout [String: Any]) -> Void {
        { object in
            var block = object["diffusion"] as! [String: Any]
            block[key] = value
            object["diffusion"] = block
        }
    }

    static func loadError(_ directory: URL) -> String? {
        do { _ = try PolicyLoader.load(directory: directory) } catch { return error.message }
        return nil
    }

    @Test("A malformed diffusion block or package is refused with the file and the field")
    func malformed() throws {
        let cases: [((inout [String: Any]) -> Void, String)] = [
            (Self.block("scheduler", "PNDM"), "diffusion.scheduler 'PNDM' is not supported (supported: DDPM, DDIM)"),
            (Self.block("num_inference_steps", nil), "diffusion.num_inference_steps is missing"),
            (
                Self.block("num_inference_steps", 5),
                "diffusion.num_inference_steps 5 differs from config.json's num_inference_steps 10"
            ),
            (Self.block("num_inference_steps", 200), "diffusion.num_inference_steps 200 must be in 1...num_train_timesteps (100)"),
            (Self.block("num_train_timesteps", "100"), "diffusion.num_train_timesteps must be an integer, not \"100\""),
            (
                Self.block("prediction_type", "v_prediction"),
                "diffusion.prediction_type 'v_prediction' is not supported (supported: epsilon, sample)"
            ),
            (
                Self.block("beta_schedule", "cosine"),
                "diffusion.beta_schedule 'cosine' is not supported (supported: linear, scaled_linear, squaredcos_cap_v2, sigmoid)"
            ),
            (Self.block("clip_sample", 1), "diffusion.clip_sample must be true or false, not 1"),
            (Self.block("horizon", true), "diffusion.horizon must be an integer, not true"),
            (
                Self.block("horizon", 4_611_686_018_427_387_904),
                "diffusion.horizon must be an integer in 1...10000, not 4611686018427387904"
            ),
            (
                Self.block("num_train_timesteps", 1_000_000_000_000),
                "diffusion.num_train_timesteps must be an integer in 1...1000000, not 1000000000000"
            ),
            (
                Self.block("steps_offset", 9_223_372_036_854_774_784),
                "diffusion.steps_offset 9223372036854774784 must be in 0..<num_train_timesteps (100)"
            ),
            (Self.block("variance_type", "fixed_large"), "diffusion.variance_type 'fixed_large' is not supported (supported: fixed_small)"),
            (Self.block("timestep_spacing", "trailing"), "diffusion.timestep_spacing 'trailing' is not supported (supported: leading)"),
            (Self.block("n_action_steps", 16), "diffusion.n_action_steps 16 must be at most horizon − n_obs_steps + 1 = 15"),
            (Self.block("beta_end", nil), "diffusion.beta_end is missing"),
            ({ $0["diffusion"] = [1, 2] }, "\"diffusion\" must be an object"),
            ({ $0["diffusion"] = nil }, "a 'diffusion' package needs a \"diffusion\" block"),
            (
                { object in
                    var graphs = object["graphs"] as! [String: Any]
                    graphs["denoiser"] = nil
                    object["graphs"] = graphs
                }, "a 'diffusion' package needs \"encoder\" and \"denoiser\" graphs"
            ),
            (
                Self.block("horizon", 32),
                "diffusion has horizon 32, n_obs_steps 2, n_action_steps 8, action_dim 6; config.json has horizon 16, n_obs_steps 2, "
                    + "n_action_steps 8, action dimension 6"
            ),
        ]
        for (change, message) in cases {
            let directory = try Self.edited(change)
            let want = "\(directory.path)/onnx/model.json: \(message)"
            let got = Self.loadError(directory)
            #expect(got == want, "got: \(got ?? "no error")")
            try? FileManager.default.removeItem(at: directory)
        }
        // DDIM with eta > 0 (stochastic DDIM) is refused; DDIM with eta 0 loads.
        let eta = try Self.edited(
            {
                Self.block("scheduler", "DDIM")(&$0); Self.block("eta", 0.5)(&$0)
            },
            config: { $0.replacingOccurrences(of: "\"DDPM\"", with: "\"DDIM\"") })
        #expect(Self.loadError(eta) == "\(eta.path)/onnx/model.json: diffusion.eta 0.5 is not supported (supported: 0, deterministic DDIM)")
        let ddim = try Self.edited(
            { Self.block("scheduler", "DDIM")(&$0) }, config: { $0.replacingOccurrences(of: "\"DDPM\"", with: "\"DDIM\"") })
        #expect(Self.loadError(ddim) == nil)
        // The block disagreeing with config.json's scheduler.
        let mismatch = try Self.edited({ Self.block("scheduler", "DDIM")(&$0) })
        #expect(
            Self.loadError(mismatch)
                == "\(mismatch.path)/onnx/model.json: diffusion.scheduler 'DDIM' differs from config.json's noise_scheduler_type 'DDPM'")
        // A timestep input of another type.
        let timestep = try Self.edited { object in
            var graphs = object["graphs"] as! [String: Any]
            var denoiser = graphs["denoiser"] as! [String: Any]
            var inputs = denoiser["inputs"] as! [[String: Any]]
            inputs[1]["dtype"] = "int32"
            denoiser["inputs"] = inputs
            graphs["denoiser"] = denoiser
            object["graphs"] = graphs
        }
        #expect(
            Self.loadError(timestep)
                == "\(timestep.path)/onnx/model.json: denoiser input 'timestep' is int32 [\"batch\"], not int64 or float32 [batch]")
        for url in [eta, ddim, mismatch, timestep] { try? FileManager.default.removeItem(at: url) }
    }
}

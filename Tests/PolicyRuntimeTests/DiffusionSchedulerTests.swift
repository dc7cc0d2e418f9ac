import Foundation
import InteropSupport
import Testing

@testable import PolicyRuntime

/// The Swift DDPM/DDIM scheduler: against values computed by hand from the DDPM/DDIM formulas, and against what
/// diffusers' own `DDPMScheduler` / `DDIMScheduler` gave (recorded into `Tests/Fixtures/diffusion-tiny` by
/// `tools/make_diffusion_fixture.py --scheduler-reference`, so no torch or diffusers is needed here).
@Suite("Diffusion scheduler (DDPM, DDIM) vs hand-computed values and diffusers")
struct DiffusionSchedulerTests {
    static let directory = PythonRunner.packageRoot.appendingPathComponent("Tests/Fixtures/diffusion-tiny")

    /// Linear betas 0.1, 0.2, 0.3, 0.4: ᾱ = 0.9, 0.72, 0.504, 0.3024; two inference steps → timesteps [2, 0].
    static func small(_ kind: DiffusionScheduler.Kind, _ prediction: DiffusionScheduler.Prediction = .epsilon, clip: Float = 1)
        throws -> DiffusionScheduler
    {
        try DiffusionScheduler(
            .init(
                kind: kind, numTrainTimesteps: 4, numInferenceSteps: 2, betaSchedule: .linear, betaStart: 0.1, betaEnd: 0.4,
                clipSample: true, clipSampleRange: clip, prediction: prediction))
    }

    static func close(_ a: Float, _ b: Double, _ tolerance: Double = 1e-6) -> Bool { abs(Double(a) - b) <= tolerance }

    @Test("Tables and timesteps: linear betas, ᾱ as a running product, leading spacing")
    func tables() throws {
        let s = try Self.small(.ddpm)
        #expect(zip(s.betas, [0.1, 0.2, 0.3, 0.4]).allSatisfy { Self.close($0, $1, 1e-7) }, "\(s.betas)")
        #expect(zip(s.alphasCumprod, [0.9, 0.72, 0.504, 0.3024]).allSatisfy { Self.close($0, $1) }, "\(s.alphasCumprod)")
        #expect(s.timesteps == [2, 0] && s.noisySteps == 1 && s.addsNoise(at: 0) && !s.addsNoise(at: 1))
        #expect(try Self.small(.ddim).noisySteps == 0)
        let ten = try DiffusionScheduler(.init(kind: .ddpm, numTrainTimesteps: 100, numInferenceSteps: 10))
        #expect(ten.timesteps == [90, 80, 70, 60, 50, 40, 30, 20, 10, 0] && ten.noisySteps == 9)
        let seven = try DiffusionScheduler(.init(kind: .ddim, numTrainTimesteps: 100, numInferenceSteps: 7, stepsOffset: 1))
        #expect(seven.timesteps == [85, 71, 57, 43, 29, 15, 1])
        // Cosine schedule: β₀ = 1 − ᾱ(0.01)/ᾱ(0), ᾱ(t) = cos²((t + 0.008)/1.008 · π/2), capped at 0.999.
        let cosine = ten.betas
        let alphaBar = { (t: Double) -> Double in pow(cos((t + 0.008) / 1.008 * Double.pi / 2), 2) }
        #expect(cosine[0] == Float(1 - alphaBar(0.01) / alphaBar(0)) && cosine[99] == 0.999)
    }

    @Test("DDPM step, epsilon prediction: posterior mean plus σ·noise; last step returns the clipped x₀")
    func ddpmByHand() throws {
        let s = try Self.small(.ddpm)
        // t = 2, previous 0: x₀ = (x − √(1−ᾱ₂)·ε)/√ᾱ₂; mean = √ᾱ₀·β̃/(1−ᾱ₂)·x₀ + √(ᾱ₂/ᾱ₀)·(1−ᾱ₀)/(1−ᾱ₂)·x,
        // β̃ = 1 − ᾱ₂/ᾱ₀; σ² = (1−ᾱ₀)/(1−ᾱ₂)·β̃. Computed in double for x = 0.5, ε = 0.2, noise = −0.3.
        var x: [Float] = [0.5]
        s.step(index: 0, modelOutput: [0.2], sample: &x, noise: [-0.3])
        #expect(Self.close(x[0], 0.4118269915061685), "\(x)")
        // Without noise the mean alone: 0.8415738934319075·x₀ + 0.15087328172475567·x, x₀ = 0.5058888631690053.
        let mean = 0.8415738934319075 * 0.5058888631690053 + 0.15087328172475567 * 0.5
        #expect(Self.close(x[0], mean + 0.08870967741935483.squareRoot() * -0.3))
        // t = 0 (the last step, previous ᾱ = 1): x₀ itself, no noise drawn.
        var last: [Float] = [0.4, 3, -3]
        s.step(index: 1, modelOutput: [0.1, 0, 0], sample: &last, noise: nil)
        #expect(Self.close(last[0], 0.38830368802245063) && last[1] == 1 && last[2] == -1, "\(last)")
    }

    @Test("DDIM step (eta 0): √ᾱ_prev·x₀ + √(1−ᾱ_prev)·ε, epsilon and sample prediction, clipping of x₀ only")
    func ddimByHand() throws {
        let s = try Self.small(.ddim)
        var x: [Float] = [0.5]
        s.step(index: 0, modelOutput: [0.2], sample: &x, noise: nil)
        #expect(Self.close(x[0], 0.5431738683615646), "\(x)")
        // Sample prediction: x₀ = output, ε = (x − √ᾱ₂·x₀)/√(1−ᾱ₂).
        var y: [Float] = [0.5]
        try Self.small(.ddim, .sample).step(index: 0, modelOutput: [0.3], sample: &y, noise: nil)
        #expect(Self.close(y[0], 0.41348128028539344), "\(y)")
        // A sample prediction of 5 is clipped to the range (0.5) before use, but ε is from the unclipped x₀:
        // √0.9·0.5 + √0.1·(0.5 − √0.504·5)/√0.496.
        var z: [Float] = [0.5]
        try Self.small(.ddim, .sample, clip: 0.5).step(index: 0, modelOutput: [5], sample: &z, noise: nil)
        let want = 0.9.squareRoot() * 0.5 + 0.1.squareRoot() * (0.5 - 0.504.squareRoot() * 5) / 0.496.squareRoot()
        #expect(Self.close(z[0], want), "\(z) vs \(want)")
    }

    @Test("Against diffusers: betas, ᾱ, timesteps and every step of 28 configurations")
    func againstDiffusers() throws {
        let manifest = try #require(
            try Fixtures.json(Self.directory.appendingPathComponent("requests/requests.json")) as? [String: Any])
        let cases = try #require(manifest["scheduler_cases"] as? [[String: Any]])
        #expect(cases.count == 28)
        var worstStep: Float = 0
        var worstCosine: Float = 0
        var kinds: Set<String> = []
        for entry in cases {
            let settings = DiffusionScheduler.Settings(
                kind: try #require(DiffusionScheduler.Kind(rawValue: entry["scheduler"] as! String)),
                numTrainTimesteps: entry["num_train_timesteps"] as! Int, numInferenceSteps: entry["num_inference_steps"] as! Int,
                betaSchedule: try #require(DiffusionScheduler.BetaSchedule(rawValue: entry["beta_schedule"] as! String)),
                betaStart: entry["beta_start"] as! Double, betaEnd: entry["beta_end"] as! Double,
                clipSample: entry["clip_sample"] as! Bool, clipSampleRange: Float(entry["clip_sample_range"] as! Double),
                prediction: try #require(DiffusionScheduler.Prediction(rawValue: entry["prediction_type"] as! String)))
            let scheduler = try DiffusionScheduler(settings)
            kinds.insert(
                "\(settings.kind.rawValue)/\(settings.betaSchedule.rawValue)/\(settings.prediction.rawValue)/\(settings.clipSample)")
            let prefix = entry["files"] as! String
            func file(_ part: String) throws -> [Float] {
                try Fixtures.floats(Self.directory.appendingPathComponent("\(prefix).\(part).bin"))
            }
            let label =
                "\(prefix) \(settings.kind.rawValue) \(settings.betaSchedule.rawValue) \(settings.prediction.rawValue) clip=\(settings.clipSample)"
            #expect(scheduler.timesteps == entry["timesteps"] as! [Int], "\(label)")
            // Betas: the cosine schedule is bit-exact; the linspace-based ones within a few float32 units.
            let betas = try file("betas")
            let cumprod = try file("alphas_cumprod")
            if settings.betaSchedule == .squaredcosCapV2 {
                #expect(scheduler.betas == betas && scheduler.alphasCumprod == cumprod, "\(label)")
            } else {
                #expect(zip(scheduler.betas, betas).allSatisfy { abs($0 - $1) <= 4 * $1.ulp }, "\(label) betas")
                #expect(zip(scheduler.alphasCumprod, cumprod).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(label) ᾱ")
            }
            let shape = entry["shape"] as! [Int]
            let size = shape.reduce(1, *)
            let (outputs, samples, noises, previous) = (
                try file("model_output"), try file("sample"), try file("noise"), try file("prev_sample")
            )
            for index in scheduler.timesteps.indices {
                let range = (index * size)..<((index + 1) * size)
                var x = Array(samples[range])
                scheduler.step(
                    index: index, modelOutput: Array(outputs[range]), sample: &x,
                    noise: scheduler.addsNoise(at: index) ? Array(noises[range]) : nil)
                let diff = Fixtures.maxAbsDiff(x, Array(previous[range]))
                worstStep = max(worstStep, diff)
                if settings.betaSchedule == .squaredcosCapV2 { worstCosine = max(worstCosine, diff) }
                #expect(diff <= 2e-6, "\(label) step \(index) (t = \(scheduler.timesteps[index])): Δ \(diff)")
            }
        }
        #expect(kinds.count == 28)
        // The tables are identical for the cosine schedule (checked above) and the float32 operations run in diffusers'
        // order, yet not bit for bit: PyTorch's float32 sqrt (`ᾱ ** 0.5`, MKL on x86) is off by one unit from the
        // correctly rounded square root for about a fifth of inputs, and x₀ divides by √ᾱ_t. One unit on coefficients
        // of values up to ~6 is ≤ 1e-6, within the 2e-6 bound above.
        print("diffusion scheduler vs diffusers: max |Δ| = \(worstStep) (squaredcos_cap_v2: \(worstCosine))")
    }

    @Test("Settings it cannot run are refused with the field's name")
    func refused() {
        func message(_ settings: DiffusionScheduler.Settings) -> String? {
            do { _ = try DiffusionScheduler(settings) } catch { return error.message }
            return nil
        }
        #expect(
            message(.init(kind: .ddpm, numTrainTimesteps: 100, numInferenceSteps: 101))
                == "diffusion.num_inference_steps 101 must be in 1...num_train_timesteps (100)")
        #expect(
            message(.init(kind: .ddpm, numTrainTimesteps: 0, numInferenceSteps: 1))
                == "diffusion.num_train_timesteps must be in 1...1000000, not 0")
        #expect(
            message(.init(kind: .ddpm, numTrainTimesteps: 1_000_000_000_000, numInferenceSteps: 1))
                == "diffusion.num_train_timesteps must be in 1...1000000, not 1000000000000")
        #expect(
            message(.init(kind: .ddim, numTrainTimesteps: 100, numInferenceSteps: 10, betaSchedule: .sigmoid))
                == "diffusion.beta_schedule 'sigmoid' is DDPM-only (diffusers' DDIMScheduler does not implement it)")
        #expect(
            message(.init(kind: .ddpm, numTrainTimesteps: 100, numInferenceSteps: 10, clipSampleRange: 0))?
                .hasPrefix("diffusion.clip_sample_range must be a positive number") == true)
        #expect(
            message(.init(kind: .ddpm, numTrainTimesteps: 100, numInferenceSteps: 10, betaSchedule: .linear, betaStart: 0.5, betaEnd: 0.1))?
                .hasPrefix("diffusion.beta_start 0.5 and beta_end 0.1") == true)
        #expect(
            message(.init(kind: .ddpm, numTrainTimesteps: 100, numInferenceSteps: 10, stepsOffset: 10))
                == "diffusion.steps_offset 10 puts the first timestep past num_train_timesteps 100")
        // An offset whose timesteps would overflow, and tables that would divide by zero in `step` (NaN actions).
        #expect(
            message(.init(kind: .ddpm, numTrainTimesteps: 2048, numInferenceSteps: 2, stepsOffset: Int.max - 1023))
                == "diffusion.steps_offset \(Int.max - 1023) must be in 0..<num_train_timesteps (2048)")
        #expect(
            message(.init(kind: .ddpm, numTrainTimesteps: 100, numInferenceSteps: 10, betaSchedule: .linear, betaStart: 0, betaEnd: 0.02))
                == "diffusion.beta_start 0.0, beta_end 0.02 and beta_schedule 'linear' give alphas_cumprod 1.0 at t = 0, outside (0, 1)")
        #expect(
            message(
                .init(kind: .ddim, numTrainTimesteps: 100_000, numInferenceSteps: 10, betaSchedule: .linear, betaStart: 0.5, betaEnd: 0.9))?
                .hasSuffix("outside (0, 1)") == true)
        #expect(message(.init(kind: .ddpm, numTrainTimesteps: 100, numInferenceSteps: 10)) == nil)
    }
}

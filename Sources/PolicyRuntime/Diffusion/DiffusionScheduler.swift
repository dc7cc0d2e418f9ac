import Foundation

/// The noise scheduler of LeRobot's Diffusion Policy: diffusers' `DDPMScheduler` and `DDIMScheduler` as LeRobot builds
/// them (`timestep_spacing` "leading", DDPM variance "fixed_small", DDIM `eta` 0, no thresholding), in float32 with
/// diffusers' operation order. Pure: no ONNX Runtime, no randomness (the caller passes DDPM's variance noise).
///
/// - Betas: `linear` and `scaled_linear` use `torch.linspace`'s float32 formula (PyTorch's vectorized kernel rounds
///   some points one unit differently), `squaredcos_cap_v2` is computed in double and rounded (as diffusers does, bit
///   for bit), `sigmoid` (DDPM only, as in diffusers) is `sigmoid(linspace(−6, 6)) · (end − start) + start` in float32.
/// - `alphas_cumprod` is the running product of `1 − β` in double, rounded to float32 per element (what
///   `torch.cumprod` does on the CPU).
/// - Timesteps: `(0..<steps).map { $0 · (T / steps) }` reversed, plus `steps_offset`.
public struct DiffusionScheduler: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case ddpm = "DDPM"
        case ddim = "DDIM"
    }

    public enum BetaSchedule: String, Sendable, Hashable, CaseIterable {
        case linear
        case scaledLinear = "scaled_linear"
        case squaredcosCapV2 = "squaredcos_cap_v2"
        case sigmoid
    }

    public enum Prediction: String, Sendable, Hashable, CaseIterable {
        /// The network predicts the noise.
        case epsilon
        /// The network predicts the denoised sample.
        case sample
    }

    public struct Settings: Sendable, Hashable {
        public var kind: Kind
        public var numTrainTimesteps: Int
        public var numInferenceSteps: Int
        public var betaSchedule: BetaSchedule
        public var betaStart: Double
        public var betaEnd: Double
        public var clipSample: Bool
        public var clipSampleRange: Float
        public var prediction: Prediction
        public var stepsOffset: Int
        /// DDIM: the "previous" alpha product after the last step is 1 (else `alphas_cumprod[0]`).
        public var setAlphaToOne: Bool

        public init(
            kind: Kind, numTrainTimesteps: Int, numInferenceSteps: Int, betaSchedule: BetaSchedule = .squaredcosCapV2,
            betaStart: Double = 0.0001, betaEnd: Double = 0.02, clipSample: Bool = true, clipSampleRange: Float = 1,
            prediction: Prediction = .epsilon, stepsOffset: Int = 0, setAlphaToOne: Bool = true
        ) {
            self.kind = kind
            self.numTrainTimesteps = numTrainTimesteps
            self.numInferenceSteps = numInferenceSteps
            self.betaSchedule = betaSchedule
            self.betaStart = betaStart
            self.betaEnd = betaEnd
            self.clipSample = clipSample
            self.clipSampleRange = clipSampleRange
            self.prediction = prediction
            self.stepsOffset = stepsOffset
            self.setAlphaToOne = setAlphaToOne
        }
    }

    /// Bound on `num_train_timesteps` (diffusers' default is 1000, LeRobot's 100): the tables are this long.
    public static let maxTrainTimesteps = 1_000_000

    public let settings: Settings
    public let betas: [Float]
    public let alphasCumprod: [Float]
    /// The timesteps of the reverse process, first to last.
    public let timesteps: [Int]

    /// Checks `settings` (errors name the setting, as `diffusion.<field>` of model.json) and builds the tables.
    public init(_ settings: Settings) throws(PolicyRuntimeError) {
        func invalid(_ why: String) -> PolicyRuntimeError { PolicyRuntimeError(.invalidCheckpoint, why) }
        let n = settings.numTrainTimesteps
        guard n > 0, n <= Self.maxTrainTimesteps else {
            throw invalid("diffusion.num_train_timesteps must be in 1...\(Self.maxTrainTimesteps), not \(n)")
        }
        guard settings.numInferenceSteps > 0, settings.numInferenceSteps <= n else {
            throw invalid(
                "diffusion.num_inference_steps \(settings.numInferenceSteps) must be in 1...num_train_timesteps (\(n))")
        }
        guard settings.stepsOffset >= 0, settings.stepsOffset < n else {
            throw invalid("diffusion.steps_offset \(settings.stepsOffset) must be in 0..<num_train_timesteps (\(n))")
        }
        guard settings.clipSampleRange > 0, settings.clipSampleRange.isFinite else {
            throw invalid("diffusion.clip_sample_range must be a positive number, not \(settings.clipSampleRange)")
        }
        if settings.betaSchedule != .squaredcosCapV2 {
            guard settings.betaStart.isFinite, settings.betaEnd.isFinite, settings.betaStart >= 0, settings.betaEnd < 1,
                settings.betaStart <= settings.betaEnd
            else {
                throw invalid(
                    "diffusion.beta_start \(settings.betaStart) and beta_end \(settings.betaEnd) must satisfy 0 ≤ start ≤ end < 1")
            }
        }
        if settings.kind == .ddim && settings.betaSchedule == .sigmoid {
            throw invalid("diffusion.beta_schedule 'sigmoid' is DDPM-only (diffusers' DDIMScheduler does not implement it)")
        }
        self.settings = settings
        let betas = Self.betas(settings)
        self.betas = betas
        var product = 1.0
        self.alphasCumprod = betas.map { beta in
            product *= Double(1 - beta)
            return Float(product)
        }
        // A table entry of 1 (beta_start 0 on a linear schedule) or 0 (betas near 1 underflowing the product) would
        // divide by zero in `step` and send NaN actions: refuse it here.
        if let t = alphasCumprod.firstIndex(where: { !($0 > 0 && $0 < 1) }) {
            throw invalid(
                "diffusion.beta_start \(settings.betaStart), beta_end \(settings.betaEnd) and beta_schedule "
                    + "'\(settings.betaSchedule.rawValue)' give alphas_cumprod \(alphasCumprod[t]) at t = \(t), outside (0, 1)")
        }
        let ratio = n / settings.numInferenceSteps
        self.timesteps = (0..<settings.numInferenceSteps).reversed().map { $0 * ratio + settings.stepsOffset }
        guard let first = timesteps.first, first < n else {
            throw invalid("diffusion.steps_offset \(settings.stepsOffset) puts the first timestep past num_train_timesteps \(n)")
        }
    }

    /// diffusers' betas for `settings.betaSchedule`.
    static func betas(_ settings: Settings) -> [Float] {
        let n = settings.numTrainTimesteps
        switch settings.betaSchedule {
        case .linear:
            return linspace(Float(settings.betaStart), Float(settings.betaEnd), n)
        case .scaledLinear:
            return linspace(Float(settings.betaStart.squareRoot()), Float(settings.betaEnd.squareRoot()), n).map { $0 * $0 }
        case .squaredcosCapV2:
            func alphaBar(_ t: Double) -> Double {
                let c = cos((t + 0.008) / 1.008 * Double.pi / 2)
                return c * c
            }
            return (0..<n).map { i in
                let t1 = Double(i) / Double(n)
                let t2 = Double(i + 1) / Double(n)
                return Float(min(1 - alphaBar(t2) / alphaBar(t1), 0.999))
            }
        case .sigmoid:
            let scale = Float(settings.betaEnd - settings.betaStart)
            let start = Float(settings.betaStart)
            return linspace(-6, 6, n).map { x in (1 / (1 + exp(-x))) * scale + start }
        }
    }

    /// `torch.linspace(start, end, count)` in float32: `step = (end − start)/(count − 1)`; the first half
    /// `start + i·step`, the second half `end − (count − 1 − i)·step`.
    static func linspace(_ start: Float, _ end: Float, _ count: Int) -> [Float] {
        guard count > 1 else { return count == 1 ? [start] : [] }
        let step = (end - start) / Float(count - 1)
        let halfway = count / 2
        return (0..<count).map { i in i < halfway ? start + step * Float(i) : end - step * Float(count - 1 - i) }
    }

    /// Steps of the loop that draw variance noise: DDPM steps whose timestep is above 0 (DDIM with eta 0: none).
    public func addsNoise(at index: Int) -> Bool { settings.kind == .ddpm && timesteps[index] > 0 }

    /// How many steps draw noise.
    public var noisySteps: Int { timesteps.indices.filter(addsNoise(at:)).count }

    /// The alpha product after step `index`.
    func alphaProductPrevious(index: Int) -> Float {
        switch settings.kind {
        case .ddpm:
            // DDPMScheduler.previous_timestep: the next timestep of the schedule, −1 after the last.
            let previous = index + 1 < timesteps.count ? timesteps[index + 1] : -1
            return previous >= 0 ? alphasCumprod[previous] : 1
        case .ddim:
            let previous = timesteps[index] - settings.numTrainTimesteps / settings.numInferenceSteps
            if previous >= 0 { return alphasCumprod[previous] }
            return settings.setAlphaToOne ? 1 : alphasCumprod[0]
        }
    }

    /// One reverse step at `timesteps[index]`: `sample` (x_t) becomes x_{t−1} in place, from the network's
    /// `modelOutput` (same layout). `noise` (standard normal, same count) is read only when ``addsNoise(at:)``.
    public func step(index: Int, modelOutput: [Float], sample: inout [Float], noise: [Float]?) {
        precondition(modelOutput.count == sample.count, "model output and sample differ in size")
        let t = timesteps[index]
        let alphaT = alphasCumprod[t]
        let alphaPrev = alphaProductPrevious(index: index)
        let betaT = 1 - alphaT
        let sqrtAlphaT = alphaT.squareRoot()
        let sqrtBetaT = betaT.squareRoot()
        let clip = settings.clipSample
        let range = settings.clipSampleRange
        @inline(__always) func clipped(_ x: Float) -> Float { clip ? min(max(x, -range), range) : x }
        switch settings.kind {
        case .ddpm:
            let betaPrev = 1 - alphaPrev
            let currentAlpha = alphaT / alphaPrev
            let currentBeta = 1 - currentAlpha
            let originalCoefficient = (alphaPrev.squareRoot() * currentBeta) / betaT
            let sampleCoefficient = currentAlpha.squareRoot() * betaPrev / betaT
            var deviation: Float = 0
            let noisy = addsNoise(at: index)
            if noisy {
                precondition(noise?.count == sample.count, "DDPM step \(index) needs noise the size of the sample")
                deviation = max(betaPrev / betaT * currentBeta, 1e-20).squareRoot()
            }
            for i in sample.indices {
                let x = sample[i]
                let original: Float
                switch settings.prediction {
                case .epsilon: original = clipped((x - sqrtBetaT * modelOutput[i]) / sqrtAlphaT)
                case .sample: original = clipped(modelOutput[i])
                }
                var previous = originalCoefficient * original + sampleCoefficient * x
                if noisy, let noise { previous = previous + deviation * noise[i] }
                sample[i] = previous
            }
        case .ddim:
            let sqrtAlphaPrev = alphaPrev.squareRoot()
            let direction = (1 - alphaPrev).squareRoot()
            for i in sample.indices {
                let x = sample[i]
                let original: Float
                let epsilon: Float
                switch settings.prediction {
                case .epsilon:
                    original = (x - sqrtBetaT * modelOutput[i]) / sqrtAlphaT
                    epsilon = modelOutput[i]
                case .sample:
                    original = modelOutput[i]
                    epsilon = (x - sqrtAlphaT * original) / sqrtBetaT
                }
                sample[i] = sqrtAlphaPrev * clipped(original) + direction * epsilon
            }
        }
    }
}

import JSON

extension ONNXModelPackage {
    /// The `"diffusion"` block of a Diffusion Policy package: the scheduler as LeRobot configures diffusers' one, and
    /// the chunk geometry.
    ///
    /// ```json
    /// "diffusion": {"scheduler": "DDPM", "num_train_timesteps": 100, "num_inference_steps": 10,
    ///   "beta_schedule": "squaredcos_cap_v2", "beta_start": 0.0001, "beta_end": 0.02, "clip_sample": true,
    ///   "clip_sample_range": 1.0, "prediction_type": "epsilon", "timestep_spacing": "leading", "steps_offset": 0,
    ///   "horizon": 16, "n_obs_steps": 2, "n_action_steps": 8, "action_dim": 6, "variance_type": "fixed_small"}
    /// ```
    /// (DDIM: `"set_alpha_to_one": true, "eta": 0.0` instead of `variance_type`.) `timestep_spacing`, `steps_offset`,
    /// `variance_type`, `set_alpha_to_one` and `eta` may be left out (diffusers' defaults); other values than those above for `timestep_spacing` ("leading"), `variance_type` ("fixed_small",
    /// DDPM) and `eta` (0, DDIM) are refused, as are prediction types other than `epsilon` and `sample` (LeRobot's).
    /// `"resize_shape": [h, w]` says the encoder graph resizes the cameras (LeRobot's `resize_shape`: torchvision's
    /// antialiased bilinear Resize, in the graph as two matrix products) before the center crop; the cameras still
    /// arrive at the config's image size.
    public struct Diffusion: Sendable, Hashable {
        public var scheduler: DiffusionScheduler.Settings
        /// Rows the denoiser generates.
        public var horizon: Int
        /// Observations the encoder reads (oldest first).
        public var nObsSteps: Int
        /// Rows of the returned chunk: `[n_obs_steps − 1, n_obs_steps − 1 + n_action_steps)` of the sample.
        public var nActionSteps: Int
        public var actionDim: Int
        /// `[height, width]` the encoder graph resizes the cameras to, or nil when it does not resize.
        public var resizeShape: [Int]?

        /// Parses the block; errors name `<source>: diffusion.<field>`.
        init(parsing block: JSONValue, source: String) throws(PolicyRuntimeError) {
            func fail(_ why: String) -> PolicyRuntimeError { PolicyRuntimeError(.invalidCheckpoint, "\(source): \(why)") }
            guard block.object != nil else { throw fail("\"diffusion\" must be an object") }
            func integer(_ key: String, default fallback: Int? = nil) throws(PolicyRuntimeError) -> Int {
                guard let raw = block[key] else {
                    if let fallback { return fallback }
                    throw fail("diffusion.\(key) is missing")
                }
                guard let value = raw.int else { throw fail("diffusion.\(key) must be an integer, not \(raw)") }
                return value
            }
            // Bounds far above any policy's, so that sizes read from the file cannot overflow or exhaust memory.
            func positive(_ key: String, atMost limit: Int = 10_000) throws(PolicyRuntimeError) -> Int {
                let value = try integer(key)
                guard value > 0, value <= limit else {
                    throw fail("diffusion.\(key) must be an integer in 1...\(limit), not \(value)")
                }
                return value
            }
            func number(_ key: String, default fallback: Double? = nil) throws(PolicyRuntimeError) -> Double {
                guard let raw = block[key] else {
                    if let fallback { return fallback }
                    throw fail("diffusion.\(key) is missing")
                }
                guard let value = raw.double else { throw fail("diffusion.\(key) must be a number, not \(raw)") }
                return value
            }
            func flag(_ key: String, default fallback: Bool? = nil) throws(PolicyRuntimeError) -> Bool {
                guard let raw = block[key] else {
                    if let fallback { return fallback }
                    throw fail("diffusion.\(key) is missing")
                }
                guard let value = raw.bool else { throw fail("diffusion.\(key) must be true or false, not \(raw)") }
                return value
            }
            func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws(PolicyRuntimeError) -> E
            where E.RawValue == String {
                guard let raw = block[key] else { throw fail("diffusion.\(key) is missing") }
                guard let name = raw.string, let value = E(rawValue: name) else {
                    throw fail(
                        "diffusion.\(key) '\(raw.string ?? raw.description)' is not supported (supported: \(E.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                return value
            }
            let kind = try choice("scheduler", DiffusionScheduler.Kind.self)
            if let spacing = block["timestep_spacing"], spacing.string != "leading" {
                throw fail("diffusion.timestep_spacing '\(spacing.string ?? spacing.description)' is not supported (supported: leading)")
            }
            if kind == .ddpm, let variance = block["variance_type"], variance.string != "fixed_small" {
                throw fail("diffusion.variance_type '\(variance.string ?? variance.description)' is not supported (supported: fixed_small)")
            }
            if kind == .ddim, try number("eta", default: 0) != 0 {
                throw fail("diffusion.eta \(block["eta"]!) is not supported (supported: 0, deterministic DDIM)")
            }
            let settings = DiffusionScheduler.Settings(
                kind: kind, numTrainTimesteps: try positive("num_train_timesteps", atMost: DiffusionScheduler.maxTrainTimesteps),
                numInferenceSteps: try positive("num_inference_steps", atMost: DiffusionScheduler.maxTrainTimesteps),
                betaSchedule: try choice("beta_schedule", DiffusionScheduler.BetaSchedule.self),
                betaStart: try number("beta_start"), betaEnd: try number("beta_end"), clipSample: try flag("clip_sample"),
                clipSampleRange: Float(try number("clip_sample_range")),
                prediction: try choice("prediction_type", DiffusionScheduler.Prediction.self),
                stepsOffset: try integer("steps_offset", default: 0), setAlphaToOne: try flag("set_alpha_to_one", default: true))
            // The scheduler's own checks (ranges, combinations), reported against this file.
            do { _ = try DiffusionScheduler(settings) } catch { throw fail(error.message) }
            self.scheduler = settings
            self.horizon = try positive("horizon")
            self.nObsSteps = try positive("n_obs_steps", atMost: 1_000)
            self.nActionSteps = try positive("n_action_steps")
            self.actionDim = try positive("action_dim", atMost: 4_096)
            if let raw = block["resize_shape"], !raw.isNull {
                guard let values = raw.array, values.count == 2 else {
                    throw fail("diffusion.resize_shape must be [height, width], not \(raw)")
                }
                var shape: [Int] = []
                for value in values {
                    guard let side = value.int, side > 0, side <= 1 << 15 else {
                        throw fail("diffusion.resize_shape must be two positive integers (at most 32768), not \(raw)")
                    }
                    shape.append(side)
                }
                self.resizeShape = shape
            } else {
                self.resizeShape = nil
            }
            guard nActionSteps <= horizon - nObsSteps + 1 else {
                throw fail(
                    "diffusion.n_action_steps \(nActionSteps) must be at most horizon − n_obs_steps + 1 = \(horizon - nObsSteps + 1)")
            }
        }
    }
}

import FlowMatching
public import Foundation
import JSON
import Logging
public import ONNXRuntime
import PolicyWire
import Synchronization

/// LeRobot's Diffusion Policy on ONNX Runtime: the `encoder` graph turns the session's last `n_obs_steps`
/// pre-processed observations into the global conditioning once per request, then the Swift ``DiffusionScheduler``
/// (DDPM or DDIM) runs the `denoiser` graph once per inference step, and the chunk is the sample's rows
/// `[n_obs_steps − 1, n_obs_steps − 1 + n_action_steps)` after the post-processor.
///
/// Observation history: each session keeps its own queue of `n_obs_steps` pre-processed observations (state,
/// environment state when the policy takes one, and cameras), cleared by ``PolicySessionState/reset()``; the first observation of an episode fills the queue (LeRobot's
/// `populate_queues`), every later one pushes the oldest out. Because of that history the family is served
/// exclusively (`PolicyServingClass`), one robot at a time.
///
/// Noise: the initial sample and DDPM's per-step variance noise are standard normal, drawn per request from a
/// ``Xoshiro256StarStar`` seeded at load (`seed`), in the order initial sample, then one draw per noisy step. It is not
/// PyTorch's generator; ``predictChunks(_:noise:)`` takes explicit noise (what the tests give LeRobot as well).
public final class ONNXDiffusionPolicy: BatchedChunkPolicy {
    /// Policy families exported as encoder + denoiser graphs.
    public static let diffusionTypes: Set<String> = ["diffusion"]
    public static let stateInput = "observation.state"
    public static let environmentStateInput = "observation.environment_state"

    /// One request's noise: `initial` `[horizon × action_dim]`, and `steps`, one `[horizon × action_dim]` per step
    /// that adds noise (``DiffusionScheduler/noisySteps``; empty for DDIM).
    public struct Noise: Sendable, Hashable {
        public var initial: [Float]
        public var steps: [[Float]]

        public init(initial: [Float], steps: [[Float]] = []) {
            self.initial = initial
            self.steps = steps
        }
    }

    public let config: PolicyConfig
    public let supportsRTC = false
    public let package: ONNXModelPackage
    public let settings: ONNXModelPackage.Diffusion
    public let scheduler: DiffusionScheduler
    public let processors: PolicyProcessors
    public let encoder: ORTSession
    public let denoiser: ORTSession
    /// Cameras by policy key with their per-observation shape `[3, H, W]`, in the encoder's input order.
    let cameras: [(name: String, shape: [Int])]
    let stateDim: Int
    /// Length of `observation.environment_state` when the encoder takes it, else 0.
    let environmentDim: Int
    let globalCondDim: Int
    /// Whether the denoiser's `timestep` is int64 (else float32).
    let integerTimestep: Bool
    private let generator: Mutex<Xoshiro256StarStar>

    public init(directory: URL, config: PolicyConfig, options: PolicyRuntimeOptions = .init(), seed: UInt64 = 0)
        throws(PolicyRuntimeError)
    {
        let package = try ONNXModelPackage(directory: directory)
        let source = directory.appendingPathComponent(ONNXModelPackage.fileName).path
        func invalid(_ why: String) -> PolicyRuntimeError { PolicyRuntimeError(.invalidCheckpoint, "\(source): \(why)") }
        guard package.policyType == config.type else {
            throw invalid("policy_type '\(package.policyType)' differs from config.json's '\(config.type)'")
        }
        guard Self.diffusionTypes.contains(config.type) else {
            throw PolicyRuntimeError(
                .unsupportedPolicy,
                "policy type '\(config.type)' is not a diffusion package (supported: \(Self.diffusionTypes.sorted().joined(separator: ", ")))"
            )
        }
        guard let settings = package.diffusion else { throw invalid("a '\(config.type)' package needs a \"diffusion\" block") }
        guard let encoderGraph = package.graphs["encoder"], let denoiserGraph = package.graphs["denoiser"] else {
            throw invalid("a '\(config.type)' package needs \"encoder\" and \"denoiser\" graphs")
        }
        // The block against config.json.
        let configHorizon = config.raw["horizon"]?.int
        guard settings.nObsSteps == config.nObsSteps, settings.nActionSteps == config.chunkSize,
            settings.actionDim == config.actionDim, configHorizon == nil || configHorizon == settings.horizon
        else {
            throw invalid(
                "diffusion has horizon \(settings.horizon), n_obs_steps \(settings.nObsSteps), n_action_steps "
                    + "\(settings.nActionSteps), action_dim \(settings.actionDim); config.json has horizon "
                    + "\(configHorizon.map(String.init) ?? "none"), n_obs_steps \(config.nObsSteps), n_action_steps "
                    + "\(config.chunkSize), action dimension \(config.actionDim)")
        }
        if let type = config.raw["noise_scheduler_type"]?.string, type != settings.scheduler.kind.rawValue {
            throw invalid(
                "diffusion.scheduler '\(settings.scheduler.kind.rawValue)' differs from config.json's noise_scheduler_type '\(type)'")
        }
        // LeRobot runs num_train_timesteps steps when num_inference_steps is null.
        let stepsField =
            config.raw["num_inference_steps"]?.int != nil ? "num_inference_steps" : "num_train_timesteps (num_inference_steps is null)"
        let configSteps = config.raw["num_inference_steps"]?.int ?? config.raw["num_train_timesteps"]?.int
        if let configSteps, configSteps != settings.scheduler.numInferenceSteps {
            throw invalid(
                "diffusion.num_inference_steps \(settings.scheduler.numInferenceSteps) differs from config.json's \(stepsField) \(configSteps)"
            )
        }
        // The graphs' interfaces.
        func dims(_ spec: ONNXModelPackage.TensorSpec) -> [String] { spec.shape.map(\.description) }
        let n = settings.nObsSteps
        var cameras: [(String, [Int])] = []
        var sawState = false
        var environmentDim = 0
        for spec in encoderGraph.inputs {
            guard let feature = config.inputFeatures.first(where: { $0.key == spec.name }) else {
                throw invalid("encoder input '\(spec.name)' is not an input feature of config.json")
            }
            let isImage = feature.type == "VISUAL"
            let isEnvironment = feature.key == Self.environmentStateInput
            guard isImage || isEnvironment || feature.key == Self.stateInput else {
                throw PolicyRuntimeError(
                    .unsupportedPolicy,
                    "\(source): encoder input '\(spec.name)' (\(feature.type)): only observation.state, "
                        + "observation.environment_state and cameras reach the server")
            }
            guard !isImage || feature.shape.count == 3 && feature.shape[0] == 3 else {
                throw invalid("camera '\(spec.name)' must be [3, H, W], not \(feature.shape)")
            }
            guard isImage || feature.shape.count == 1 && feature.shape[0] > 0 else {
                throw invalid("'\(spec.name)' must be one positive length [N] in config.json, not \(feature.shape)")
            }
            let expected = ["batch", "\(n)"] + feature.shape.map(String.init)
            guard spec.dtype == "float32", dims(spec) == expected else {
                throw invalid(
                    "encoder input '\(spec.name)' is \(spec.dtype) \(dims(spec)); config.json needs float32 [\(expected.joined(separator: ", "))]"
                )
            }
            if isImage {
                cameras.append((spec.name, feature.shape))
            } else if isEnvironment {
                environmentDim = feature.shape[0]
            } else {
                sawState = true
            }
        }
        guard sawState else { throw invalid("the encoder graph must take observation.state") }
        // Every camera and the environment state config.json declares must reach the encoder.
        for feature in config.inputFeatures where feature.type == "VISUAL" || feature.key == Self.environmentStateInput {
            guard encoderGraph.inputs.contains(where: { $0.name == feature.key }) else {
                throw invalid("config.json's input feature '\(feature.key)' is not an input of the encoder graph")
            }
        }
        // LeRobot's resize_shape happens inside the encoder graph; the package must say it does, with the same size.
        let configResize = config.raw["resize_shape"]?.ints
        if cameras.isEmpty {
            if let resize = settings.resizeShape {
                throw invalid("diffusion.resize_shape \(resize) is set but the encoder graph takes no camera")
            }
        } else if configResize != settings.resizeShape {
            throw invalid(
                "diffusion.resize_shape \(settings.resizeShape.map { "\($0)" } ?? "absent") differs from config.json's "
                    + "resize_shape \(configResize.map { "\($0)" } ?? "null")")
        }
        guard let condition = encoderGraph.outputs.first(where: { $0.name == "global_cond" }), condition.dtype == "float32",
            condition.shape.count == 2, case .fixed(let conditionDim) = condition.shape[1]
        else { throw invalid("the encoder graph must give 'global_cond' float32 [batch, G]") }
        let chunk = ["batch", "\(settings.horizon)", "\(settings.actionDim)"]
        let denoiserInputs = Dictionary(denoiserGraph.inputs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        guard denoiserGraph.inputs.count == 3, let sample = denoiserInputs["sample"], let timestep = denoiserInputs["timestep"],
            let conditionInput = denoiserInputs["global_cond"]
        else { throw invalid("the denoiser graph must take exactly sample, timestep and global_cond") }
        guard sample.dtype == "float32", dims(sample) == chunk else {
            throw invalid("denoiser input 'sample' is \(sample.dtype) \(dims(sample)), not float32 [\(chunk.joined(separator: ", "))]")
        }
        guard ["int64", "float32"].contains(timestep.dtype), dims(timestep) == ["batch"] else {
            throw invalid("denoiser input 'timestep' is \(timestep.dtype) \(dims(timestep)), not int64 or float32 [batch]")
        }
        guard conditionInput.dtype == "float32", dims(conditionInput) == ["batch", "\(conditionDim)"] else {
            throw invalid(
                "denoiser input 'global_cond' is \(conditionInput.dtype) \(dims(conditionInput)), not float32 [batch, \(conditionDim)]")
        }
        guard let output = denoiserGraph.outputs.first(where: { $0.name == "model_output" }), output.dtype == "float32",
            dims(output) == chunk
        else { throw invalid("the denoiser graph must give 'model_output' float32 [\(chunk.joined(separator: ", "))]") }
        do { self.scheduler = try DiffusionScheduler(settings.scheduler) } catch { throw invalid(error.message) }
        self.config = config
        self.package = package
        self.settings = settings
        self.cameras = cameras
        self.stateDim = config.stateDim
        self.environmentDim = environmentDim
        self.globalCondDim = conditionDim
        self.integerTimestep = timestep.dtype == "int64"
        self.generator = Mutex(Xoshiro256StarStar(seed: seed))
        self.processors = try PolicyProcessors.load(directory: directory, config: config)
        let sessions = try ONNXModelPackage.openSessions([encoderGraph, denoiserGraph], directory: directory, options: options)
        (self.encoder, self.denoiser) = (sessions[0], sessions[1])
        options.logger.debug(
            "ONNX diffusion policy loaded",
            metadata: [
                "policy.type": "\(config.type)", "onnxruntime.provider": "\(encoder.provider)",
                "diffusion.scheduler": "\(settings.scheduler.kind.rawValue)",
                "diffusion.steps": "\(settings.scheduler.numInferenceSteps)",
            ])
    }

    public func makeSessionState() -> any PolicySessionState { DiffusionSessionState(capacity: settings.nObsSteps) }

    /// The history lives in the session state; the policy itself keeps nothing between requests.
    public func resetPolicy() {}

    public func predictChunk(_ request: PolicyRequest, session: any PolicySessionState) throws(PolicyRuntimeError) -> PolicyOutput {
        try predictChunks([(request, session)])[0]
    }

    public func predictChunks(_ requests: [(PolicyRequest, any PolicySessionState)]) throws(PolicyRuntimeError) -> [PolicyOutput] {
        let noise = generator.withLock { generator in
            requests.map { _ in drawNoise(using: &generator) }
        }
        return try predictChunks(requests, noise: noise)
    }

    /// Standard normal noise for one request from `generator`: the initial sample, then each noisy step's.
    func drawNoise(using generator: inout Xoshiro256StarStar) -> Noise {
        let count = settings.horizon * settings.actionDim
        let initial = GaussianNoise.standardNormal(count: count, using: &generator)
        let steps = (0..<scheduler.noisySteps).map { _ in GaussianNoise.standardNormal(count: count, using: &generator) }
        return Noise(initial: initial, steps: steps)
    }

    /// Runs `requests` as one batch with explicit noise (one ``Noise`` per request): each request's observation joins
    /// its session's history, the histories are encoded together, and the scheduler loop runs on the whole batch.
    public func predictChunks(_ requests: [(PolicyRequest, any PolicySessionState)], noise: [Noise]) throws(PolicyRuntimeError)
        -> [PolicyOutput]
    {
        let batch = requests.count
        guard batch > 0 else { return [] }
        let perSample = settings.horizon * settings.actionDim
        guard noise.count == batch else {
            throw PolicyRuntimeError(.invalidInput, "\(noise.count) noise sets for a batch of \(batch)")
        }
        for (i, sampleNoise) in noise.enumerated() {
            guard sampleNoise.initial.count == perSample, sampleNoise.steps.count == scheduler.noisySteps,
                sampleNoise.steps.allSatisfy({ $0.count == perSample })
            else {
                throw PolicyRuntimeError(
                    .invalidInput,
                    "noise \(i): initial has \(sampleNoise.initial.count) values and \(sampleNoise.steps.count) step sets; "
                        + "the policy needs \(settings.horizon) × \(settings.actionDim) and \(scheduler.noisySteps) of that size")
            }
        }
        var sessions: [DiffusionSessionState] = []
        for (_, state) in requests {
            guard let session = state as? DiffusionSessionState, session.capacity == settings.nObsSteps else {
                throw PolicyRuntimeError(.invalidInput, "the session state was not made by this diffusion policy")
            }
            sessions.append(session)
        }
        // 1. The new observations, pre-processed together; then each joins its session's history.
        let (observations, cached) = try preprocess(requests.map(\.0))
        let histories = zip(sessions, observations).map { session, observation in session.push(observation) }
        for (index, session) in sessions.enumerated() { session.cachedState = cached?[index] }
        // 2. The encoder on the stacked histories.
        let n = settings.nObsSteps
        var feeds: [String: ORTTensor] = [:]
        do {
            feeds[Self.stateInput] = try ORTTensor(histories.flatMap { $0.flatMap(\.state) }, shape: [batch, n, stateDim])
            if environmentDim > 0 {
                feeds[Self.environmentStateInput] = try ORTTensor(
                    histories.flatMap { $0.flatMap(\.environmentState) }, shape: [batch, n, environmentDim])
            }
            for (k, camera) in cameras.enumerated() {
                feeds[camera.name] = try ORTTensor(histories.flatMap { $0.flatMap { $0.images[k] } }, shape: [batch, n] + camera.shape)
            }
        } catch {
            throw PolicyRuntimeError(.inferenceFailed, "encoder inputs: \(error.message)")
        }
        let condition: ORTTensor
        do {
            guard let output = try encoder.run(feeds, outputs: ["global_cond"])["global_cond"], output.shape == [batch, globalCondDim]
            else {
                throw PolicyRuntimeError(
                    .inferenceFailed, "\(encoder.modelPath): 'global_cond' is not float32 [\(batch), \(globalCondDim)]")
            }
            condition = output
        } catch let error as PolicyRuntimeError {
            throw error
        } catch {
            throw PolicyRuntimeError(.inferenceFailed, "\(encoder.modelPath): \(error)")
        }
        // 3. The scheduler loop around the denoiser.
        var sample = noise.flatMap(\.initial)
        var noisyStep = 0
        for (index, t) in scheduler.timesteps.enumerated() {
            let output = try denoise(sample, timestep: t, condition: condition, batch: batch)
            if scheduler.addsNoise(at: index) {
                scheduler.step(index: index, modelOutput: output, sample: &sample, noise: noise.flatMap { $0.steps[noisyStep] })
                noisyStep += 1
            } else {
                scheduler.step(index: index, modelOutput: output, sample: &sample, noise: nil)
            }
        }
        // 4. Each request's rows [n_obs_steps − 1, + n_action_steps), post-processed.
        let columns = settings.actionDim
        let rows = settings.nActionSteps
        var results: [PolicyOutput] = []
        for index in 0..<batch {
            let start = index * perSample + (n - 1) * columns
            let model = Array(sample[start..<(start + rows * columns)])
            let robot = try processors.postprocess(model, cachedState: cached?[index])
            results.append(PolicyOutput(chunkModel: model, chunkRobot: robot, rows: rows, columns: columns))
        }
        return results
    }

    /// One denoiser run on the whole batch.
    private func denoise(_ sample: [Float], timestep: Int, condition: ORTTensor, batch: Int) throws(PolicyRuntimeError) -> [Float] {
        let shape = [batch, settings.horizon, settings.actionDim]
        do {
            let timesteps =
                integerTimestep
                ? try ORTTensor([Int64](repeating: Int64(timestep), count: batch), shape: [batch])
                : try ORTTensor([Float](repeating: Float(timestep), count: batch), shape: [batch])
            let inputs = ["sample": try ORTTensor(sample, shape: shape), "timestep": timesteps, "global_cond": condition]
            guard let output = try denoiser.run(inputs, outputs: ["model_output"])["model_output"], output.shape == shape else {
                throw PolicyRuntimeError(.inferenceFailed, "\(denoiser.modelPath): 'model_output' is not float32 \(shape)")
            }
            return try output.values(as: Float.self)
        } catch let error as PolicyRuntimeError {
            throw error
        } catch let error as ORTError {
            throw PolicyRuntimeError(.inferenceFailed, "\(denoiser.modelPath): \(error.message)")
        } catch {
            throw PolicyRuntimeError(.inferenceFailed, "\(denoiser.modelPath): \(error)")
        }
    }

    /// The requests' observations through the pre-processor (one batch): per request the normalized state and
    /// camera images (CHW, float32, in ``cameras`` order); and the state the relative step cached, if any.
    private func preprocess(_ requests: [PolicyRequest]) throws(PolicyRuntimeError)
        -> ([DiffusionSessionState.Observation], [[Float]]?)
    {
        let batch = requests.count
        let rename = processors.renameMap
        var features: [String: ORTTensor] = [:]
        do {
            let state = try ORTTensor(zeros: .float32, shape: [batch, stateDim])
            for (index, request) in requests.enumerated() {
                guard request.state.count == stateDim else {
                    throw PolicyRuntimeError(.invalidInput, "state has \(request.state.count) values, the policy expects \(stateDim)")
                }
                try state.withUnsafeMutableBufferPointer(of: Float.self) { buffer in
                    for (j, value) in request.state.enumerated() { buffer[index * stateDim + j] = value }
                }
            }
            features[Self.stateInput] = state
            if environmentDim > 0 {
                let environment = try ORTTensor(zeros: .float32, shape: [batch, environmentDim])
                for (index, request) in requests.enumerated() {
                    guard let values = request.environmentState else {
                        throw PolicyRuntimeError(
                            .invalidInput, "\(Self.environmentStateInput) is missing; the policy expects \(environmentDim) values")
                    }
                    guard values.count == environmentDim else {
                        throw PolicyRuntimeError(
                            .invalidInput,
                            "\(Self.environmentStateInput) has \(values.count) values, the policy expects \(environmentDim)")
                    }
                    try environment.withUnsafeMutableBufferPointer(of: Float.self) { buffer in
                        for (j, value) in values.enumerated() { buffer[index * environmentDim + j] = value }
                    }
                }
                features[Self.environmentStateInput] = environment
            }
            for camera in cameras {
                let (height, width) = (camera.shape[1], camera.shape[2])
                let plane = 3 * height * width
                let tensor = try ORTTensor(zeros: .float32, shape: [batch] + camera.shape)
                for (index, request) in requests.enumerated() {
                    guard let image = request.images.first(where: { (rename[$0.key] ?? $0.key) == camera.name })?.image else {
                        throw PolicyRuntimeError(
                            .invalidInput,
                            "camera '\(camera.name)' is missing (got: \(request.images.map(\.key).joined(separator: ", ")))")
                    }
                    try tensor.withUnsafeMutableBufferPointer(of: Float.self) { buffer in
                        let slice = UnsafeMutableBufferPointer(rebasing: buffer[(index * plane)..<((index + 1) * plane)])
                        ImagePreparation.fill(slice, from: image, height: height, width: width)
                    }
                }
                features[camera.name] = tensor
            }
        } catch let error as PolicyRuntimeError {
            throw error
        } catch {
            throw PolicyRuntimeError(.invalidInput, "\(error)")
        }
        let cached = try processors.preprocess(&features)
        guard let state = try? features[Self.stateInput]?.values(as: Float.self) else {
            throw PolicyRuntimeError(.inferenceFailed, "the pre-processor lost observation.state")
        }
        var environment: [Float] = []
        if environmentDim > 0 {
            guard let values = try? features[Self.environmentStateInput]?.values(as: Float.self),
                values.count == batch * environmentDim
            else {
                throw PolicyRuntimeError(.inferenceFailed, "the pre-processor lost \(Self.environmentStateInput)")
            }
            environment = values
        }
        var images: [[Float]] = []
        for camera in cameras {
            guard let values = try? features[camera.name]?.values(as: Float.self) else {
                throw PolicyRuntimeError(.inferenceFailed, "the pre-processor lost '\(camera.name)'")
            }
            images.append(values)
        }
        let observations = (0..<batch).map { index in
            DiffusionSessionState.Observation(
                state: Array(state[(index * stateDim)..<((index + 1) * stateDim)]),
                environmentState: Array(environment[(index * environmentDim)..<((index + 1) * environmentDim)]),
                images: zip(cameras, images).map { camera, values in
                    let plane = camera.shape.reduce(1, *)
                    return Array(values[(index * plane)..<((index + 1) * plane)])
                })
        }
        let perRequest = cached.map { values in (0..<batch).map { Array(values[($0 * stateDim)..<(($0 + 1) * stateDim)]) } }
        return (observations, perRequest)
    }
}

/// One robot's state for a diffusion policy: the last `n_obs_steps` pre-processed observations (LeRobot's
/// observation queues), and the state the relative step cached last.
public final class DiffusionSessionState: PolicySessionState {
    /// One pre-processed observation: normalized state, normalized environment state (empty when the policy has
    /// none), and each camera's normalized CHW image.
    public struct Observation: Sendable, Hashable {
        public var state: [Float]
        public var environmentState: [Float]
        public var images: [[Float]]
    }

    public let capacity: Int
    private let queue = Mutex<[Observation]>([])
    private let cached = Mutex<[Float]?>(nil)

    init(capacity: Int) { self.capacity = capacity }

    /// The observations in the queue, oldest first.
    public var history: [Observation] { queue.withLock { $0 } }

    var cachedState: [Float]? {
        get { cached.withLock { $0 } }
        set { cached.withLock { $0 = newValue } }
    }

    /// Adds `observation` as LeRobot's `populate_queues` does (an empty queue is filled with copies of it, a full one
    /// drops its oldest) and returns the queue, oldest first.
    func push(_ observation: Observation) -> [Observation] {
        queue.withLock { queue in
            if queue.isEmpty {
                queue = Array(repeating: observation, count: capacity)
            } else {
                queue.append(observation)
                if queue.count > capacity { queue.removeFirst(queue.count - capacity) }
            }
            return queue
        }
    }

    public func reset() {
        queue.withLock { $0 = [] }
        cachedState = nil
    }
}

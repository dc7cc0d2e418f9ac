public import FlowMatching
public import Foundation
import Logging
import ONNXRuntime
import PolicyWire
import Synchronization
public import Tokenizers

/// A flow-matching policy (SmolVLA, pi0, pi0.5) served from its model package: LeRobot's pre-processor in Swift (the
/// task tokenized with the checkpoint's tokenizer, state normalized, images converted; for pi0.5 the normalized state
/// discretized into the prompt first, ``StatePromptStep``), the `prefix` graph once per request, the Euler loop
/// around the `velocity` graph with **per-robot RTC guidance**, then the post-processor.
///
/// Several robots' requests run as one batch; each row keeps its own delay and prefix, and a row without a prefix
/// (RTC off for that robot, or the first chunk of an episode) follows the plain velocity, as LeRobot's RTC processor
/// does when `prev_chunk_left_over` is nil.
public final class ONNXFlowMatchingPolicy: BatchedChunkPolicy {
    public let config: PolicyConfig
    /// pi0, pi05 and SmolVLA are RTC-capable (lerobot-protocol.md §6).
    public let supportsRTC = true
    public let batchesRTC = true
    public let graphs: ONNXFlowMatchingGraphs
    public let processors: PolicyProcessors
    public let language: LanguageStep
    /// Schedule and clipping of the guidance (the server's `rtc.*`); the horizon comes with each request.
    public let guidance: (schedule: PrefixAttentionSchedule, maxGuidanceWeight: Float)
    /// The prefix graph's inputs, in graph order: state, cameras, tokens, mask.
    let inputs: [(name: String, shape: [Int], kind: InputKind)]
    private let generator: Mutex<Xoshiro256StarStar>

    enum InputKind { case state, image, tokens, mask }

    public init(directory: URL, config: PolicyConfig, options: PolicyRuntimeOptions = .init()) throws(PolicyRuntimeError) {
        self.config = config
        let graphs = try ONNXFlowMatchingGraphs(directory: directory, config: config, options: options)
        self.graphs = graphs
        let processors = try PolicyProcessors.load(directory: directory, config: config)
        self.processors = processors
        let source = directory.appendingPathComponent("policy_preprocessor.json").path
        guard let language = processors.language else {
            throw PolicyRuntimeError(
                .invalidCheckpoint, "\(source): a '\(config.type)' policy needs a tokenizer_processor step for its task")
        }
        self.language = language
        if processors.statePrompt != nil {
            guard config.inputFeatures.contains(where: { $0.key == "observation.state" }), config.stateDim > 0 else {
                throw PolicyRuntimeError(
                    .invalidCheckpoint, "\(source): \(StatePromptStep.name) needs an observation.state input feature in config.json")
            }
        }
        guard let schedule = PrefixAttentionSchedule(rawValue: options.rtcPrefixAttentionSchedule.uppercased()) else {
            throw PolicyRuntimeError(
                .invalidInput,
                "rtc.prefix_attention_schedule '\(options.rtcPrefixAttentionSchedule)' is not one of "
                    + PrefixAttentionSchedule.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard options.rtcMaxGuidanceWeight > 0, options.rtcMaxGuidanceWeight.isFinite else {
            throw PolicyRuntimeError(.invalidInput, "rtc.max_guidance_weight must be positive, got \(options.rtcMaxGuidanceWeight)")
        }
        self.guidance = (schedule, Float(options.rtcMaxGuidanceWeight))
        self.inputs = try Self.checkInputs(graphs, config: config, source: directory.appendingPathComponent(ONNXModelPackage.fileName).path)
        self.generator = Mutex(Xoshiro256StarStar(seed: options.noiseSeed ?? UInt64.random(in: .min ... .max)))
    }

    private static func checkInputs(_ graphs: ONNXFlowMatchingGraphs, config: PolicyConfig, source: String)
        throws(PolicyRuntimeError) -> [(name: String, shape: [Int], kind: InputKind)]
    {
        var result: [(String, [Int], InputKind)] = []
        for spec in graphs.package.graphs["prefix"]?.inputs ?? [] {
            var shape: [Int] = []
            for dimension in spec.shape.dropFirst() {
                guard case .fixed(let n) = dimension else {
                    throw PolicyRuntimeError(
                        .invalidCheckpoint, "\(source): prefix input '\(spec.name)' must have fixed sizes after the batch axis")
                }
                shape.append(n)
            }
            switch spec.name {
            case ONNXFlowMatchingGraphs.tokensInput:
                guard spec.dtype == "int64", shape == [graphs.settings.languageTokens] else {
                    throw PolicyRuntimeError(
                        .invalidCheckpoint, "\(source): '\(spec.name)' must be int64 [batch, \(graphs.settings.languageTokens)]")
                }
                result.append((spec.name, shape, .tokens))
            case ONNXFlowMatchingGraphs.attentionMaskInput:
                guard spec.dtype == "bool", shape == [graphs.settings.languageTokens] else {
                    throw PolicyRuntimeError(
                        .invalidCheckpoint, "\(source): '\(spec.name)' must be bool [batch, \(graphs.settings.languageTokens)]")
                }
                result.append((spec.name, shape, .mask))
            default:
                guard let feature = config.inputFeatures.first(where: { $0.key == spec.name }) else {
                    throw PolicyRuntimeError(
                        .invalidCheckpoint, "\(source): prefix input '\(spec.name)' is not an input feature of config.json")
                }
                guard spec.dtype == "float32", shape == feature.shape else {
                    throw PolicyRuntimeError(
                        .invalidCheckpoint,
                        "\(source): prefix input '\(spec.name)' is \(spec.dtype) \(spec.shape); config.json needs float32 [batch, \(feature.shape)]"
                    )
                }
                if feature.type == "VISUAL" {
                    guard shape.count == 3, shape[0] == 3 else {
                        throw PolicyRuntimeError(.invalidCheckpoint, "\(source): camera '\(spec.name)' must be [3, H, W], not \(shape)")
                    }
                    result.append((spec.name, shape, .image))
                } else if feature.key == "observation.state" {
                    result.append((spec.name, shape, .state))
                } else {
                    throw PolicyRuntimeError(
                        .unsupportedPolicy,
                        "\(source): prefix input '\(spec.name)' (\(feature.type)): only observation.state and cameras reach the server")
                }
            }
        }
        return result
    }

    public func makeSessionState() -> any PolicySessionState { ONNXPolicySession() }

    public func resetPolicy() {}

    public func predictChunk(_ request: PolicyRequest, session: any PolicySessionState) throws(PolicyRuntimeError) -> PolicyOutput {
        try predictChunks([(request, session)])[0]
    }

    public func predictChunks(_ requests: [(PolicyRequest, any PolicySessionState)]) throws(PolicyRuntimeError) -> [PolicyOutput] {
        try predictChunks(requests, noise: nil)
    }

    /// As ``predictChunks(_:)``, with the initial noise given (`[batch × chunk_size × max_action_dim]`; tests feed
    /// PyTorch's) instead of drawn from the policy's generator.
    public func predictChunks(_ requests: [(PolicyRequest, any PolicySessionState)], noise: [Float]?)
        throws(PolicyRuntimeError) -> [PolicyOutput]
    {
        let batch = requests.count
        guard batch > 0 else { return [] }
        let settings = graphs.settings
        var features: [String: ORTTensor] = [:]
        for input in inputs {
            let perSample = input.shape.reduce(1, *)
            do {
                switch input.kind {
                case .state, .image:
                    let tensor = try ORTTensor(zeros: .float32, shape: [batch] + input.shape)
                    for (index, (request, _)) in requests.enumerated() {
                        try fill(tensor, sample: index, perSample: perSample, input: input, request: request)
                    }
                    features[input.name] = tensor
                case .tokens, .mask:
                    continue
                }
            } catch let error as PolicyRuntimeError {
                throw error
            } catch {
                throw PolicyRuntimeError(.invalidInput, "\(input.name): \(error)")
            }
        }
        // pi0.5's prompt needs the state even where no graph takes it.
        let stateIsGraphInput = features["observation.state"] != nil
        if processors.statePrompt != nil, !stateIsGraphInput {
            features["observation.state"] = try stateTensor(requests.map(\.0))
        }
        let (cached, promptState) = try processors.preprocessKeepingPromptState(&features)
        if !stateIsGraphInput { features.removeValue(forKey: "observation.state") }
        var ids: [Int64] = []
        var mask: [Bool] = []
        for (index, (request, _)) in requests.enumerated() {
            let tokens = try language.tokens(
                for: prompt(for: request.task, sample: index, batch: batch, promptState: promptState),
                length: settings.languageTokens)
            ids += tokens.ids.map(Int64.init)
            mask += tokens.attentionMask
        }
        do {
            features[ONNXFlowMatchingGraphs.tokensInput] = try ORTTensor(ids, shape: [batch, settings.languageTokens])
            features[ONNXFlowMatchingGraphs.attentionMaskInput] = try ORTTensor(mask, shape: [batch, settings.languageTokens])
        } catch {
            throw PolicyRuntimeError(.invalidInput, error.message)
        }
        var guides: [RTCGuide?] = []
        if requests.contains(where: { ($0.0.rtc?.validRows ?? 0) > 0 }) {
            for (request, _) in requests { guides.append(try guide(for: request)) }
        }
        let count = batch * settings.chunkSize * settings.maxActionDim
        let initial = noise ?? generator.withLock { GaussianNoise.standardNormal(count: count, using: &$0) }
        let conditioning = try graphs.encode(features)
        let chunks = try graphs.sample(conditioning: conditioning, batch: batch, noise: initial, guides: guides)
        let rows = settings.chunkSize
        let columns = settings.actionDim
        var results: [PolicyOutput] = []
        let stateDim = config.stateDim
        for (index, (_, state)) in requests.enumerated() {
            let model = Array(chunks[(index * rows * columns)..<((index + 1) * rows * columns)])
            let sampleState = cached.map { Array($0[(index * stateDim)..<((index + 1) * stateDim)]) }
            (state as? ONNXPolicySession)?.cachedState = sampleState
            let robot = try processors.postprocess(model, cachedState: sampleState)
            results.append(PolicyOutput(chunkModel: model, chunkRobot: robot, rows: rows, columns: columns))
        }
        return results
    }

    /// The tokens (and mask) the prefix graph gets for one request, after the pre-processor: the task, or for pi0.5
    /// the prompt with the request's normalized state, tokenized and padded to the graph's language length.
    public func languageTokens(for request: PolicyRequest) throws(PolicyRuntimeError) -> TaskTokenizer.Output {
        var promptState: [Float]?
        if processors.statePrompt != nil {
            var features = ["observation.state": try stateTensor([request])]
            promptState = try processors.preprocessKeepingPromptState(&features).promptState
        }
        return try language.tokens(
            for: prompt(for: request.task, sample: 0, batch: 1, promptState: promptState), length: graphs.settings.languageTokens)
    }

    /// The text the tokenizer step gets for sample `index`: the task, or pi0.5's prompt of task and state.
    private func prompt(for task: String, sample index: Int, batch: Int, promptState: [Float]?) -> String {
        guard let step = processors.statePrompt, let promptState, batch > 0 else { return task }
        let width = promptState.count / batch
        return step.prompt(task: task, state: Array(promptState[(index * width)..<((index + 1) * width)]))
    }

    /// The raw states of `requests` as one float32 `[batch, state_dim]` tensor.
    private func stateTensor(_ requests: [PolicyRequest]) throws(PolicyRuntimeError) -> ORTTensor {
        let stateDim = config.stateDim
        var values: [Float] = []
        values.reserveCapacity(requests.count * stateDim)
        for request in requests {
            guard request.state.count == stateDim else {
                throw PolicyRuntimeError(.invalidInput, "state has \(request.state.count) values, the policy expects \(stateDim)")
            }
            values += request.state
        }
        do { return try ORTTensor(values, shape: [requests.count, stateDim]) } catch {
            throw PolicyRuntimeError(.invalidInput, error.message)
        }
    }

    /// The request's RTC guide, or nil when it has no prefix (RTC off for the robot, or nothing left over).
    /// For policies trained on relative actions the prefix is re-anchored from the robot-space leftover against the
    /// current raw state (edge-semantics §2.5) instead of taking the robot's model-space prefix.
    public func guide(for request: PolicyRequest) throws(PolicyRuntimeError) -> RTCGuide? {
        guard let rtc = request.rtc, rtc.validRows > 0 else { return nil }
        let columns = config.actionDim
        var prefix = rtc.prefix
        if processors.relative != nil, let robot = rtc.robotPrefix {
            let valid = rtc.validRows * columns
            let anchored = processors.modelSpacePrefix(robotPrefix: Array(robot[0..<valid]), rawState: request.state)
            prefix = [Float](repeating: 0, count: rtc.executionHorizon * columns)
            prefix.replaceSubrange(0..<valid, with: anchored)
        }
        guard prefix.count == rtc.executionHorizon * columns else {
            throw PolicyRuntimeError(
                .invalidInput, "the RTC prefix has \(prefix.count) values, not \(rtc.executionHorizon) rows × \(columns)")
        }
        let settings: RTCGuidance
        do {
            settings = try RTCGuidance(
                schedule: guidance.schedule, maxGuidanceWeight: guidance.maxGuidanceWeight, executionHorizon: rtc.executionHorizon)
        } catch {
            throw PolicyRuntimeError(.invalidInput, error.message)
        }
        return try graphs.guide(prefix: prefix, rows: rtc.executionHorizon, delay: rtc.delaySteps, guidance: settings)
    }

    /// Writes one request's state or camera into sample `index` of `tensor`.
    private func fill(
        _ tensor: ORTTensor, sample index: Int, perSample: Int, input: (name: String, shape: [Int], kind: InputKind),
        request: PolicyRequest
    ) throws(PolicyRuntimeError) {
        let rename = processors.renameMap
        if input.kind == .image {
            guard let image = request.images.first(where: { (rename[$0.key] ?? $0.key) == input.name })?.image else {
                throw PolicyRuntimeError(
                    .invalidInput, "camera '\(input.name)' is missing (got: \(request.images.map(\.key).joined(separator: ", ")))")
            }
            try? tensor.withUnsafeMutableBufferPointer(of: Float.self) { buffer in
                let slice = UnsafeMutableBufferPointer(rebasing: buffer[(index * perSample)..<((index + 1) * perSample)])
                ImagePreparation.fill(slice, from: image, height: input.shape[1], width: input.shape[2])
            }
        } else {
            guard request.state.count == perSample else {
                throw PolicyRuntimeError(.invalidInput, "state has \(request.state.count) values, the policy expects \(perSample)")
            }
            try? tensor.withUnsafeMutableBufferPointer(of: Float.self) { buffer in
                for (j, value) in request.state.enumerated() { buffer[index * perSample + j] = value }
            }
        }
    }
}

public import Foundation
import JSON
public import ONNXRuntime

/// A checkpoint's pre- and post-processor pipelines, loaded from `policy_preprocessor.json`,
/// `policy_postprocessor.json` and their normalizer `.safetensors`, and run in Swift in the files' step order.
///
/// Supported steps: `rename_observations_processor`, `to_batch_processor`, `device_processor` (device and dtype are
/// the runtime's: no-ops here), `normalizer_processor`, `relative_actions_processor` (pre);
/// `pi0_new_line_processor`, `smolvla_new_line_processor` and `tokenizer_processor` (pre, see ``LanguageStep``);
/// `pi05_prepare_state_tokenizer_processor_step` (pre, see ``StatePromptStep``: the state at that point becomes part
/// of the task prompt);
/// `unnormalizer_processor`, `absolute_actions_processor`, `device_processor` (post). Any other step fails the load
/// with its name.
public struct PolicyProcessors: Sendable {
    enum PreStep: Sendable {
        case rename([String: String])
        case normalize([String: FeatureNormalization])
        /// The relative-actions step: caches `observation.state` as it is at this point of the pipeline.
        case cacheState
        /// pi0.5's state-prompt step: keeps `observation.state` as it is at this point for the prompt.
        case promptState
    }

    enum PostStep: Sendable {
        case unnormalize(FeatureNormalization)
        case toAbsolute
    }

    public static let supportedPreSteps = [
        "rename_observations_processor", "to_batch_processor", "device_processor", "normalizer_processor",
        "relative_actions_processor", "pi0_new_line_processor", "smolvla_new_line_processor", StatePromptStep.name,
        "tokenizer_processor",
    ]
    public static let supportedPostSteps = ["unnormalizer_processor", "absolute_actions_processor", "device_processor"]

    let pre: [PreStep]
    let post: [PostStep]
    /// The relative-action mask, when the pre-processor has an enabled relative step.
    public let relative: RelativeActions?
    /// How the pre-processor normalizes an action (for RTC prefixes), when it does.
    public let actionNormalization: FeatureNormalization?
    /// The task tokenizer, when the pre-processor has a `tokenizer_processor` step.
    public let language: LanguageStep?
    /// pi0.5's state-prompt step, when the pre-processor has one (before its tokenizer step).
    public let statePrompt: StatePromptStep?
    /// Observation renames (robot key → policy key).
    public var renameMap: [String: String] {
        for case .rename(let map) in pre { return map }
        return [:]
    }

    /// Loads both pipelines of the checkpoint in `directory`.
    public static func load(directory: URL, config: PolicyConfig) throws(PolicyRuntimeError) -> PolicyProcessors {
        let preFile = try ProcessorPipelineFile(url: directory.appendingPathComponent("policy_preprocessor.json"))
        let postFile = try ProcessorPipelineFile(url: directory.appendingPathComponent("policy_postprocessor.json"))
        var pre: [PreStep] = []
        var relative: RelativeActions?
        var hasRelativeStep = false
        var actionNormalization: FeatureNormalization?
        var language: LanguageStep?
        var appendsNewline = false
        var statePrompt: StatePromptStep?
        for step in preFile.steps {
            switch step.name {
            case "rename_observations_processor":
                pre.append(.rename(try stringMap(step.config["rename_map"], "rename_map", preFile, step)))
            case "to_batch_processor", "device_processor":
                continue
            case _ where LanguageStep.newLineSteps.contains(step.name):
                appendsNewline = true
            case StatePromptStep.name:
                let source = "\(preFile.path) step \(step.index) '\(step.name)'"
                guard language == nil, statePrompt == nil else {
                    throw PolicyRuntimeError(
                        .unsupportedPolicy,
                        "\(source): must come once, before the tokenizer_processor step (as in LeRobot's pi0.5 pipeline)")
                }
                statePrompt = try StatePromptStep(stepConfig: step.config, source: source)
                pre.append(.promptState)
            case LanguageStep.tokenizerStep:
                language = try LanguageStep.load(
                    stepConfig: step.config, appendsNewline: appendsNewline, package: directory,
                    source: "\(preFile.path) step \(step.index) '\(step.name)'")
            case "normalizer_processor":
                let (observation, action) = try normalizations(preFile, step, directory)
                pre.append(.normalize(observation))
                actionNormalization = action
            case "relative_actions_processor":
                hasRelativeStep = true
                pre.append(.cacheState)
                if step.config["enabled"]?.bool ?? false {
                    let names = step.config["action_names"]?.strings ?? config.actionFeatureNames
                    relative = RelativeActions(
                        actionDim: config.actionDim, excludeJoints: step.config["exclude_joints"]?.strings ?? [],
                        actionNames: names)
                }
            default:
                throw unsupported(preFile, step, supportedPreSteps)
            }
        }
        if statePrompt != nil, language == nil {
            throw PolicyRuntimeError(
                .unsupportedPolicy,
                "\(preFile.path): '\(StatePromptStep.name)' writes the state into the task prompt, but no "
                    + "tokenizer_processor step follows it")
        }
        var post: [PostStep] = []
        for step in postFile.steps {
            switch step.name {
            case "device_processor":
                continue
            case "unnormalizer_processor":
                let (_, action) = try normalizations(postFile, step, directory)
                if let action { post.append(.unnormalize(action)) }
            case "absolute_actions_processor":
                guard step.config["enabled"]?.bool ?? false else { continue }
                guard hasRelativeStep else {
                    throw PolicyRuntimeError(
                        .invalidCheckpoint,
                        "\(postFile.path): step \(step.index) 'absolute_actions_processor' is enabled but the pre-processor "
                            + "has no relative_actions_processor to pair with")
                }
                if relative != nil { post.append(.toAbsolute) }
            default:
                throw unsupported(postFile, step, supportedPostSteps)
            }
        }
        return PolicyProcessors(
            pre: pre, post: post, relative: relative, actionNormalization: actionNormalization, language: language,
            statePrompt: statePrompt)
    }

    private static func unsupported(_ file: ProcessorPipelineFile, _ step: ProcessorPipelineFile.Step, _ supported: [String])
        -> PolicyRuntimeError
    {
        PolicyRuntimeError(
            .unsupportedPolicy,
            "\(file.path): step \(step.index) '\(step.name)' is not supported by the ONNX runtime "
                + "(supported: \(supported.joined(separator: ", ")))")
    }

    /// A `{name: name}` member of a step's config (`rename_map`, `norm_map`); empty when absent or null.
    private static func stringMap(
        _ value: JSONValue?, _ field: String, _ file: ProcessorPipelineFile, _ step: ProcessorPipelineFile.Step
    ) throws(PolicyRuntimeError) -> [String: String] {
        guard let value, !value.isNull else { return [:] }
        let source = "\(file.path) step \(step.index) '\(step.name)'"
        guard let members = value.object else {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(source): \(field) must be an object, got \(value.kindName)")
        }
        var map: [String: String] = [:]
        for (key, name) in members {
            guard let name = name.string else {
                throw PolicyRuntimeError(.invalidCheckpoint, "\(source): \(field).\(key) must be a string, got \(name.kindName)")
            }
            map[key] = name
        }
        return map
    }

    /// A normalizer step's per-feature normalizations (observations) and its action normalization.
    private static func normalizations(
        _ file: ProcessorPipelineFile, _ step: ProcessorPipelineFile.Step, _ directory: URL
    ) throws(PolicyRuntimeError) -> ([String: FeatureNormalization], FeatureNormalization?) {
        let source = "\(file.path) step \(step.index) '\(step.name)'"
        let eps = Float(step.config["eps"]?.double ?? 1e-8)
        let normMap = try stringMap(step.config["norm_map"], "norm_map", file, step)
        let only = step.config["normalize_observation_keys"]?.strings.map(Set.init)
        guard let features = step.config["features"]?.object else {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(source): config has no \"features\"")
        }
        let stats = try file.stats(of: step, in: directory)
        var observation: [String: FeatureNormalization] = [:]
        var action: FeatureNormalization?
        for (key, feature) in features {
            guard let type = feature["type"]?.string, let shape = feature["shape"]?.ints else {
                throw PolicyRuntimeError(.invalidCheckpoint, "\(source): feature '\(key)' needs type and shape")
            }
            let modeName = normMap[type] ?? "IDENTITY"
            guard let mode = NormalizationMode(rawValue: modeName) else {
                throw PolicyRuntimeError(
                    .unsupportedPolicy,
                    "\(source): normalization mode '\(modeName)' for \(type) is not supported (supported: "
                        + "\(NormalizationMode.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            // LeRobot leaves a feature without statistics unchanged.
            guard mode != .identity, let featureStats = stats[key] else { continue }
            let normalization = try FeatureNormalization(
                key: key, mode: mode, shape: shape, stats: featureStats, eps: eps, source: source)
            if type == "ACTION" {
                if key == "action" { action = normalization }
            } else if only?.contains(key) ?? true {
                observation[key] = normalization
            }
        }
        return (observation, action)
    }

    /// Runs the pre-processor over the model inputs (float tensors by feature key, batch first), in place.
    /// Returns `observation.state` as the relative step saw it (nil without that step).
    public func preprocess(_ features: inout [String: ORTTensor]) throws(PolicyRuntimeError) -> [Float]? {
        try preprocessKeepingPromptState(&features).cachedState
    }

    /// As ``preprocess(_:)``, also returning `observation.state` (`[batch × S]`) as the state-prompt step saw it
    /// (nil without that step).
    public func preprocessKeepingPromptState(_ features: inout [String: ORTTensor]) throws(PolicyRuntimeError)
        -> (cachedState: [Float]?, promptState: [Float]?)
    {
        var cached: [Float]?
        var promptState: [Float]?
        for step in pre {
            switch step {
            case .rename(let map):
                for (from, to) in map where from != to {
                    if let tensor = features.removeValue(forKey: from) { features[to] = tensor }
                }
            case .normalize(let normalizations):
                for (key, normalization) in normalizations {
                    guard let tensor = features[key] else { continue }
                    do { try tensor.withUnsafeMutableBufferPointer(of: Float.self) { normalization.normalize($0) } } catch {
                        throw PolicyRuntimeError(.invalidInput, "'\(key)' must be a float32 tensor")
                    }
                }
            case .cacheState:
                cached = try? features["observation.state"]?.values(as: Float.self)
            case .promptState:
                guard let state = try? features["observation.state"]?.values(as: Float.self) else {
                    throw PolicyRuntimeError(.invalidInput, "\(StatePromptStep.name): observation.state (float32) is required")
                }
                promptState = state
            }
        }
        return (cached, promptState)
    }

    /// Runs the post-processor over a `[rows × actionDim]` chunk in model space, returning robot space.
    public func postprocess(_ chunk: [Float], cachedState: [Float]?) throws(PolicyRuntimeError) -> [Float] {
        var out = chunk
        for step in post {
            switch step {
            case .unnormalize(let normalization):
                out.withUnsafeMutableBufferPointer { normalization.unnormalize($0) }
            case .toAbsolute:
                guard let cachedState, let relative else {
                    throw PolicyRuntimeError(.inferenceFailed, "absolute_actions_processor: no cached state from the pre-processor")
                }
                relative.toAbsolute(&out, state: cachedState)
            }
        }
        return out
    }

    /// Re-anchors an RTC prefix given in robot space (absolute targets) to the current raw state and normalizes it
    /// as an action (edge-semantics §2.5): `normalize(prefix − state·mask)`. Without a relative step only the
    /// normalization applies.
    public func modelSpacePrefix(robotPrefix: [Float], rawState: [Float]) -> [Float] {
        var prefix = robotPrefix
        relative?.toRelative(&prefix, state: rawState)
        if let actionNormalization { prefix.withUnsafeMutableBufferPointer { actionNormalization.normalize($0) } }
        return prefix
    }
}

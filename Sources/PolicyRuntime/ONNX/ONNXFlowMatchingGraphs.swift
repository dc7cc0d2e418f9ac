public import FlowMatching
public import Foundation
import JSON
import Logging
public import ONNXRuntime

/// The two graphs of an exported flow-matching policy (SmolVLA, pi0, pi0.5) and LeRobot's sampler around them: the
/// `prefix` graph runs once per observation (images, language, state → the conditioning: key/value cache and its pad
/// mask, for pi0 also the padded state, which its velocity network embeds; pi0.5's prefix graph has no state input,
/// its state is in the prompt tokens), then the Swift ``FlowMatchingSampler`` evaluates the `velocity` graph on that
/// conditioning once per Euler step, with RTC guidance for the batch rows that have a prefix.
///
/// Inputs are the pre-processed observation (normalized state, float32 [0, 1] CHW images of the config's size, tokens
/// right-padded to ``ONNXModelPackage/FlowMatching/languageTokens``); outputs are chunks in model space.
public final class ONNXFlowMatchingGraphs: Sendable {
    /// Policy families exported as prefix + velocity graphs.
    public static let flowMatchingTypes: Set<String> = ["pi0", "pi05", "smolvla"]
    public static let tokensInput = "observation.language.tokens"
    public static let attentionMaskInput = "observation.language.attention_mask"

    public let config: PolicyConfig
    public let package: ONNXModelPackage
    public let settings: ONNXModelPackage.FlowMatching
    public let sampler: FlowMatchingSampler
    public let prefix: ORTSession
    public let velocity: ORTSession
    /// The prefix graph's outputs, which the velocity graph takes back as inputs.
    public let conditioningNames: [String]

    public init(directory: URL, config: PolicyConfig, options: PolicyRuntimeOptions = .init()) throws(PolicyRuntimeError) {
        let package = try ONNXModelPackage(directory: directory)
        let source = directory.appendingPathComponent(ONNXModelPackage.fileName).path
        func invalid(_ why: String) -> PolicyRuntimeError { PolicyRuntimeError(.invalidCheckpoint, "\(source): \(why)") }
        guard package.policyType == config.type else {
            throw invalid("policy_type '\(package.policyType)' differs from config.json's '\(config.type)'")
        }
        guard Self.flowMatchingTypes.contains(config.type) else {
            throw PolicyRuntimeError(
                .unsupportedPolicy,
                "policy type '\(config.type)' is not a flow-matching package (supported: \(Self.flowMatchingTypes.sorted().joined(separator: ", ")))"
            )
        }
        guard let settings = package.flowMatching else { throw invalid("a '\(config.type)' package needs a \"flow_matching\" block") }
        guard let prefixGraph = package.graphs["prefix"], let velocityGraph = package.graphs["velocity"] else {
            throw invalid("a '\(config.type)' package needs \"prefix\" and \"velocity\" graphs")
        }
        guard settings.chunkSize == config.chunkSize, settings.actionDim == config.actionDim,
            settings.actionDim <= settings.maxActionDim
        else {
            throw invalid(
                "flow_matching has chunk_size \(settings.chunkSize), action_dim \(settings.actionDim), max_action_dim "
                    + "\(settings.maxActionDim); config.json has chunk_size \(config.chunkSize), action dimension \(config.actionDim)")
        }
        let configSteps = config.raw["num_steps"]?.int ?? config.raw["num_inference_steps"]?.int
        if let configSteps, configSteps != settings.numSteps {
            throw invalid("flow_matching.num_steps \(settings.numSteps) differs from config.json's \(configSteps)")
        }
        let conditioning = prefixGraph.outputs.map(\.name)
        let expected = Set(conditioning + ["x_t", "time"])
        guard Set(velocityGraph.inputs.map(\.name)) == expected, velocityGraph.outputs.contains(where: { $0.name == "velocity" }) else {
            throw invalid("the velocity graph must take the prefix outputs, x_t and time, and give 'velocity'")
        }
        if let xt = velocityGraph.inputs.first(where: { $0.name == "x_t" }) {
            let rows: ONNXModelPackage.Dimension = .fixed(settings.chunkSize)
            let dims: ONNXModelPackage.Dimension = .fixed(settings.maxActionDim)
            guard xt.shape.count == 3, xt.shape[1] == rows, xt.shape[2] == dims else {
                throw invalid(
                    "graphs.velocity x_t has shape \(xt.shape), but flow_matching says [batch, chunk_size "
                        + "\(settings.chunkSize), max_action_dim \(settings.maxActionDim)]")
            }
        }
        self.config = config
        self.package = package
        self.settings = settings
        self.conditioningNames = conditioning
        do {
            self.sampler = try FlowMatchingSampler(steps: settings.numSteps, rows: settings.chunkSize, dims: settings.maxActionDim)
        } catch {
            throw invalid(error.message)
        }
        let sessions = try ONNXModelPackage.openSessions([prefixGraph, velocityGraph], directory: directory, options: options)
        (self.prefix, self.velocity) = (sessions[0], sessions[1])
        options.logger.debug(
            "ONNX flow-matching policy loaded",
            metadata: [
                "policy.type": "\(config.type)", "onnxruntime.provider": "\(prefix.provider)",
                "flow_matching.steps": "\(settings.numSteps)",
            ])
    }

    /// Runs the prefix graph: `inputs` by graph input name, batch first. Returns the conditioning by name.
    public func encode(_ inputs: [String: ORTTensor]) throws(PolicyRuntimeError) -> [String: ORTTensor] {
        do { return try prefix.run(inputs, outputs: conditioningNames) } catch {
            throw PolicyRuntimeError(.inferenceFailed, error.message)
        }
    }

    /// The velocity graph on one conditioning (whose batch is the sampler's batch).
    public func velocityField(conditioning: [String: ORTTensor]) -> ONNXVelocityField {
        ONNXVelocityField(session: velocity, conditioning: conditioning, rows: settings.chunkSize, dims: settings.maxActionDim)
    }

    /// Samples `batch` chunks from `noise` (`[batch × chunk_size × max_action_dim]`) on `conditioning`, each row with
    /// its own RTC guide or none, and returns them in model space, cut to the action: `[batch × chunk_size × action_dim]`.
    public func sample(
        conditioning: [String: ORTTensor], batch: Int, noise: [Float], guides: [RTCGuide?] = []
    ) throws(PolicyRuntimeError) -> [Float] {
        guard noise.count == batch * settings.chunkSize * settings.maxActionDim else {
            throw PolicyRuntimeError(
                .invalidInput, "noise has \(noise.count) values, not \(batch) × \(settings.chunkSize) × \(settings.maxActionDim)")
        }
        guard guides.isEmpty || guides.count == batch else {
            throw PolicyRuntimeError(.invalidInput, "\(guides.count) RTC guides for a batch of \(batch)")
        }
        let x = try sampler.sample(noise: noise, batch: batch, guides: guides, field: velocityField(conditioning: conditioning))
        return sampler.actions(x, batch: batch, actionDim: settings.actionDim)
    }

    /// The RTC guide of one request: its model-space prefix (`[rows × action_dim]`, zero-padded past the robot's
    /// leftover) and delay, under `guidance`.
    public func guide(prefix: [Float], rows: Int, delay: Int, guidance: RTCGuidance) throws(PolicyRuntimeError) -> RTCGuide {
        do {
            return try RTCGuide(
                prefix: prefix, prefixRows: rows, prefixColumns: settings.actionDim, delay: delay, guidance: guidance,
                rows: settings.chunkSize, dims: settings.maxActionDim)
        } catch {
            throw PolicyRuntimeError(.invalidInput, error.message)
        }
    }
}

/// An exported velocity graph as the sampler's ``VelocityField``: the conditioning of one batch plus `x_t` and `time`.
public struct ONNXVelocityField: VelocityField {
    public let session: ORTSession
    public let conditioning: [String: ORTTensor]
    public let rows: Int
    public let dims: Int

    public func velocity(_ x: [Float], time: Float, batch: Int) throws(PolicyRuntimeError) -> [Float] {
        var inputs = conditioning
        do {
            inputs["x_t"] = try ORTTensor(x, shape: [batch, rows, dims])
            inputs["time"] = try ORTTensor([Float](repeating: time, count: batch), shape: [batch])
            guard let output = try session.run(inputs, outputs: ["velocity"])["velocity"], output.shape == [batch, rows, dims] else {
                throw PolicyRuntimeError(.inferenceFailed, "\(session.modelPath): 'velocity' is not float32 [\(batch), \(rows), \(dims)]")
            }
            return try output.values(as: Float.self)
        } catch let error as PolicyRuntimeError {
            throw error
        } catch let error as ORTError {
            throw PolicyRuntimeError(.inferenceFailed, error.message)
        } catch {
            throw PolicyRuntimeError(.inferenceFailed, "\(error)")
        }
    }
}

public import Foundation
import Logging
public import ONNXRuntime
import PolicyWire

/// A single-pass chunk policy (ACT): one graph from the pre-processed observation to the chunk, with LeRobot's
/// pre- and post-processors run in Swift around it. Requests can be run one at a time or stacked into one batch.
public final class ONNXChunkPolicy: BatchedChunkPolicy {
    /// Policy families served by one observation → chunk graph.
    public static let singlePassTypes: Set<String> = ["act"]

    public let config: PolicyConfig
    public let supportsRTC = false
    public let package: ONNXModelPackage
    public let processors: PolicyProcessors
    public let session: ORTSession
    /// The chunk graph's inputs, in graph order, with their per-sample shapes (batch axis removed).
    let inputs: [(name: String, shape: [Int], isImage: Bool)]

    public init(directory: URL, config: PolicyConfig, options: PolicyRuntimeOptions = .init()) throws(PolicyRuntimeError) {
        self.config = config
        let package = try ONNXModelPackage(directory: directory)
        self.package = package
        let source = directory.appendingPathComponent(ONNXModelPackage.fileName).path
        guard package.policyType == config.type else {
            throw PolicyRuntimeError(
                .invalidCheckpoint, "\(source): policy_type '\(package.policyType)' differs from config.json's '\(config.type)'")
        }
        guard let graph = package.graphs["chunk"] else {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(source): a '\(config.type)' package needs a \"chunk\" graph")
        }
        self.inputs = try Self.checkInputs(graph, config: config, source: source)
        try Self.checkOutput(graph, config: config, source: source)
        self.processors = try PolicyProcessors.load(directory: directory, config: config)
        do {
            let library = try ORTLibrary.load(path: options.onnxRuntimeLibrary)
            let sessionOptions = ORTSessionOptions(
                intraOpThreads: options.intraOpThreads, device: try ORTDevice(parsing: options.device))
            self.session = try ORTSession(library: library, modelPath: graph.path, options: sessionOptions, logger: options.logger)
        } catch {
            throw PolicyRuntimeError(.unsupportedPolicy, "\(graph.path): \(error.message)")
        }
        guard session.inputNames.sorted() == inputs.map(\.name).sorted(), session.outputNames.contains("action") else {
            throw PolicyRuntimeError(
                .invalidCheckpoint,
                "\(graph.path) has inputs \(session.inputNames) and outputs \(session.outputNames), but \(source) describes "
                    + "inputs \(inputs.map(\.name)) and an 'action' output")
        }
        options.logger.debug(
            "ONNX policy loaded",
            metadata: [
                "policy.type": "\(config.type)", "onnxruntime.version": "\(session.library.version)",
                "onnxruntime.provider": "\(session.provider)", "onnxruntime.library": "\(session.library.path)",
            ])
    }

    private static func checkInputs(_ graph: ONNXModelPackage.Graph, config: PolicyConfig, source: String)
        throws(PolicyRuntimeError) -> [(name: String, shape: [Int], isImage: Bool)]
    {
        var result: [(String, [Int], Bool)] = []
        for spec in graph.inputs {
            guard let feature = config.inputFeatures.first(where: { $0.key == spec.name }) else {
                throw PolicyRuntimeError(.invalidCheckpoint, "\(source): graph input '\(spec.name)' is not an input feature of config.json")
            }
            guard spec.dtype == "float32", spec.shape.dropFirst().map(\.description) == feature.shape.map(String.init),
                spec.shape.first.map({ if case .dynamic = $0 { true } else { false } }) == true
            else {
                throw PolicyRuntimeError(
                    .invalidCheckpoint,
                    "\(source): graph input '\(spec.name)' is \(spec.dtype) \(spec.shape); config.json's feature needs float32 "
                        + "[batch, \(feature.shape.map(String.init).joined(separator: ", "))]")
            }
            let isImage = feature.type == "VISUAL"
            guard isImage || feature.key == "observation.state" else {
                throw PolicyRuntimeError(
                    .unsupportedPolicy,
                    "\(source): graph input '\(spec.name)' (\(feature.type)): only observation.state and cameras reach the server")
            }
            guard !isImage || feature.shape.count == 3 && feature.shape[0] == 3 else {
                throw PolicyRuntimeError(.invalidCheckpoint, "\(source): camera '\(spec.name)' must be [3, H, W], not \(feature.shape)")
            }
            result.append((spec.name, feature.shape, isImage))
        }
        return result
    }

    private static func checkOutput(_ graph: ONNXModelPackage.Graph, config: PolicyConfig, source: String) throws(PolicyRuntimeError) {
        guard let action = graph.outputs.first(where: { $0.name == "action" }) else {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(source): the chunk graph has no 'action' output")
        }
        let expected = "[batch, \(config.chunkSize), \(config.actionDim)]"
        guard action.dtype == "float32", action.shape.count == 3,
            action.shape.dropFirst().map(\.description) == ["\(config.chunkSize)", "\(config.actionDim)"]
        else {
            throw PolicyRuntimeError(
                .invalidCheckpoint, "\(source): output 'action' is \(action.dtype) \(action.shape); config.json needs float32 \(expected)")
        }
    }

    public func makeSessionState() -> any PolicySessionState { ONNXPolicySession() }

    public func resetPolicy() {}

    public func predictChunk(_ request: PolicyRequest, session: any PolicySessionState) throws(PolicyRuntimeError) -> PolicyOutput {
        try predictChunks([(request, session)])[0]
    }

    /// Runs `requests` as one batch: inputs stacked on the batch axis, one graph run, results split per request;
    /// each request's processors (relative-action state) stay its own session's.
    public func predictChunks(_ requests: [(PolicyRequest, any PolicySessionState)]) throws(PolicyRuntimeError) -> [PolicyOutput] {
        let batch = requests.count
        guard batch > 0 else { return [] }
        var features: [String: ORTTensor] = [:]
        for input in inputs {
            let perSample = input.shape.reduce(1, *)
            let tensor: ORTTensor
            do { tensor = try ORTTensor(zeros: .float32, shape: [batch] + input.shape) } catch {
                throw PolicyRuntimeError(.invalidInput, "\(input.name): \(error.message)")
            }
            for (index, (request, _)) in requests.enumerated() {
                try fill(tensor, sample: index, perSample: perSample, input: input, request: request)
            }
            features[input.name] = tensor
        }
        let cached = try processors.preprocess(&features)
        let outputs: [String: ORTTensor]
        do { outputs = try session.run(features, outputs: ["action"]) } catch {
            throw PolicyRuntimeError(.inferenceFailed, error.message)
        }
        let rows = config.chunkSize
        let columns = config.actionDim
        guard let action = outputs["action"], action.shape == [batch, rows, columns],
            let values = try? action.values(as: Float.self)
        else {
            throw PolicyRuntimeError(
                .inferenceFailed,
                "\(session.modelPath): output 'action' is \(outputs["action"]?.description ?? "missing"), expected float32 [\(batch), \(rows), \(columns)]"
            )
        }
        var results: [PolicyOutput] = []
        let stateDim = config.stateDim
        for (index, (_, state)) in requests.enumerated() {
            let model = Array(values[(index * rows * columns)..<((index + 1) * rows * columns)])
            let sampleState = cached.map { Array($0[(index * stateDim)..<((index + 1) * stateDim)]) }
            (state as? ONNXPolicySession)?.cachedState = sampleState
            let robot = try processors.postprocess(model, cachedState: sampleState)
            results.append(PolicyOutput(chunkModel: model, chunkRobot: robot, rows: rows, columns: columns))
        }
        return results
    }

    /// Writes one request's value for `input` into sample `index` of `tensor`.
    private func fill(
        _ tensor: ORTTensor, sample index: Int, perSample: Int, input: (name: String, shape: [Int], isImage: Bool),
        request: PolicyRequest
    ) throws(PolicyRuntimeError) {
        let rename = processors.renameMap
        if input.isImage {
            guard let image = request.images.first(where: { (rename[$0.key] ?? $0.key) == input.name })?.image else {
                throw PolicyRuntimeError(
                    .invalidInput,
                    "camera '\(input.name)' is missing (got: \(request.images.map(\.key).joined(separator: ", ")))")
            }
            try? tensor.withUnsafeMutableBufferPointer(of: Float.self) { buffer in
                let slice = UnsafeMutableBufferPointer(rebasing: buffer[(index * perSample)..<((index + 1) * perSample)])
                ImagePreparation.fill(slice, from: image, height: input.shape[1], width: input.shape[2])
            }
        } else {
            guard request.state.count == perSample else {
                throw PolicyRuntimeError(
                    .invalidInput, "state has \(request.state.count) values, the policy expects \(perSample)")
            }
            try? tensor.withUnsafeMutableBufferPointer(of: Float.self) { buffer in
                for (j, value) in request.state.enumerated() { buffer[index * perSample + j] = value }
            }
        }
    }
}

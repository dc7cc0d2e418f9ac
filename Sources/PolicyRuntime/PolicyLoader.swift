public import Foundation

/// Loads a policy from a checkpoint directory (`config.json` + the files its family needs).
public enum PolicyLoader {
    /// The policy for `directory`: the `mock` test policy, or a model package (checkpoint + `onnx/model.json`)
    /// of a family the ONNX runtime serves. Anything else is refused with its name and what to do.
    public static func load(directory: URL, options: PolicyRuntimeOptions = .init()) throws(PolicyRuntimeError)
        -> any ChunkPolicy
    {
        let config = try PolicyConfig(directory: directory)
        if config.type == "mock" { return MockPolicy(config: config) }
        guard ONNXModelPackage.exists(in: directory) else {
            throw PolicyRuntimeError(
                .unsupportedPolicy,
                "policy type '\(config.type)' (\(directory.path)) has no \(ONNXModelPackage.fileName): this server runs "
                    + "policies exported to ONNX; export the checkpoint with tools/export_onnx.py")
        }
        if ONNXFlowMatchingGraphs.flowMatchingTypes.contains(config.type) {
            return try ONNXFlowMatchingPolicy(directory: directory, config: config, options: options)
        }
        if ONNXDiffusionPolicy.diffusionTypes.contains(config.type) {
            // Seed 0 unless one is given: a diffusion server replays the same noise stream each start.
            return try ONNXDiffusionPolicy(directory: directory, config: config, options: options, seed: options.noiseSeed ?? 0)
        }
        guard ONNXChunkPolicy.singlePassTypes.contains(config.type) else {
            let supported = ONNXChunkPolicy.singlePassTypes.union(ONNXFlowMatchingGraphs.flowMatchingTypes)
                .union(ONNXDiffusionPolicy.diffusionTypes)
            throw PolicyRuntimeError(
                .unsupportedPolicy,
                "policy type '\(config.type)' (\(directory.path)) is not served by the ONNX runtime yet (supported: "
                    + "\(supported.sorted().joined(separator: ", ")))")
        }
        return try ONNXChunkPolicy(directory: directory, config: config, options: options)
    }
}

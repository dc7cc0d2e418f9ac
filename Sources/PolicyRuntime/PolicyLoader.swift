public import Foundation

/// Loads a policy from a checkpoint directory (`config.json` + the files its family needs).
public enum PolicyLoader {
    /// The built-in policy for `directory`'s `config.json`. Families that need a network runtime are refused
    /// with their name until the ONNX runtime serves them.
    public static func load(directory: URL) throws(PolicyRuntimeError) -> any ChunkPolicy {
        let config = try PolicyConfig(directory: directory)
        switch config.type {
        case "mock":
            return MockPolicy(config: config)
        default:
            throw PolicyRuntimeError(
                .unsupportedPolicy,
                "policy type '\(config.type)' (\(directory.path)) needs the ONNX runtime, which this build does not "
                    + "have yet; only the 'mock' test policy can be served")
        }
    }
}

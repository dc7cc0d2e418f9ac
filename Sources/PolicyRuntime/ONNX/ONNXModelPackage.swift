public import Foundation
import JSON

/// The `onnx/model.json` of a model package: a LeRobot checkpoint directory plus the ONNX graph(s) our exporter
/// (`tools/export_onnx.py`) wrote from it.
///
/// ```json
/// {"format": "lerobot-onnx-package", "format_version": 1, "policy_type": "act",
///  "graphs": {"chunk": {"file": "chunk.onnx",
///     "inputs":  [{"name": "observation.state", "dtype": "float32", "shape": ["batch", 6]},
///                 {"name": "observation.images.front", "dtype": "float32", "shape": ["batch", 3, 96, 96]}],
///     "outputs": [{"name": "action", "dtype": "float32", "shape": ["batch", 20, 6]}]}},
///  "exporter": {"lerobot": "0.4.4", "torch": "2.10.0", "onnxruntime": "1.32.0", "max_abs_diff": 1.2e-6}}
/// ```
/// Graph inputs are named after the policy's input features and take them **after** the pre-processor
/// (normalized, float32, channel-first images); the `chunk` graph's `action` output is the chunk in model space,
/// before the post-processor. A dimension is an integer or a name (a dynamic axis; `batch` is the first axis of
/// every tensor). `exporter` is free-form provenance.
///
/// A flow-matching package (SmolVLA, pi0, pi0.5) has a `prefix` graph (state — none for pi0.5, whose state is in
/// the prompt —, cameras, `observation.language.tokens` int64 and `observation.language.attention_mask` bool → the
/// conditioning: `prefix_pad_mask` and the key/value cache) and a `velocity` graph (every prefix output, `x_t`
/// `[batch, chunk_size, max_action_dim]`, `time` `[batch]` → `velocity`), plus `"flow_matching": {"num_steps",
/// "chunk_size", "max_action_dim", "action_dim", "language_tokens"}`; the Euler loop between them runs in Swift
/// (``ONNXFlowMatchingGraphs``).
///
/// A diffusion package (Diffusion Policy) has an `encoder` graph (`observation.state` `[batch, n_obs_steps, S]` and
/// cameras `[batch, n_obs_steps, 3, H, W]` → `global_cond`) and a `denoiser` graph (`sample` `[batch, horizon, A]`,
/// `timestep` `[batch]` int64 or float32, `global_cond` → `model_output`), plus a `"diffusion"` block with the
/// scheduler settings (``Diffusion``); the scheduler loop runs in Swift (``ONNXDiffusionPolicy``).
public struct ONNXModelPackage: Sendable, Hashable {
    public static let fileName = "onnx/model.json"
    public static let format = "lerobot-onnx-package"
    public static let formatVersion = 1

    public enum Dimension: Sendable, Hashable, CustomStringConvertible {
        case fixed(Int)
        case dynamic(String)

        public var description: String {
            switch self {
            case .fixed(let n): "\(n)"
            case .dynamic(let name): name
            }
        }
    }

    public struct TensorSpec: Sendable, Hashable {
        public var name: String
        public var dtype: String
        public var shape: [Dimension]
    }

    public struct Graph: Sendable, Hashable {
        /// Absolute path of the `.onnx` file.
        public var path: String
        public var inputs: [TensorSpec]
        public var outputs: [TensorSpec]
    }

    /// The sampler settings of a flow-matching package (`"flow_matching"` in model.json).
    public struct FlowMatching: Sendable, Hashable {
        /// Euler steps (`num_steps` / `num_inference_steps`).
        public var numSteps: Int
        public var chunkSize: Int
        /// The width the velocity graph samples in (`max_action_dim`).
        public var maxActionDim: Int
        /// The action columns kept from every sampled row.
        public var actionDim: Int
        /// The prefix graph's language length: tokens right-padded to it, mask false on the padding.
        public var languageTokens: Int
    }

    public var policyType: String
    /// By role: `chunk` for single-pass chunk policies (observation → chunk); `prefix` and `velocity` for
    /// flow-matching policies.
    public var graphs: [String: Graph]
    /// Present for flow-matching packages.
    public var flowMatching: FlowMatching?
    /// Present for diffusion packages (`"diffusion"` in model.json; see ``Diffusion``).
    public var diffusion: Diffusion?
    public var exporter: [String: String]

    /// Whether `directory` holds a model package.
    public static func exists(in directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(fileName).path)
    }

    /// Reads `<directory>/onnx/model.json`.
    public init(directory: URL) throws(PolicyRuntimeError) {
        let url = directory.appendingPathComponent(Self.fileName)
        let source = url.path
        func fail(_ why: String) -> PolicyRuntimeError { PolicyRuntimeError(.invalidCheckpoint, "\(source): \(why)") }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PolicyRuntimeError(.invalidCheckpoint, "cannot read \(source): \(error.localizedDescription)")
        }
        let map: JSONValue
        do { map = try JSONValue(parsing: [UInt8](data)) } catch {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(source) is not valid JSON: \(error)")
        }
        guard map.object != nil else { throw fail("must hold a JSON object") }
        guard map["format"]?.string == Self.format else { throw fail("\"format\" must be \"\(Self.format)\"") }
        guard let version = map["format_version"]?.int, version == Self.formatVersion else {
            throw fail(
                "\"format_version\" \(map["format_version"]?.description ?? "missing") is not supported (this build reads \(Self.formatVersion))"
            )
        }
        guard let type = map["policy_type"]?.string else { throw fail("\"policy_type\" is missing") }
        guard let graphs = map["graphs"]?.object, !graphs.isEmpty else { throw fail("\"graphs\" is missing or empty") }
        var parsed: [String: Graph] = [:]
        for (role, graph) in graphs {
            guard let file = graph["file"]?.string, !file.contains("..") else {
                throw fail("graphs.\(role) needs a \"file\" inside onnx/")
            }
            func specs(_ field: String) throws(PolicyRuntimeError) -> [TensorSpec] {
                guard let list = graph[field]?.array else { throw fail("graphs.\(role).\(field) must be a list") }
                var out: [TensorSpec] = []
                for (i, entry) in list.enumerated() {
                    guard let name = entry["name"]?.string, let dtype = entry["dtype"]?.string, let shape = entry["shape"]?.array
                    else { throw fail("graphs.\(role).\(field)[\(i)] needs name, dtype and shape") }
                    var dims: [Dimension] = []
                    for d in shape {
                        if let n = d.int, n >= 0 {
                            dims.append(.fixed(n))
                        } else if let s = d.string {
                            dims.append(.dynamic(s))
                        } else {
                            throw fail("graphs.\(role).\(field)[\(i)] (\(name)) has a bad dimension \(d)")
                        }
                    }
                    out.append(TensorSpec(name: name, dtype: dtype, shape: dims))
                }
                return out
            }
            let path = directory.appendingPathComponent("onnx").appendingPathComponent(file).path
            parsed[role] = Graph(path: path, inputs: try specs("inputs"), outputs: try specs("outputs"))
        }
        self.policyType = type
        self.graphs = parsed
        if let block = map["flow_matching"] {
            guard block.object != nil else { throw fail("\"flow_matching\" must be an object") }
            func positive(_ key: String, atMost limit: Int) throws(PolicyRuntimeError) -> Int {
                guard let value = block[key]?.int, value > 0, value <= limit else {
                    throw fail("flow_matching.\(key) must be an integer in 1...\(limit), not \(block[key]?.description ?? "missing")")
                }
                return value
            }
            // Bounds far above any policy's, so that sizes read from the file cannot overflow or exhaust memory.
            self.flowMatching = FlowMatching(
                numSteps: try positive("num_steps", atMost: 10_000), chunkSize: try positive("chunk_size", atMost: 10_000),
                maxActionDim: try positive("max_action_dim", atMost: 4_096), actionDim: try positive("action_dim", atMost: 4_096),
                languageTokens: try positive("language_tokens", atMost: 65_536))
        } else {
            self.flowMatching = nil
        }
        if let block = map["diffusion"] {
            self.diffusion = try Diffusion(parsing: block, source: source)
        } else {
            self.diffusion = nil
        }
        var exporter: [String: String] = [:]
        for (key, value) in map["exporter"]?.object ?? [] { exporter[key] = value.string ?? value.description }
        self.exporter = exporter
    }
}

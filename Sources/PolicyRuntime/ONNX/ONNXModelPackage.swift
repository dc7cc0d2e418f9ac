public import Foundation

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

    public var policyType: String
    /// By role: `chunk` for single-pass chunk policies (observation → chunk).
    public var graphs: [String: Graph]
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
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: try Data(contentsOf: url)) } catch {
            throw PolicyRuntimeError(.invalidCheckpoint, "cannot read \(source): \(error.localizedDescription)")
        }
        guard let map = object as? [String: Any] else { throw fail("must hold a JSON object") }
        guard map["format"] as? String == Self.format else { throw fail("\"format\" must be \"\(Self.format)\"") }
        guard let version = map["format_version"] as? Int, version == Self.formatVersion else {
            throw fail("\"format_version\" \(map["format_version"] ?? "missing") is not supported (this build reads \(Self.formatVersion))")
        }
        guard let type = map["policy_type"] as? String else { throw fail("\"policy_type\" is missing") }
        guard let graphs = map["graphs"] as? [String: Any], !graphs.isEmpty else { throw fail("\"graphs\" is missing or empty") }
        var parsed: [String: Graph] = [:]
        for (role, value) in graphs {
            guard let graph = value as? [String: Any], let file = graph["file"] as? String, !file.contains("..") else {
                throw fail("graphs.\(role) needs a \"file\" inside onnx/")
            }
            func specs(_ field: String) throws(PolicyRuntimeError) -> [TensorSpec] {
                guard let list = graph[field] as? [Any] else { throw fail("graphs.\(role).\(field) must be a list") }
                var out: [TensorSpec] = []
                for (i, entry) in list.enumerated() {
                    guard let entry = entry as? [String: Any], let name = entry["name"] as? String,
                        let dtype = entry["dtype"] as? String, let shape = entry["shape"] as? [Any]
                    else { throw fail("graphs.\(role).\(field)[\(i)] needs name, dtype and shape") }
                    var dims: [Dimension] = []
                    for d in shape {
                        if let n = d as? Int, n >= 0 { dims.append(.fixed(n)) } else if let s = d as? String { dims.append(.dynamic(s)) } else {
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
        self.exporter = ((map["exporter"] as? [String: Any]) ?? [:]).mapValues { "\($0)" }
    }
}

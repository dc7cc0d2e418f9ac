import Foundation
import JSON

/// One `policy_preprocessor.json` / `policy_postprocessor.json`: `{"name", "steps": [{"registry_name" | "class",
/// "config", "state_file"?}]}` (edge-semantics §6.3).
struct ProcessorPipelineFile {
    struct Step {
        var index: Int
        /// `registry_name`, or the `class` of an unregistered step.
        var name: String
        /// The step's `config` object (empty when the file has none).
        var config: JSONValue
        var stateFile: String?
    }

    var path: String
    var name: String
    var steps: [Step]

    init(url: URL) throws(PolicyRuntimeError) {
        path = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(url.path) is missing")
        } catch {
            throw PolicyRuntimeError(.invalidCheckpoint, "cannot read \(url.path): \(error.localizedDescription)")
        }
        let map: JSONValue
        do { map = try JSONValue(parsing: [UInt8](data)) } catch {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(url.path) is not valid JSON: \(error)")
        }
        guard let steps = map["steps"]?.array else {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(url.path) needs a \"steps\" list")
        }
        name = map["name"]?.string ?? url.deletingPathExtension().lastPathComponent
        var parsed: [Step] = []
        for (index, step) in steps.enumerated() {
            guard let stepName = step["registry_name"]?.string ?? step["class"]?.string else {
                throw PolicyRuntimeError(.invalidCheckpoint, "\(url.path): step \(index) has neither registry_name nor class")
            }
            let config = step["config"] ?? .null
            guard config.isNull || config.object != nil else {
                throw PolicyRuntimeError(
                    .invalidCheckpoint, "\(url.path): step \(index) '\(stepName)': config must be an object, got \(config.kindName)")
            }
            parsed.append(
                Step(index: index, name: stepName, config: config.isNull ? [:] : config, stateFile: step["state_file"]?.string))
        }
        self.steps = parsed
    }

    /// The statistics of a normalizer step's state file, `"<feature>.<stat>"` split on the last dot.
    func stats(of step: Step, in directory: URL) throws(PolicyRuntimeError) -> [String: [String: [Float]]] {
        guard let file = step.stateFile else {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(path): step \(step.index) '\(step.name)' has no state_file with its statistics")
        }
        let reader = try SafetensorsFile(contentsOf: directory.appendingPathComponent(file))
        var stats: [String: [String: [Float]]] = [:]
        for name in reader.tensors.keys {
            guard let dot = name.lastIndex(of: ".") else { continue }
            stats[String(name[..<dot]), default: [:]][String(name[name.index(after: dot)...])] = try reader.floats(name)
        }
        return stats
    }
}

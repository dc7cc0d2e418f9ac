import Foundation

/// One `policy_preprocessor.json` / `policy_postprocessor.json`: `{"name", "steps": [{"registry_name" | "class",
/// "config", "state_file"?}]}` (edge-semantics §6.3).
struct ProcessorPipelineFile {
    struct Step {
        var index: Int
        /// `registry_name`, or the `class` of an unregistered step.
        var name: String
        var config: [String: Any]
        var stateFile: String?
    }

    var path: String
    var name: String
    var steps: [Step]

    init(url: URL) throws(PolicyRuntimeError) {
        path = url.path
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: try Data(contentsOf: url))
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(url.path) is missing")
        } catch {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(url.path) is not valid JSON: \(error.localizedDescription)")
        }
        guard let map = object as? [String: Any], let steps = map["steps"] as? [Any] else {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(url.path) needs a \"steps\" list")
        }
        name = (map["name"] as? String) ?? url.deletingPathExtension().lastPathComponent
        var parsed: [Step] = []
        for (index, step) in steps.enumerated() {
            guard let step = step as? [String: Any],
                let stepName = (step["registry_name"] as? String) ?? (step["class"] as? String)
            else {
                throw PolicyRuntimeError(.invalidCheckpoint, "\(url.path): step \(index) has neither registry_name nor class")
            }
            parsed.append(
                Step(index: index, name: stepName, config: (step["config"] as? [String: Any]) ?? [:],
                     stateFile: step["state_file"] as? String))
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

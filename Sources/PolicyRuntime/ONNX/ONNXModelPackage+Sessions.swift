import Foundation
import ONNXRuntime

extension ONNXModelPackage {
    /// Opens `graphs` on ONNX Runtime (library, device and threads from `options`), in order, and checks that each
    /// file has the inputs and outputs `onnx/model.json` describes for it. Used by the multi-graph families (flow
    /// matching, diffusion).
    static func openSessions(
        _ graphs: [Graph], directory: URL, options: PolicyRuntimeOptions
    ) throws(PolicyRuntimeError) -> [ORTSession] {
        var sessions: [ORTSession] = []
        do {
            let library = try ORTLibrary.load(path: options.onnxRuntimeLibrary)
            let sessionOptions = ORTSessionOptions(intraOpThreads: options.intraOpThreads, device: try ORTDevice(parsing: options.device))
            for graph in graphs {
                sessions.append(try ORTSession(library: library, modelPath: graph.path, options: sessionOptions, logger: options.logger))
            }
        } catch {
            throw PolicyRuntimeError(.unsupportedPolicy, "\(directory.path): \(error.message)")
        }
        let source = directory.appendingPathComponent(fileName).path
        for (session, graph) in zip(sessions, graphs) {
            guard Set(session.inputNames) == Set(graph.inputs.map(\.name)), Set(graph.outputs.map(\.name)).isSubset(of: session.outputNames)
            else {
                throw PolicyRuntimeError(
                    .invalidCheckpoint,
                    "\(graph.path) has inputs \(session.inputNames) and outputs \(session.outputNames), but \(source) describes "
                        + "inputs \(graph.inputs.map(\.name)) and outputs \(graph.outputs.map(\.name))")
            }
        }
        return sessions
    }
}

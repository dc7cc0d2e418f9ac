import Foundation
import InteropSupport
import Testing

@testable import ONNXRuntime

/// The binding against the real ONNX Runtime of the project's `.venv` (the `onnxruntime` wheel's library) and
/// Python `onnxruntime` running the same graph.
@Suite("ONNX Runtime binding")
struct ORTBindingTests {
    static func library() throws -> ORTLibrary { try ORTLibrary.load() }

    /// Builds the fixture graph (or runs `model`) with Python and returns the directory and manifest.
    static func fixture(model: String? = nil, batch: Int = 1) throws -> (URL, [String: Any]) {
        let directory = try PythonRunner.temporaryDirectory("ort-binding")
        let extra = model.map { ["--model", $0, "--batch", "\(batch)"] } ?? []
        try PythonRunner.succeed("onnx_binding_fixture.py", [directory.path] + extra)
        let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        return (directory, try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]))
    }

    static func elementType(_ dtype: String) throws -> ORTElementType {
        switch dtype {
        case "float32": .float32
        case "uint8": .uint8
        case "int64": .int64
        case "bool": .bool
        default: throw PythonRunner.Failure(description: "unexpected dtype \(dtype)")
        }
    }

    @Test("Start-up checks pass on the wheel's library: version, C API, providers")
    func startup() throws {
        let library = try Self.library()
        #expect(library.path.contains("libonnxruntime"))
        #expect(library.version.split(separator: ".").count == 3)
        #expect(library.availableProviders.contains("CPUExecutionProvider"))
        // The slot check compares against the library that exported OrtGetApiBase: it must have found one.
        #expect(ORTStartupChecks.objectBase(of: library.api.table[9]!) != nil)
        // Loading twice gives the same library (one environment per process).
        #expect(try ORTLibrary.load(path: library.path) === library)
    }

    @Test("Outputs are bit-identical to Python onnxruntime (float32, uint8, int64, bool)")
    func matchesPython() throws {
        let (directory, manifest) = try Self.fixture()
        let session = try ORTSession(library: try Self.library(), modelPath: directory.appendingPathComponent("binding.onnx").path)
        #expect(session.inputNames == ["x", "pixels", "ids", "mask"])
        #expect(session.outputNames == ["y", "ids_next", "mask_not", "pixels_echo"])
        #expect(session.provider == "CPUExecutionProvider")
        let outputs = try Self.runAndCompare(session, directory: directory, manifest: manifest)
        // Sanity on values that need no Python: ids + 1, not mask.
        #expect(try outputs["ids_next"]!.values(as: Int64.self) == [-4, 1, 42, (1 << 40) + 1])
        #expect(try outputs["mask_not"]!.values(as: Bool.self) == [false, true, true, false])
        // Only the requested outputs come back.
        let one = try session.run(Self.inputs(directory: directory, manifest: manifest), outputs: ["mask_not"])
        #expect(Array(one.keys) == ["mask_not"])
    }

    /// The exported LeRobot ACT graphs (a transformer with a convolutional stem), batch 1 and 3.
    @Test("Exported ACT graphs: bit-identical to Python onnxruntime", arguments: ["act-tiny-1cam", "act-tiny-2cam"], [1, 3])
    func exportedGraphs(fixture: String, batch: Int) throws {
        let model = PythonRunner.packageRoot.appendingPathComponent("Tests/Fixtures/\(fixture)/onnx/chunk.onnx").path
        let (directory, manifest) = try Self.fixture(model: model, batch: batch)
        let session = try ORTSession(library: try Self.library(), modelPath: model)
        let outputs = try Self.runAndCompare(session, directory: directory, manifest: manifest)
        #expect(outputs["action"]?.shape.first == batch)
    }

    static func inputs(directory: URL, manifest: [String: Any]) throws -> [String: ORTTensor] {
        var inputs: [String: ORTTensor] = [:]
        for entry in try #require(manifest["inputs"] as? [[String: Any]]) {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(entry["file"] as! String))
            let tensor = try ORTTensor(zeros: try Self.elementType(entry["dtype"] as! String), shape: entry["shape"] as! [Int])
            #expect(tensor.byteCount == bytes.count)
            bytes.withUnsafeBytes { tensor.data.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            inputs[entry["name"] as! String] = tensor
        }
        return inputs
    }

    /// Runs the manifest's inputs and checks every output against Python's bytes.
    @discardableResult
    static func runAndCompare(_ session: ORTSession, directory: URL, manifest: [String: Any]) throws -> [String: ORTTensor] {
        let outputs = try session.run(try inputs(directory: directory, manifest: manifest))
        let expected = try #require(manifest["outputs"] as? [[String: Any]])
        #expect(outputs.count == expected.count)
        for entry in expected {
            let name = entry["name"] as! String
            let tensor = try #require(outputs[name])
            #expect(tensor.shape == entry["shape"] as! [Int], "\(name)")
            #expect(tensor.elementType == (try Self.elementType(entry["dtype"] as! String)), "\(name)")
            let want = try Data(contentsOf: directory.appendingPathComponent(entry["file"] as! String))
            let got = Data(bytes: tensor.data, count: tensor.byteCount)
            #expect(got == want, "\(name) differs from Python onnxruntime")
        }
        return outputs
    }

    @Test("Bad names and types: errors name the input and carry ONNX Runtime's message")
    func badInputs() throws {
        let (directory, _) = try Self.fixture()
        let path = directory.appendingPathComponent("binding.onnx").path
        let session = try ORTSession(library: try Self.library(), modelPath: path)
        let x = try ORTTensor([Float](repeating: 0, count: 8), shape: [1, 8])
        let pixels = try ORTTensor(zeros: .uint8, shape: [4, 6, 3])
        let ids = try ORTTensor([Int64](repeating: 0, count: 2), shape: [2])
        let mask = try ORTTensor([true, false], shape: [2])
        #expect {
            try session.run(["x": x, "pixels": pixels, "ids": ids, "mask": mask, "z": x])
        } throws: { ($0 as? ORTError)?.message == "\(path) has no input named 'z' (inputs: x, pixels, ids, mask)" }
        #expect {
            try session.run(["x": x, "pixels": pixels, "ids": ids])
        } throws: { ($0 as? ORTError)?.message == "\(path): input 'mask' was not given" }
        #expect {
            try session.run(["x": x, "pixels": pixels, "ids": ids, "mask": mask], outputs: ["nope"])
        } throws: { ($0 as? ORTError)?.message.hasPrefix("\(path) has no output named 'nope'") == true }
        // Wrong element type: ONNX Runtime refuses it, and its words come through.
        let wrong = try ORTTensor([Int64](repeating: 0, count: 8), shape: [1, 8])
        #expect {
            try session.run(["x": wrong, "pixels": pixels, "ids": ids, "mask": mask])
        } throws: { error in
            guard let error = error as? ORTError else { return false }
            return error.code == .runtime && error.runtimeCode != nil && error.message.hasPrefix("running \(path): ONNX Runtime error")
                && error.message.contains("x")
        }
        #expect(throws: ORTError.self) { try ORTTensor([Float](repeating: 0, count: 3), shape: [2, 2]) }
        #expect(throws: ORTError.self) { try x.values(as: Int64.self) }
        #expect {
            try ORTSession(library: try Self.library(), modelPath: directory.appendingPathComponent("missing.onnx").path)
        } throws: { ($0 as? ORTError)?.message.hasPrefix("ONNX model not found: ") == true }
    }

    @Test("A missing library, a file that is not ONNX Runtime, and a runtime too old: clean errors")
    func badLibraries() throws {
        #expect {
            try ORTLibrary.load(path: "/nonexistent/libonnxruntime.so.1.32.0")
        } throws: {
            ($0 as? ORTError) == ORTError(.libraryNotFound, "")
                && ($0 as? ORTError)?.message == "ONNX Runtime library not found at /nonexistent/libonnxruntime.so.1.32.0"
        }
        let notORT = try #require(
            ["/usr/lib/x86_64-linux-gnu/libturbojpeg.so", "/usr/lib/aarch64-linux-gnu/libturbojpeg.so"]
                .first { FileManager.default.fileExists(atPath: $0) },
            "libturbojpeg0-dev (installed by scripts/bootstrap) provides a shared library that is not ONNX Runtime")
        #expect {
            try ORTLibrary.load(path: notORT)
        } throws: { ($0 as? ORTError)?.message == "\(notORT) is not ONNX Runtime: it does not export OrtGetApiBase" }
        let real = try Self.library()
        #expect {
            try ORTLibrary(opening: real.path, apiVersion: 999)
        } throws: {
            ($0 as? ORTError)?.message
                == "ONNX Runtime \(real.version) at \(real.path) does not provide C API version 999 (it is too old: 1.999 or newer is needed)"
        }
        #expect {
            try ORTLibraryLocator.locate(environment: ["LEROBOT_ONNXRUNTIME_LIB": "/nowhere/libonnxruntime.so"])
        } throws: { ($0 as? ORTError)?.message == "LEROBOT_ONNXRUNTIME_LIB=/nowhere/libonnxruntime.so: no such file" }
        #expect(try ORTLibraryLocator.locate(environment: ["LEROBOT_ONNXRUNTIME_LIB": real.path]) == real.path)
    }

    @Test("CUDA on a CPU-only build: an error naming what is missing; auto falls back to CPU")
    func cudaOnCPUBuild() throws {
        let (directory, _) = try Self.fixture()
        let path = directory.appendingPathComponent("binding.onnx").path
        let library = try Self.library()
        try #require(!library.hasCUDA, "this check is for the CPU wheel that scripts/bootstrap installs")
        #expect {
            try ORTSession(library: library, modelPath: path, options: .init(device: .cuda(0)))
        } throws: { error in
            guard let error = error as? ORTError, error.code == .providerUnavailable else { return false }
            return error.message.contains("has no CUDAExecutionProvider")
                && error.message.contains("it says: CreateCUDAProviderOptions: ONNX Runtime error")
                && error.message.contains("model.device=cpu")
        }
        let fallback = try ORTSession(library: library, modelPath: path, options: .init(device: .auto(0)))
        #expect(fallback.provider == "CPUExecutionProvider")
    }

    @Test("model.device values")
    func deviceParsing() throws {
        #expect(try ORTDevice(parsing: "cpu") == .cpu)
        #expect(try ORTDevice(parsing: "CUDA") == .cuda(0))
        #expect(try ORTDevice(parsing: "cuda:1") == .cuda(1))
        #expect(try ORTDevice(parsing: "auto") == .auto(0))
        #expect {
            try ORTDevice(parsing: "mps")
        } throws: {
            ($0 as? ORTError)?.message == "model.device 'mps' is not supported by ONNX Runtime here: use cpu, cuda, cuda:N or auto"
        }
        #expect(throws: ORTError.self) { try ORTDevice(parsing: "cuda:x") }
        #expect(throws: ORTError.self) { try ORTDevice(parsing: "cpu:0") }
    }
}

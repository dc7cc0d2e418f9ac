import Foundation
import InteropSupport

/// Reference data made at test time by `python/onnx_policy_fixtures.py` (numpy, safetensors, onnxruntime).
enum Fixtures {
    static func make(_ what: String, _ arguments: [String] = []) throws -> URL {
        let directory = try PythonRunner.temporaryDirectory(what)
        try PythonRunner.succeed("onnx_policy_fixtures.py", [what, directory.path] + arguments)
        return directory
    }

    static func json(_ url: URL) throws -> Any {
        try JSONSerialization.jsonObject(with: try Data(contentsOf: url))
    }

    static func floats(_ url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
            }
        }
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    static func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }
}

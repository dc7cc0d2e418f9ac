public import Foundation

/// Runs the repository's Python helpers in the project virtualenv that `scripts/bootstrap` creates.
///
/// There is no skip: without the virtualenv the interop tests fail and say how to create it.
public enum PythonRunner {
    public static let packageRoot: URL = {
        // Tests/InteropSupport/PythonRunner.swift → the package root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }()

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public static var interpreter: URL {
        get throws {
            if let explicit = ProcessInfo.processInfo.environment["LEROBOT_TEST_PYTHON"], !explicit.isEmpty {
                return URL(fileURLWithPath: explicit)
            }
            let venv = packageRoot.appendingPathComponent(".venv/bin/python")
            guard FileManager.default.isExecutableFile(atPath: venv.path) else {
                throw Failure(
                    description: "The interop tests need the project virtualenv at \(venv.path) "
                        + "(msgpack, numpy, Pillow). Create it with ./scripts/bootstrap, or run ./scripts/test.")
            }
            return venv
        }
    }

    /// Runs `python/<script> <arguments>` and returns (exit status, stdout + stderr).
    public static func run(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try interpreter
        process.arguments = [packageRoot.appendingPathComponent("python/\(script)").path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs a helper that must succeed; its output is returned.
    @discardableResult
    public static func succeed(_ script: String, _ arguments: [String]) throws -> String {
        let (status, output) = try run(script, arguments)
        guard status == 0 else {
            throw Failure(description: "python/\(script) \(arguments.joined(separator: " ")) exited \(status):\n\(output)")
        }
        return output
    }

    /// A fresh temporary directory for one test.
    public static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("policywire-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

extension Array where Element == UInt8 {
    public init?(hex: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.utf8.count / 2)
        var iterator = hex.utf8.makeIterator()
        while let hi = iterator.next() {
            guard let lo = iterator.next(), let h = Self.nibble(hi), let l = Self.nibble(lo) else { return nil }
            bytes.append(h << 4 | l)
        }
        self = bytes
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for b in self {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

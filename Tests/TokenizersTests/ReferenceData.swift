import Foundation
import InteropSupport

/// What the Rust `tokenizers` library (through Python) gives for the committed fixtures, their variants and the
/// task strings: made once per test run by `python/tokenizers_reference.py`.
struct ReferenceData: Sendable {
    struct Result: Sendable {
        var ids: [Int]
        var tokens: [[UInt8]]
        var plainIDs: [Int]
        var decoded: [UInt8]
        var decodedSkippingSpecial: [UInt8]
    }

    struct TokenizerCase: Sendable {
        var name: String
        var path: String
        var results: [Result]
    }

    struct LeRobotCase: Sendable {
        var tokenizer: String
        var path: String
        var padID: Int
        var maxLength: Int
        var padding: String
        var paddingSide: String
        var truncation: Bool
        var truncationSide: String
        var newline: Bool
        var text: String
        var prompt: [UInt8]
        var ids: [Int]
        var mask: [Int]
    }

    struct Pi05Case: Sendable {
        var task: String
        var state: [Float]
        var maxStateDimension: Int?
        var prompt: [UInt8]
    }

    var texts: [String]
    /// Indices in `texts` of the Unicode sweep (scalars of every block, ~1000 per text).
    var sweep: Set<Int>
    var tokenizers: [TokenizerCase]
    var lerobot: [LeRobotCase]
    var pi05: [Pi05Case]

    static let fixtures = PythonRunner.packageRoot.appendingPathComponent("Tests/Fixtures/tokenizers")

    /// Made once and shared by the suites (the Python run takes a few seconds).
    static let shared: Swift.Result<ReferenceData, PythonRunner.Failure> = {
        do { return .success(try make()) } catch let failure as PythonRunner.Failure {
            return .failure(failure)
        } catch {
            return .failure(PythonRunner.Failure(description: "\(error)"))
        }
    }()

    static func load() throws -> ReferenceData { try shared.get() }

    private static func make() throws -> ReferenceData {
        let work = try PythonRunner.temporaryDirectory("tokenizers")
        let output = work.appendingPathComponent("reference.json")
        // TOKENIZERS_RANDOM_TEXTS / TOKENIZERS_SEED widen the search for mismatches (defaults: 400 texts, one seed).
        var arguments = [fixtures.path, work.path, output.path]
        let environment = ProcessInfo.processInfo.environment
        if let count = environment["TOKENIZERS_RANDOM_TEXTS"], Int(count) != nil { arguments += ["--random", count] }
        if let seed = environment["TOKENIZERS_SEED"], Int(seed) != nil { arguments += ["--seed", seed] }
        try PythonRunner.succeed("tokenizers_reference.py", arguments)
        let root = try JSONSerialization.jsonObject(with: try Data(contentsOf: output)) as! [String: Any]
        func text(_ hex: Any?) throws -> String {
            let bytes = try bytes(hex)
            guard let s = String(validating: bytes, as: UTF8.self) else {
                throw PythonRunner.Failure(description: "reference text is not UTF-8")
            }
            return s
        }
        func bytes(_ hex: Any?) throws -> [UInt8] {
            guard let hex = hex as? String, let bytes = [UInt8](hex: hex) else {
                throw PythonRunner.Failure(description: "reference data: expected a hex string")
            }
            return bytes
        }
        func ints(_ any: Any?) -> [Int] { (any as? [Any] ?? []).map { ($0 as! NSNumber).intValue } }

        var data = ReferenceData(texts: [], sweep: [], tokenizers: [], lerobot: [], pi05: [])
        for hex in root["texts"] as! [Any] { data.texts.append(try text(hex)) }
        data.sweep = Set(ints(root["sweep"]))
        for case let entry as [String: Any] in root["tokenizers"] as! [Any] {
            var results: [Result] = []
            for case let r as [String: Any] in entry["results"] as! [Any] {
                results.append(
                    Result(
                        ids: ints(r["ids"]), tokens: try (r["tokens"] as! [Any]).map { try bytes($0) },
                        plainIDs: ints(r["plain_ids"]), decoded: try bytes(r["decoded"]),
                        decodedSkippingSpecial: try bytes(r["decoded_skip"])))
            }
            data.tokenizers.append(
                TokenizerCase(
                    name: entry["name"] as! String, path: entry["path"] as! String, results: results))
        }
        for case let entry as [String: Any] in root["lerobot"] as! [Any] {
            let config = entry["config"] as! [String: Any]
            data.lerobot.append(
                LeRobotCase(
                    tokenizer: entry["tokenizer"] as! String, path: entry["path"] as! String,
                    padID: (entry["pad_id"] as! NSNumber).intValue,
                    maxLength: (config["max_length"] as! NSNumber).intValue, padding: config["padding"] as! String,
                    paddingSide: config["padding_side"] as! String, truncation: config["truncation"] as! Bool,
                    truncationSide: config["truncation_side"] as? String ?? "right",
                    newline: entry["newline"] as! Bool, text: try text(entry["text"]), prompt: try bytes(entry["prompt"]),
                    ids: ints(entry["ids"]), mask: ints(entry["mask"])))
        }
        for case let entry as [String: Any] in root["pi05"] as! [Any] {
            let state: [Float] = (entry["state"] as! [Any]).map { value in
                if let s = value as? String {
                    return s == "nan" ? .nan : (s.hasPrefix("-") ? -.infinity : .infinity)
                }
                return Float((value as! NSNumber).doubleValue)
            }
            data.pi05.append(
                Pi05Case(
                    task: try text(entry["task"]), state: state,
                    maxStateDimension: (entry["max_state_dim"] as? NSNumber)?.intValue, prompt: try bytes(entry["prompt"])))
        }
        return data
    }
}

extension String {
    /// The UTF-8 bytes, for comparisons that must not use `String`'s canonical equivalence.
    var bytes: [UInt8] { Array(utf8) }

    /// A readable form for failure messages.
    var debugQuoted: String { String(reflecting: self) }
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}

import Foundation
import InteropSupport
import Testing
import ZenohProtocol

/// `intersects` and `includes` checked against the Rust implementation (Python `zenoh.KeyExpr`) at test time.
@Suite("Key expressions against Rust Zenoh")
struct KeyExprRustOracleTests {
    /// Wildcards, `$*` sub-chunk wildcards, verbatim `@` chunks, and the LeRobot service keys.
    static let expressions: [String] = [
        "a", "a/b", "a/c", "a/b/c", "a/*", "*/b", "*", "**", "a/**", "**/c", "a/**/c", "a/*/c", "*/*",
        "a/$*b", "a/x$*", "a/$*x$*", "a/b$*", "a/*/**", "**/b/**", "x/y",
        "@a", "@a/b", "@a/*", "@a/**", "**/@a", "a/@b", "a/**/@b", "@demo/*/x", "@demo/@a/x", "@demo/a/x",
        "@lerobot/m/main/default/*/obs", "@lerobot/m/main/default/abc/obs", "@lerobot/m/main/default/abc/action",
        "@lerobot/m/main/default/server/alive", "@lerobot/m/main/*/status", "@lerobot/**",
    ]

    @Test("Every ordered pair agrees with Rust (intersects and includes)")
    func agreesWithRust() throws {
        for e in Self.expressions { _ = try KeyExpr(e) }
        let pairs = Self.expressions.flatMap { a in Self.expressions.map { b in [a, b] } }
        #expect(pairs.count >= 200)
        let directory = try PythonRunner.temporaryDirectory("keyexpr")
        let input = directory.appendingPathComponent("pairs.json")
        try JSONSerialization.data(withJSONObject: pairs).write(to: input)
        let output = try PythonRunner.succeed("zenoh_tool.py", ["keyexpr", input.path])
        let jsonLine = try #require(output.split(separator: "\n").last { $0.hasPrefix("[") })
        let rust = try #require(try JSONSerialization.jsonObject(with: Data(jsonLine.utf8)) as? [[Bool]])
        try #require(rust.count == pairs.count)
        var disagreements: [String] = []
        for (pair, expected) in zip(pairs, rust) {
            let a = try KeyExpr(pair[0])
            let b = try KeyExpr(pair[1])
            if a.intersects(b) != expected[0] {
                disagreements.append("\(pair[0]) intersects \(pair[1]): Swift \(!expected[0]), Rust \(expected[0])")
            }
            if a.includes(b) != expected[1] {
                disagreements.append("\(pair[0]) includes \(pair[1]): Swift \(!expected[1]), Rust \(expected[1])")
            }
        }
        #expect(
            disagreements.isEmpty, "\(disagreements.count) of \(pairs.count * 2) checks differ:\n\(disagreements.joined(separator: "\n"))")
    }
}

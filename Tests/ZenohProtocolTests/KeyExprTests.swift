import Testing
import ZenohProtocol

/// Key-expression tables written by hand from the rules of zenoh-protocol.md section 11.
///
/// Kept as plain data so that an interop suite can replay them against Rust's `KeyExpr`.
enum KeyExprTables {
    /// (input, canonical form) pairs for `autocanonize`.
    static let canonization: [(String, String)] = [
        ("a/**/**", "a/**"), ("a/**/*", "a/*/**"), ("a/$*$*b", "a/$*b"), ("**/**/**", "**"),
        ("**/*/**/*", "*/*/**"), ("a/$*", "a/*"), ("a/$*$*", "a/*"), ("a/b", "a/b"),
        ("*/**/*/c", "*/*/**/c"), ("@a/**/**", "@a/**"),
    ]

    /// Strings that are not key expressions, even after canonization.
    static let invalid: [String] = [
        "", "a//b", "/a", "a/b/", "a#b", "a?b", "a/$b", "a*/b", "a/b*", "***", "a/$", "$*x$",
    ]

    /// (a, b, whether a and b intersect); intersection is symmetric.
    static let intersections: [(String, String, Bool)] = [
        ("a/b", "a/b", true), ("a/b", "a/c", false), ("a/*", "a/b", true), ("a/*", "a/b/c", false),
        ("a/**", "a", true), ("a/**", "a/b/c", true), ("**", "x/y", true), ("a/**/c", "a/c", true),
        ("a/**/c", "a/b/d/c", true), ("a/**/c", "a/b/d", false), ("*/b", "a/*", true),
        ("a/$*b", "a/xxb", true), ("a/a$*b", "a/ab", true), ("a/x$*", "a/$*y", true), ("a/x$*", "a/y$*", false),
        ("a/$*x$*", "a/$*y$*", true), ("a/b$*", "a/*", true),
        ("**/something", "@demo/something", false), ("@demo/*/x", "@demo/a/x", true),
        ("@demo/*/x", "@demo/@a/x", false), ("**", "@a", false), ("*", "@a", false), ("@a", "@a", true),
        ("@a/**", "@a", true), ("@a/**", "@a/b/c", true), ("@a/**", "@a/@b", false), ("a/**/@b", "a/x/@b", true),
        ("**/@b", "@b", true), ("a/**", "**/b", true), ("a/**/b", "**/c", false), ("*/*", "**", true),
        ("*", "a/b", false),
    ]

    /// (a, b, whether a includes b).
    static let inclusions: [(String, String, Bool)] = [
        ("a/b", "a/b", true), ("a/*", "a/b", true), ("a/b", "a/*", false), ("a/**", "a/b/c", true),
        ("a/**", "a", true), ("a/**", "a/*/**", true), ("a/*/**", "a/**", false), ("**", "a/**", true),
        ("**", "@a", false), ("@a/**", "@a/b", true), ("a/*", "a/$*b", true), ("a/$*b", "a/xb", true),
        ("a/$*b", "a/*", false), ("a/$*", "a/b", true), ("a/x$*", "a/x$*y", true), ("a/x$*y", "a/x$*", false),
        ("*", "*", true), ("*/**", "**", false), ("**", "*/**", true), ("a/*/c", "a/**/c", false),
        ("a/**/c", "a/*/c", true), ("a", "a/**", false), ("@a/*", "@a/@b", false),
    ]
}

@Suite("Key expressions")
struct KeyExprTests {
    @Test(
        "Autocanonization",
        arguments: KeyExprTables.canonization
    )
    func autocanonize(input: String, canonical: String) throws {
        #expect(try KeyExpr(autocanonizing: input).description == canonical)
        #expect(try KeyExpr(canonical).description == canonical)
        if input != canonical {
            // Not canonical (or, for a chunk made only of `$*`, not even valid as written).
            #expect(throws: KeyExprError.self) { try KeyExpr(input) }
        }
    }

    @Test(
        "Invalid expressions are rejected",
        arguments: KeyExprTables.invalid
    )
    func invalid(input: String) {
        #expect(throws: KeyExprError.self) { try KeyExpr(autocanonizing: input) }
        #expect(throws: KeyExprError.self) { try KeyExpr(input) }
    }

    @Test(
        "Intersection table",
        arguments: KeyExprTables.intersections
    )
    func intersects(left: String, right: String, expected: Bool) throws {
        let a = try KeyExpr(left)
        let b = try KeyExpr(right)
        #expect(a.intersects(b) == expected, "\(left) ∩ \(right)")
        #expect(b.intersects(a) == expected, "\(right) ∩ \(left) (symmetric)")
    }

    @Test(
        "Inclusion table",
        arguments: KeyExprTables.inclusions
    )
    func includes(left: String, right: String, expected: Bool) throws {
        let a = try KeyExpr(autocanonizing: left)
        let b = try KeyExpr(autocanonizing: right)
        #expect(a.includes(b) == expected, "\(left) ⊇ \(right)")
        if expected {
            #expect(a.intersects(b), "inclusion implies intersection for \(left), \(right)")
        }
    }

    @Test("Long expressions do not blow up")
    func performance() throws {
        let wild = try KeyExpr(autocanonizing: Array(repeating: "**/a", count: 200).joined(separator: "/"))
        let concrete = try KeyExpr(Array(repeating: "b", count: 400).joined(separator: "/"))
        #expect(!wild.intersects(concrete))
        #expect(!wild.includes(concrete))
    }
}

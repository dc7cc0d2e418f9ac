/// A validated, canonical Zenoh key expression (zenoh-protocol.md section 11).
///
/// `/`-separated non-empty chunks. Wildcards: `*` (exactly one chunk), `**` (zero or more chunks),
/// `$*` inside a chunk (any substring of that chunk). Chunks starting with `@` are verbatim:
/// only an identical chunk matches them. `#` and `?` are forbidden, `$` only appears as `$*`.
/// Canonical form: no `**/**`, `**/*` is written `*/**`, no `$*$*`, no chunk made only of `$*`.
public struct KeyExpr: Hashable, Sendable, CustomStringConvertible {
    /// The canonical text.
    public let description: String

    /// Validates `string`, which must already be canonical.
    public init(_ string: String) throws(KeyExprError) {
        try Self.validate(string)
        let canonical = Self.canonize(string)
        guard canonical == string else {
            throw KeyExprError(code: .notCanonical, message: "'\(string)' is not canonical (canonical: '\(canonical)')")
        }
        self.description = string
    }

    /// Canonizes then validates `string` (Rust's `autocanonize`).
    public init(autocanonizing string: String) throws(KeyExprError) {
        let canonical = Self.canonize(string)
        try Self.validate(canonical)
        self.description = canonical
    }

    /// The chunks of the expression.
    public var chunks: [Substring] {
        self.description.split(separator: "/", omittingEmptySubsequences: false)
    }

    /// Whether the expression contains a wildcard (`*`, `**` or `$*`).
    public var isWild: Bool {
        self.description.utf8.contains(UInt8(ascii: "*"))
    }

    /// Whether some key is matched by both expressions (the matching used for routing).
    public func intersects(_ other: KeyExpr) -> Bool {
        KeyExprMatcher.intersects(Array(self.description.utf8), Array(other.description.utf8))
    }

    /// Whether every key matched by `other` is also matched by `self`.
    public func includes(_ other: KeyExpr) -> Bool {
        KeyExprMatcher.includes(Array(self.description.utf8), Array(other.description.utf8))
    }

    /// The expression `self/suffix`, canonized and validated.
    public func joined(_ suffix: String) throws(KeyExprError) -> KeyExpr {
        try KeyExpr(autocanonizing: self.description + "/" + suffix)
    }
}

/// Why a string is not a valid key expression.
public struct KeyExprError: Error, Sendable, CustomStringConvertible {
    /// A bounded classification.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case empty, emptyChunk, forbiddenCharacter, invalidWildcard, notCanonical, tooLong
        }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// The expression is empty.
        public static let empty = Self(.empty)
        /// A leading, trailing or double `/`.
        public static let emptyChunk = Self(.emptyChunk)
        /// `#`, `?`, or `$` not followed by `*`.
        public static let forbiddenCharacter = Self(.forbiddenCharacter)
        /// `*` not alone in its chunk (and not part of `$*`), or a chunk made only of `$*`.
        public static let invalidWildcard = Self(.invalidWildcard)
        /// Valid but not in canonical form.
        public static let notCanonical = Self(.notCanonical)
        /// Longer than ``ZenohLimits/maximumKeyExprLength`` bytes.
        public static let tooLong = Self(.tooLong)

        /// The name of the code.
        public var description: String {
            switch self.base {
            case .empty: "empty"
            case .emptyChunk: "emptyChunk"
            case .forbiddenCharacter: "forbiddenCharacter"
            case .invalidWildcard: "invalidWildcard"
            case .notCanonical: "notCanonical"
            case .tooLong: "tooLong"
            }
        }
    }

    /// What is wrong.
    public var code: Code
    /// A human-readable explanation.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// A description combining code and message.
    public var description: String { "KeyExprError(\(self.code)): \(self.message)" }
}

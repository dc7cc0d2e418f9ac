/// Why a JSON text was refused. Parsing never traps: every malformed input ends here, with where it went wrong.
public struct JSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of failure; bounded, so safe as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable { case truncated, invalidSyntax, invalidString, depthExceeded, trailingContent }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// The text ends inside a value.
        public static let truncated = Self(.truncated)
        /// A character that cannot start or continue a value here (bad literal, number, separator).
        public static let invalidSyntax = Self(.invalidSyntax)
        /// A string with an invalid escape, a lone surrogate, a control character or bytes that are not UTF-8.
        public static let invalidString = Self(.invalidString)
        /// Arrays and objects nest deeper than the parser's `maxDepth`.
        public static let depthExceeded = Self(.depthExceeded)
        /// Something other than whitespace follows the value.
        public static let trailingContent = Self(.trailingContent)

        public var description: String {
            switch base {
            case .truncated: "truncated"
            case .invalidSyntax: "invalid syntax"
            case .invalidString: "invalid string"
            case .depthExceeded: "nesting too deep"
            case .trailingContent: "trailing content"
            }
        }
    }

    public var code: Code
    /// What went wrong, in words ("expected ',' or '}'").
    public var message: String
    /// Byte offset in the input where the fault was found.
    public var offset: Int
    /// 1-based line and column (in Unicode scalars) of `offset`.
    public var line: Int
    public var column: Int

    public init(_ code: Code, _ message: String, offset: Int, line: Int, column: Int) {
        self.code = code
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// `unexpected end of input at line 3, column 7 (byte 41)`.
    public var description: String { "\(message) at line \(line), column \(column) (byte \(offset))" }

    /// Errors compare by code only.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

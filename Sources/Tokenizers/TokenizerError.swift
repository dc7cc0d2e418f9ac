/// Why a tokenizer could not be loaded or could not encode a text. Messages name the file and the JSON path at fault
/// (`tokenizer.json: pre_tokenizer.pretokenizers[1].type: unsupported pre-tokenizer "Punctuation"`).
public struct TokenizerError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable { case invalidFile, unsupportedComponent, inputTooLarge, encodingFailed }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// The file is missing, too large, not JSON, or a field has the wrong shape.
        public static let invalidFile = Self(.invalidFile)
        /// A normalizer, pre-tokenizer, model, post-processor, decoder or regex feature this library does not
        /// implement.
        public static let unsupportedComponent = Self(.unsupportedComponent)
        /// A text over ``TokenizerLimits/maxInputBytes``.
        public static let inputTooLarge = Self(.inputTooLarge)
        /// Encoding failed: a regex ran past its step budget, the unknown token is missing, or a length rule cannot
        /// be met.
        public static let encodingFailed = Self(.encodingFailed)

        public var description: String {
            switch base {
            case .invalidFile: "invalid tokenizer file"
            case .unsupportedComponent: "unsupported tokenizer component"
            case .inputTooLarge: "input too large"
            case .encodingFailed: "encoding failed"
            }
        }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// Bounds on what a tokenizer accepts, so that a malformed or hostile file or text is an error, never a crash.
public struct TokenizerLimits: Sendable, Hashable {
    /// Largest `tokenizer.json` read (real checkpoints: 2–35 MB).
    public var maxFileBytes: Int = 256 << 20
    /// Deepest JSON nesting accepted.
    public var maxJSONDepth: Int = 64
    /// Longest text encoded, in UTF-8 bytes.
    public var maxInputBytes: Int = 1 << 20
    /// Regex steps allowed per scanned character (plus a fixed allowance); a pattern that backtracks past it fails
    /// the encode instead of running for ever.
    public var regexStepsPerCharacter: Int = 1_024

    public init() {}

    public static let `default` = TokenizerLimits()
}

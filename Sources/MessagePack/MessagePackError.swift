/// Why a MessagePack input was refused. Decoding never traps: every malformed input ends here.
public struct MessagePackError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of failure; bounded, so safe as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case truncated, limitExceeded, depthExceeded, unsupportedExtension, reservedByte
            case invalidUTF8, trailingBytes, unencodable
        }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// The input ends inside a value.
        public static let truncated = Self(.truncated)
        /// A length or count is over the configured ``MessagePackDecoder/Limits``.
        public static let limitExceeded = Self(.limitExceeded)
        /// Containers nest deeper than ``MessagePackDecoder/Limits/maxDepth``.
        public static let depthExceeded = Self(.depthExceeded)
        /// An `ext` / `fixext` value: the LeRobot wire never carries them (nothing may carry code).
        public static let unsupportedExtension = Self(.unsupportedExtension)
        /// The byte 0xc1, which MessagePack never uses.
        public static let reservedByte = Self(.reservedByte)
        /// A `str` whose bytes are not UTF-8.
        public static let invalidUTF8 = Self(.invalidUTF8)
        /// Bytes remain after the top-level value.
        public static let trailingBytes = Self(.trailingBytes)
        /// A value that MessagePack cannot represent (e.g. a length over 2^32 - 1).
        public static let unencodable = Self(.unencodable)

        public var description: String {
            switch base {
            case .truncated: "truncated"
            case .limitExceeded: "limit exceeded"
            case .depthExceeded: "nesting too deep"
            case .unsupportedExtension: "unsupported extension type"
            case .reservedByte: "reserved byte"
            case .invalidUTF8: "invalid UTF-8"
            case .trailingBytes: "trailing bytes"
            case .unencodable: "unencodable"
            }
        }
    }

    public var code: Code
    /// What went wrong, in words.
    public var message: String
    /// Offset in the input where the offending value starts (or where input ran out).
    public var offset: Int

    public init(_ code: Code, _ message: String, offset: Int) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String { "MessagePack \(code) at offset \(offset): \(message)" }

    /// Errors compare by code only.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// An error raised while decoding Zenoh bytes.
///
/// Decoders never trap on malformed input: every problem (truncation, overflow, an unknown
/// mandatory extension, an exceeded bound...) surfaces as a `ZenohDecodingError`.
/// Compare errors by ``code`` only; ``message`` is for humans.
public struct ZenohDecodingError: Error, Sendable, CustomStringConvertible {
    /// A bounded, extensible classification of decoding errors (safe as a metric label).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case truncated
            case overflow
            case invalidValue
            case unknownMessage
            case unknownMandatoryExtension
            case limitExceeded
            case invalidUTF8
            case trailingBytes
            case unsupported
        }

        private var base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// Fewer bytes remained than the field needs.
        public static let truncated = Self(.truncated)
        /// A variable-length integer does not fit its target type, or is longer than 9 bytes.
        public static let overflow = Self(.overflow)
        /// A field holds a value the protocol does not allow.
        public static let invalidValue = Self(.invalidValue)
        /// A message id is unknown in its layer.
        public static let unknownMessage = Self(.unknownMessage)
        /// An unknown extension carries the mandatory flag.
        public static let unknownMandatoryExtension = Self(.unknownMandatoryExtension)
        /// A length or a count exceeds a decoder bound.
        public static let limitExceeded = Self(.limitExceeded)
        /// A string field is not valid UTF-8.
        public static let invalidUTF8 = Self(.invalidUTF8)
        /// Bytes remained after a complete unit (batch, extension body, message) was decoded.
        public static let trailingBytes = Self(.trailingBytes)
        /// A well-formed construct this implementation does not support.
        public static let unsupported = Self(.unsupported)

        /// A short, stable name for the code.
        public var description: String {
            switch self.base {
            case .truncated: "truncated"
            case .overflow: "overflow"
            case .invalidValue: "invalidValue"
            case .unknownMessage: "unknownMessage"
            case .unknownMandatoryExtension: "unknownMandatoryExtension"
            case .limitExceeded: "limitExceeded"
            case .invalidUTF8: "invalidUTF8"
            case .trailingBytes: "trailingBytes"
            case .unsupported: "unsupported"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The source file that raised the error.
    public var file: String
    /// The source line that raised the error.
    public var line: Int

    /// Creates an error.
    public init(code: Code, message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    /// A description combining the code and the message.
    public var description: String {
        "ZenohDecodingError(\(self.code)): \(self.message) [\(self.file):\(self.line)]"
    }
}

extension ZenohDecodingError {
    @inline(never)
    static func truncated(_ what: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(code: .truncated, message: "truncated \(what)", file: file, line: line)
    }

    @inline(never)
    static func overflow(_ what: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(code: .overflow, message: "\(what) overflows", file: file, line: line)
    }

    @inline(never)
    static func invalid(_ what: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(code: .invalidValue, message: what, file: file, line: line)
    }

    @inline(never)
    static func limit(_ what: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(code: .limitExceeded, message: what, file: file, line: line)
    }

    @inline(never)
    static func unknownMessage(
        _ layer: String,
        header: UInt8,
        file: String = #fileID,
        line: Int = #line
    ) -> Self {
        Self(code: .unknownMessage, message: "unknown \(layer) message header 0x\(hex(header))", file: file, line: line)
    }

    @inline(never)
    static func trailing(_ count: Int, after what: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(code: .trailingBytes, message: "\(count) bytes left after \(what)", file: file, line: line)
    }

    @inline(never)
    static func unknownMandatory(
        _ header: UInt8,
        in what: String,
        file: String = #fileID,
        line: Int = #line
    ) -> Self {
        Self(
            code: .unknownMandatoryExtension,
            message: "unknown mandatory extension 0x\(hex(header)) in \(what)",
            file: file,
            line: line
        )
    }
}

/// Two lowercase hex digits for a byte.
func hex(_ byte: UInt8) -> String {
    let digits: [Character] = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
}

/// Why ONNX Runtime could not be loaded or could not run a model. Messages name the library, model file,
/// tensor or option at fault; errors that come from the runtime carry its own message.
public struct ORTError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case libraryNotFound, libraryInvalid, startupCheckFailed, providerUnavailable, invalidArgument, runtime
        }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// No `libonnxruntime` at the configured path or in any searched location.
        public static let libraryNotFound = Self(.libraryNotFound)
        /// The file is not ONNX Runtime, or one too old for the C API version this binding needs.
        public static let libraryInvalid = Self(.libraryInvalid)
        /// The library loaded but failed a start-up check (a slot outside the library, a broken status round trip).
        public static let startupCheckFailed = Self(.startupCheckFailed)
        /// The requested execution provider (CUDA) or one of its libraries is missing.
        public static let providerUnavailable = Self(.providerUnavailable)
        /// A tensor, name or option that does not fit the model.
        public static let invalidArgument = Self(.invalidArgument)
        /// ONNX Runtime returned an error status.
        public static let runtime = Self(.runtime)

        public var description: String {
            switch base {
            case .libraryNotFound: "library not found"
            case .libraryInvalid: "library invalid"
            case .startupCheckFailed: "start-up check failed"
            case .providerUnavailable: "provider unavailable"
            case .invalidArgument: "invalid argument"
            case .runtime: "runtime error"
            }
        }
    }

    public var code: Code
    public var message: String
    /// ONNX Runtime's `OrtErrorCode` when the runtime reported the error.
    public var runtimeCode: Int32?

    public init(_ code: Code, _ message: String, runtimeCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.runtimeCode = runtimeCode
    }

    public var description: String { message }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

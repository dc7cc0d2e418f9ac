/// Why a LeRobot wire message, header, tensor, image or key was refused.
///
/// Messages name the field at fault (`Observation.state.shape`) so an operator can tell which side sent what.
public struct PolicyWireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of failure; bounded, so safe as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case badHeaderLength, malformedBody, wrongType, invalidTensor, invalidImage, unknownImageCodec
            case jpegFailure, invalidKey, unknownOperation
        }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// The attachment header is not exactly ``AttachmentHeader/size`` bytes.
        public static let badHeaderLength = Self(.badHeaderLength)
        /// The body is not valid MessagePack, or not a map.
        public static let malformedBody = Self(.malformedBody)
        /// A known field holds a value of the wrong type.
        public static let wrongType = Self(.wrongType)
        /// A tensor's dtype, shape or data length is not acceptable.
        public static let invalidTensor = Self(.invalidTensor)
        /// An image is not uint8 H×W×3 RGB, or its JPEG could not be decoded.
        public static let invalidImage = Self(.invalidImage)
        /// An image names a codec other than `jpeg` or `raw`.
        public static let unknownImageCodec = Self(.unknownImageCodec)
        /// libjpeg-turbo refused to start or to encode.
        public static let jpegFailure = Self(.jpegFailure)
        /// A key-expression segment sanitizes to nothing or to a reserved chunk, or a key lacks a chunk.
        public static let invalidKey = Self(.invalidKey)
        /// A `session` query whose `op` is neither `open` nor `close`.
        public static let unknownOperation = Self(.unknownOperation)

        public var description: String {
            switch base {
            case .badHeaderLength: "bad header length"
            case .malformedBody: "malformed body"
            case .wrongType: "wrong type"
            case .invalidTensor: "invalid tensor"
            case .invalidImage: "invalid image"
            case .unknownImageCodec: "unknown image codec"
            case .jpegFailure: "jpeg failure"
            case .invalidKey: "invalid key"
            case .unknownOperation: "unknown operation"
            }
        }
    }

    public var code: Code
    /// A sentence a robot operator can act on.
    public var message: String
    /// The underlying error, when one exists (e.g. a ``MessagePack/MessagePackError``).
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }

    /// Errors compare by code only.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

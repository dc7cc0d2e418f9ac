/// Why RTC inputs or a sampler setting were refused. Messages name the value at fault and what was expected.
public struct FlowMatchingError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable { case invalidConfiguration, invalidPrefix }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// A guidance or sampler setting out of range (`max_guidance_weight <= 0`, a negative horizon, no steps).
        public static let invalidConfiguration = Self(.invalidConfiguration)
        /// An RTC prefix or delay that does not fit the chunk.
        public static let invalidPrefix = Self(.invalidPrefix)

        public var description: String {
            switch base {
            case .invalidConfiguration: "invalid configuration"
            case .invalidPrefix: "invalid prefix"
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

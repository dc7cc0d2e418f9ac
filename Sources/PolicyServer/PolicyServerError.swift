/// Why the server refused to start or to do something. The message names the manifest key or flag at fault.
public struct PolicyServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of failure; bounded, so safe as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable { case manifestInvalid, unsupportedPolicy, modelLoadFailed }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// A manifest key or flag has a missing, malformed or inconsistent value.
        public static let manifestInvalid = Self(.manifestInvalid)
        /// The policy cannot be served (no chunk API, or an unsafe serving mode).
        public static let unsupportedPolicy = Self(.unsupportedPolicy)
        /// The model could not be found, downloaded or loaded.
        public static let modelLoadFailed = Self(.modelLoadFailed)

        public var description: String {
            switch base {
            case .manifestInvalid: "manifest invalid"
            case .unsupportedPolicy: "unsupported policy"
            case .modelLoadFailed: "model load failed"
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

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code && lhs.message == rhs.message }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

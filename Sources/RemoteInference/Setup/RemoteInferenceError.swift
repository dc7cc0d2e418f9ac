/// Why the edge engine could not start or had to stop. The message names the flag or field at fault, or
/// is one of LeRobot's user-visible texts (protocol §10), word for word.
public struct RemoteInferenceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure; bounded, safe as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidConfiguration, policyConfig, noServer, sessionRejected, actionMismatch, visualMismatch
            case protocolError, modelChanged, notStarted
        }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// A `--inference.*` (or rollout) setting cannot work.
        public static let invalidConfiguration = Self(.invalidConfiguration)
        /// The config-only policy (`--policy.path`) could not be read.
        public static let policyConfig = Self(.policyConfig)
        /// No server answered the status query.
        public static let noServer = Self(.noServer)
        /// The server refused the session (or never acknowledged it).
        public static let sessionRejected = Self(.sessionRejected)
        /// The server's action names differ from the robot's, in content or order.
        public static let actionMismatch = Self(.actionMismatch)
        /// The robot's cameras do not match the policy's visual features.
        public static let visualMismatch = Self(.visualMismatch)
        /// A reply could not be decoded.
        public static let protocolError = Self(.protocolError)
        /// A reconnect found another model or revision.
        public static let modelChanged = Self(.modelChanged)
        /// The engine was used before `start()`.
        public static let notStarted = Self(.notStarted)

        public var description: String { "\(base)" }
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

/// Why a policy could not be loaded or run. Messages name the file, field or policy type at fault.
public struct PolicyRuntimeError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable { case invalidCheckpoint, unsupportedPolicy, invalidInput, inferenceFailed }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// `config.json` or another checkpoint file is missing or malformed.
        public static let invalidCheckpoint = Self(.invalidCheckpoint)
        /// A policy type or processor step this runtime cannot run.
        public static let unsupportedPolicy = Self(.unsupportedPolicy)
        /// A request whose state, images or prefix do not fit the policy.
        public static let invalidInput = Self(.invalidInput)
        /// The policy failed while running.
        public static let inferenceFailed = Self(.inferenceFailed)

        public var description: String {
            switch base {
            case .invalidCheckpoint: "invalid checkpoint"
            case .unsupportedPolicy: "unsupported policy"
            case .invalidInput: "invalid input"
            case .inferenceFailed: "inference failed"
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

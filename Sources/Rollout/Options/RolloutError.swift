/// Why `lerobot-rollout` cannot run; the message names the flag at fault.
public struct RolloutError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable { case invalidOption, unsupported, robot }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// A flag's value cannot work.
        public static let invalidOption = Self(.invalidOption)
        /// Known to LeRobot, not available in this build.
        public static let unsupported = Self(.unsupported)
        /// The robot failed.
        public static let robot = Self(.robot)

        public var description: String { "\(base)" }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

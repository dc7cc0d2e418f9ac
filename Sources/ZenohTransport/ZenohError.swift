/// Why a Zenoh operation failed. Compare by ``code``; the message is for people.
public struct ZenohError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of failure; bounded, so safe as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidEndpoint, invalidKeyExpr, invalidConfiguration, connectionFailed, handshakeFailed
            case connectionClosed, leaseExpired, protocolViolation, timeout, sessionClosed, unsupported
        }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// An endpoint string that is not `tcp/HOST:PORT` (or `tls/HOST:PORT`).
        public static let invalidEndpoint = Self(.invalidEndpoint)
        /// A key expression that Zenoh's rules refuse.
        public static let invalidKeyExpr = Self(.invalidKeyExpr)
        /// A configuration value out of range or inconsistent.
        public static let invalidConfiguration = Self(.invalidConfiguration)
        /// The TCP/TLS connection could not be made.
        public static let connectionFailed = Self(.connectionFailed)
        /// The remote refused or botched the Init/Open handshake.
        public static let handshakeFailed = Self(.handshakeFailed)
        /// The remote closed the link (a Close message or EOF).
        public static let connectionClosed = Self(.connectionClosed)
        /// Nothing arrived from the remote within its lease.
        public static let leaseExpired = Self(.leaseExpired)
        /// The remote sent bytes that break the protocol.
        public static let protocolViolation = Self(.protocolViolation)
        /// An operation did not finish in time.
        public static let timeout = Self(.timeout)
        /// The session was closed by the application.
        public static let sessionClosed = Self(.sessionClosed)
        /// A feature this implementation does not provide.
        public static let unsupported = Self(.unsupported)

        public var description: String {
            switch base {
            case .invalidEndpoint: "invalid endpoint"
            case .invalidKeyExpr: "invalid key expression"
            case .invalidConfiguration: "invalid configuration"
            case .connectionFailed: "connection failed"
            case .handshakeFailed: "handshake failed"
            case .connectionClosed: "connection closed"
            case .leaseExpired: "lease expired"
            case .protocolViolation: "protocol violation"
            case .timeout: "timeout"
            case .sessionClosed: "session closed"
            case .unsupported: "unsupported"
            }
        }
    }

    public var code: Code
    /// A sentence an operator can act on (names the endpoint, key or setting at fault).
    public var message: String
    /// The underlying error, if any.
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { "\(code): \(message)" }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

public import ZenohTransport

/// Everything a ``ZenohSession`` needs to know before it opens.
///
/// ```swift
/// var configuration = ZenohConfiguration(connect: [try ZenohEndpoint(parsing: "tcp/127.0.0.1:7447")])
/// configuration.queryTimeout = .seconds(2)
/// let session = try await ZenohSession.open(configuration: configuration, connector: TCPTransportConnector())
/// ```
public struct ZenohConfiguration: Sendable {
    /// The role of the session in the Zenoh network.
    public struct Mode: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable { case client, peer }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// Connects to a router (or peer) that routes on its behalf. The only mode implemented today.
        public static let client = Self(.client)
        /// Connects to and accepts other peers directly (not implemented yet: `open` throws `.unsupported`).
        public static let peer = Self(.peer)

        /// The Zenoh name of the mode (`client`, `peer`).
        public var description: String {
            switch self.base {
            case .client: "client"
            case .peer: "peer"
            }
        }
    }

    /// What the session does when its link to the router goes away without ``ZenohSession/close()``.
    public struct Reconnect: Sendable, Hashable {
        /// Whether the session reconnects by itself (and re-declares its entities).
        public var isEnabled: Bool
        /// The first delay between rounds of connection attempts.
        public var initialDelay: Duration
        /// The longest delay between rounds; delays double up to it.
        public var maximumDelay: Duration
        /// Random spread applied to each delay, as a fraction in `0...1` (0.2 = ±20 %).
        public var jitter: Double

        /// Creates a reconnect policy.
        public init(
            isEnabled: Bool = true, initialDelay: Duration = .milliseconds(500), maximumDelay: Duration = .seconds(10),
            jitter: Double = 0.2
        ) {
            self.isEnabled = isEnabled
            self.initialDelay = initialDelay
            self.maximumDelay = maximumDelay
            self.jitter = jitter
        }

        /// Reconnect with 0.5 s → 10 s exponential backoff (the default).
        public static let `default` = Reconnect()
        /// Never reconnect: a lost link leaves the session disconnected for good.
        public static let disabled = Reconnect(isEnabled: false)
    }

    /// The session's role; only ``Mode/client`` is implemented.
    public var mode: Mode
    /// The routers to try, in order, when opening and when reconnecting.
    public var connect: [ZenohEndpoint]
    /// Settings of the transport below the session (zid, lease, batch size, handshake timeout).
    public var transport: ZenohTransportConfiguration
    /// How long a `get` waits for its final response when the call does not say.
    public var queryTimeout: Duration
    /// The reconnect policy.
    public var reconnect: Reconnect

    /// Creates a configuration.
    public init(
        mode: Mode = .client,
        connect: [ZenohEndpoint],
        transport: ZenohTransportConfiguration = ZenohTransportConfiguration(),
        queryTimeout: Duration = .seconds(10),
        reconnect: Reconnect = .default
    ) {
        self.mode = mode
        self.connect = connect
        self.transport = transport
        self.queryTimeout = queryTimeout
        self.reconnect = reconnect
    }

    /// Throws `.invalidConfiguration` (naming the setting) when the configuration cannot work.
    func validate() throws(ZenohError) {
        guard self.mode == .client else {
            throw ZenohError(.unsupported, "mode '\(self.mode)' is not implemented; use 'client'")
        }
        guard !self.connect.isEmpty else {
            throw ZenohError(.invalidConfiguration, "'connect' lists no endpoint; a client needs at least one router")
        }
        guard self.queryTimeout > .zero else {
            throw ZenohError(.invalidConfiguration, "'queryTimeout' must be positive, not \(self.queryTimeout)")
        }
        guard self.reconnect.initialDelay > .zero, self.reconnect.maximumDelay >= self.reconnect.initialDelay else {
            throw ZenohError(
                .invalidConfiguration,
                "'reconnect' delays must satisfy 0 < initialDelay (\(self.reconnect.initialDelay)) "
                    + "<= maximumDelay (\(self.reconnect.maximumDelay))")
        }
        guard (0...1).contains(self.reconnect.jitter) else {
            throw ZenohError(.invalidConfiguration, "'reconnect.jitter' must be in 0...1, not \(self.reconnect.jitter)")
        }
    }
}

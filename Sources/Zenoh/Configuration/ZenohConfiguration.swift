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

        /// Connects to a router (or a listening peer) that routes on its behalf.
        public static let client = Self(.client)
        /// Speaks to other peers directly: dials the `connect` peer (if any), accepts peers and clients on
        /// `listen`, pushes its declarations, routes by the remotes' declarations, and serves its clients as a
        /// router would (it never forwards between two peers).
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

    /// The session's role.
    public var mode: Mode
    /// The routers (client mode) or the peers (peer mode) to try, in order, when opening and when
    /// reconnecting; the session keeps one such link.
    public var connect: [ZenohEndpoint]
    /// Where a peer accepts other peers and clients (`tcp/HOST:PORT`, `tls/HOST:PORT`; port 0 picks one, see
    /// ``ZenohSession/listeningEndpoints``). Peer mode only.
    public var listen: [ZenohEndpoint]
    /// TLS and mTLS settings for `tls/` endpoints, dialled and listened on.
    public var tls: ZenohTLSConfiguration?
    /// The most links a listener holds at once (handshaking and established).
    public var maximumSessions: Int
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
        listen: [ZenohEndpoint] = [],
        tls: ZenohTLSConfiguration? = nil,
        maximumSessions: Int = 256,
        transport: ZenohTransportConfiguration = ZenohTransportConfiguration(),
        queryTimeout: Duration = .seconds(10),
        reconnect: Reconnect = .default
    ) {
        self.mode = mode
        self.connect = connect
        self.listen = listen
        self.tls = tls
        self.maximumSessions = maximumSessions
        self.transport = transport
        self.queryTimeout = queryTimeout
        self.reconnect = reconnect
    }

    /// Throws `.invalidConfiguration` (naming the setting) when the configuration cannot work.
    func validate() throws(ZenohError) {
        if self.mode == .client {
            guard self.listen.isEmpty else {
                throw ZenohError(
                    .invalidConfiguration, "'listen' needs mode 'peer': a client does not accept connections")
            }
            guard !self.connect.isEmpty else {
                throw ZenohError(.invalidConfiguration, "'connect' lists no endpoint; a client needs at least one router")
            }
        } else {
            guard !self.connect.isEmpty || !self.listen.isEmpty else {
                throw ZenohError(
                    .invalidConfiguration, "a peer needs a 'listen' endpoint, a 'connect' endpoint, or both; both are empty")
            }
        }
        for endpoint in self.connect + self.listen where endpoint.linkProtocol == .tls && self.tls == nil {
            throw ZenohError(.invalidConfiguration, "'\(endpoint)' is a tls/ endpoint but 'tls' settings are missing")
        }
        guard self.maximumSessions > 0 else {
            throw ZenohError(.invalidConfiguration, "'maximumSessions' must be positive, not \(self.maximumSessions)")
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

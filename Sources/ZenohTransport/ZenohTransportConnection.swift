public import ZenohProtocol

// The seam between the transport (links, handshake, sequence numbers, batching, fragmentation, lease) and the
// session layer (declarations, routing to subscribers/queryables, queries, liveliness). The session layer only
// sees network messages; everything below them lives behind this seam.

/// How one network message is sent.
public struct ZenohSendOptions: Sendable, Hashable {
    /// Reliable channel (Frame R flag) or best effort.
    public var isReliable: Bool
    /// The lane (only meaningful when QoS was negotiated) — the message's own QoS extension is set by the
    /// session layer in the message itself.
    public var priority: ZenohPriority
    /// Drop the message when the link's send queue is over its bound, instead of waiting.
    public var congestionControl: ZenohCongestionControl
    /// Flush at once rather than waiting to fill a batch.
    public var isExpress: Bool

    public init(
        isReliable: Bool = true, priority: ZenohPriority = .data,
        congestionControl: ZenohCongestionControl = .drop, isExpress: Bool = false
    ) {
        self.isReliable = isReliable
        self.priority = priority
        self.congestionControl = congestionControl
        self.isExpress = isExpress
    }

    /// Declarations, interests and other control traffic: reliable, control lane, block.
    public static let control = ZenohSendOptions(priority: .control, congestionControl: .block, isExpress: true)
}

/// What a transport tells the layer above. Delivered in order, on the transport's event loop; the receiver
/// must not block.
public enum ZenohTransportEvent: Sendable {
    /// A complete network message (already reassembled from fragments).
    case message(NetworkMessage)
    /// The transport is gone: the remote closed it, its lease expired, or a protocol error killed it.
    /// Delivered exactly once, last.
    case closed(ZenohError)
}

/// Facts about an established transport, from the handshake.
public struct ZenohTransportInfo: Sendable, Hashable {
    public var localZid: ZenohId
    public var remoteZid: ZenohId
    public var remoteWhatAmI: WhatAmI
    /// Negotiated batch size (includes the 2-byte length prefix on stream links).
    public var batchSize: Int
    /// The remote's lease: silence longer than this closes the transport.
    public var remoteLeaseMilliseconds: UInt64
    public var isQoSEnabled: Bool
    public var endpoint: ZenohEndpoint

    public init(
        localZid: ZenohId, remoteZid: ZenohId, remoteWhatAmI: WhatAmI, batchSize: Int,
        remoteLeaseMilliseconds: UInt64, isQoSEnabled: Bool, endpoint: ZenohEndpoint
    ) {
        self.localZid = localZid
        self.remoteZid = remoteZid
        self.remoteWhatAmI = remoteWhatAmI
        self.batchSize = batchSize
        self.remoteLeaseMilliseconds = remoteLeaseMilliseconds
        self.isQoSEnabled = isQoSEnabled
        self.endpoint = endpoint
    }
}

/// One established unicast transport to a remote router or peer.
public protocol ZenohTransportConnection: AnyObject, Sendable {
    var info: ZenohTransportInfo { get }
    /// Queues `message`; never blocks the caller. Messages larger than a batch are fragmented. With
    /// congestion control `.drop` a message may be dropped when the link is backed up (returns false).
    @discardableResult
    func send(_ message: NetworkMessage, options: ZenohSendOptions) -> Bool
    /// Sends Close and closes the link. The event handler then receives `.closed(.sessionClosed)`.
    func close() async
}

/// Settings of the transport layer.
public struct ZenohTransportConfiguration: Sendable {
    /// Our ZenohId (random by default).
    public var zid: ZenohId
    /// What we announce: client or peer.
    public var whatAmI: WhatAmI
    /// The lease we announce; the remote closes us after this long without traffic.
    public var leaseMilliseconds: UInt64
    /// Batch size we offer (negotiated down to the remote's).
    public var batchSize: Int
    /// How long connect + Init/Open may take.
    public var openTimeoutMilliseconds: UInt64
    /// Largest reassembled message accepted from the remote.
    public var maximumMessageSize: Int
    /// Offer QoS in Init: when the remote offers it too, the transport has 8 priority lanes (each with its own
    /// sequence numbers) and higher priorities are written first.
    public var isQoSEnabled: Bool

    public init(
        zid: ZenohId = .random(), whatAmI: WhatAmI = .client, leaseMilliseconds: UInt64 = 10_000,
        batchSize: Int = Int(UInt16.max), openTimeoutMilliseconds: UInt64 = 10_000,
        maximumMessageSize: Int = 1 << 30, isQoSEnabled: Bool = true
    ) {
        self.isQoSEnabled = isQoSEnabled
        self.zid = zid
        self.whatAmI = whatAmI
        self.leaseMilliseconds = leaseMilliseconds
        self.batchSize = batchSize
        self.openTimeoutMilliseconds = openTimeoutMilliseconds
        self.maximumMessageSize = maximumMessageSize
    }
}

/// Makes transports. The TCP implementation is ``TCPTransportConnector``; a TLS one and a listener follow.
public protocol ZenohTransportConnector: Sendable {
    /// Connects to `endpoint` and completes the Init/Open handshake. `onEvent` receives every inbound
    /// network message and, last, the `.closed` event.
    func connect(
        to endpoint: ZenohEndpoint,
        configuration: ZenohTransportConfiguration,
        onEvent: @escaping @Sendable (ZenohTransportEvent) -> Void
    ) async throws(ZenohError) -> any ZenohTransportConnection
}

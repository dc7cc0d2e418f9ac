import ZenohProtocol

/// What the Init/Open handshake settled: everything an established transport needs to run.
struct TransportParameters: Hashable, Sendable {
    var localZid: ZenohId
    var remoteZid: ZenohId
    var remoteWhatAmI: WhatAmI
    /// Negotiated batch size, including the 2-byte length prefix on stream links.
    var batchSize: Int
    var resolution: SequenceNumberResolution
    /// Our announced lease: the keep-alive interval is a quarter of it, as in Rust.
    var localLeaseMilliseconds: UInt64
    /// The remote's lease: silence longer than this closes the transport.
    var remoteLeaseMilliseconds: UInt64
    var localInitialSN: UInt32
    var remoteInitialSN: UInt32
    /// Negotiated protocol patch (0: no fragment markers; 1: First/Drop markers on fragments).
    var patch: UInt64
    var maximumMessageSize: Int
    /// Both sides offered the QoS extension in Init: 8 priority lanes, each with two channels.
    var isQoSEnabled: Bool = false

    /// The largest batch content (the prefix excluded) we may write.
    var maximumBatchContent: Int { self.batchSize - 2 }
}

/// One channel of a transport: a priority lane and a reliability, each with its own sequence numbers
/// (zenoh-protocol.md section 6). Without QoS only the Data lane exists: two channels.
struct TransportChannel: Hashable, Sendable {
    var priority: ZenohPriority
    var isReliable: Bool

    init(isReliable: Bool, priority: ZenohPriority = .data) {
        self.isReliable = isReliable
        self.priority = priority
    }

    /// The reliable channel of the Data lane (the only reliable channel without QoS).
    static let reliable = TransportChannel(isReliable: true)
    /// The best-effort channel of the Data lane.
    static let bestEffort = TransportChannel(isReliable: false)

    /// How many channels a QoS transport has: 8 priorities x 2 reliabilities.
    static let count = 16

    /// A dense index in `0..<count`.
    var index: Int { Int(self.priority.rawValue) &* 2 &+ (self.isReliable ? 1 : 0) }

    /// The Frame/Fragment QoS extension value: the lane's priority only (not written for Data).
    var laneQoS: ZenohQoS { ZenohQoS(rawValue: UInt64(self.priority.rawValue)) }

    /// The channel an inbound Frame or Fragment belongs to.
    init(isReliable: Bool, laneQoS: ZenohQoS, isQoSEnabled: Bool) {
        self.init(isReliable: isReliable, priority: isQoSEnabled ? laneQoS.priority : .data)
    }
}

extension ZenohTransportInfo {
    init(_ parameters: TransportParameters, endpoint: ZenohEndpoint) {
        self.init(
            localZid: parameters.localZid, remoteZid: parameters.remoteZid,
            remoteWhatAmI: parameters.remoteWhatAmI, batchSize: parameters.batchSize,
            remoteLeaseMilliseconds: parameters.remoteLeaseMilliseconds, isQoSEnabled: parameters.isQoSEnabled,
            endpoint: endpoint)
    }
}

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
    /// Negotiated protocol patch (0: no fragment markers required).
    var patch: UInt64
    var maximumMessageSize: Int

    /// The largest batch content (the prefix excluded) we may write.
    var maximumBatchContent: Int { self.batchSize - 2 }
}

/// The two channels of a transport without QoS.
enum TransportChannel: Hashable, Sendable, CaseIterable {
    case reliable
    case bestEffort

    init(isReliable: Bool) {
        self = isReliable ? .reliable : .bestEffort
    }

    var isReliable: Bool { self == .reliable }
}

extension ZenohTransportInfo {
    init(_ parameters: TransportParameters, endpoint: ZenohEndpoint) {
        self.init(
            localZid: parameters.localZid, remoteZid: parameters.remoteZid,
            remoteWhatAmI: parameters.remoteWhatAmI, batchSize: parameters.batchSize,
            remoteLeaseMilliseconds: parameters.remoteLeaseMilliseconds, isQoSEnabled: false, endpoint: endpoint)
    }
}

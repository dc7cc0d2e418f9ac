import ZenohProtocol

/// The Init extensions this implementation negotiates (zenoh-protocol.md section 5.1): QoS (0x1, Unit) and
/// Patch (0x7, Z64). Every other extension is ignored, which disables that feature.
enum InitExtensions {
    static let qosID: UInt8 = 0x1
    static let patchID: UInt8 = 0x7
    /// The protocol patch we implement: 1 = fragment First/Drop markers.
    static let currentPatch: UInt64 = 1

    /// What we offer in InitSyn.
    static func offered(qos: Bool) -> [ZenohExtension] {
        Self.answered(qos: qos, patch: Self.currentPatch)
    }

    /// What an acceptor answers in InitAck: QoS when both sides want it, Patch when it is above 0.
    static func answered(qos: Bool, patch: UInt64) -> [ZenohExtension] {
        var extensions: [ZenohExtension] = []
        if qos { extensions.append(.unit(Self.qosID)) }
        if patch > 0 { extensions.append(.z64(Self.patchID, patch)) }
        return extensions
    }

    /// Whether the remote offered (or accepted) QoS.
    static func hasQoS(_ extensions: [ZenohExtension]) -> Bool {
        extensions.contains { $0.id == Self.qosID }
    }

    /// The negotiated patch: the minimum of ours and the remote's (0 when it sent none).
    static func patch(_ extensions: [ZenohExtension]) -> UInt64 {
        guard let ext = extensions.first(where: { $0.id == Self.patchID }), case .z64(let value) = ext.body else {
            return 0
        }
        return min(value, Self.currentPatch)
    }
}

import NIOCore

/// Codecs for the extensions shared by network messages (zenoh-protocol.md sections 6 and 8):
/// 0x1 QoS (Z64), 0x2 Timestamp (ZBuf), 0x3 NodeId (Z64, mandatory).
enum NetworkExtension {
    static let qosID: UInt8 = 0x1
    static let timestampID: UInt8 = 0x2
    static let nodeID: UInt8 = 0x3

    static func qos(_ ext: ZenohExtension) throws(ZenohDecodingError) -> ZenohQoS {
        ZenohQoS(rawValue: try ext.expectZ64("QoS"))
    }

    static func timestamp(_ ext: ZenohExtension) throws(ZenohDecodingError) -> ZenohTimestamp {
        var body = try ext.expectZBuf("Timestamp")
        let timestamp = try body.readZenohTimestamp()
        try body.zenohExpectEmpty(after: "Timestamp extension")
        return timestamp
    }

    static func nodeID(_ ext: ZenohExtension) throws(ZenohDecodingError) -> UInt16 {
        let value = try ext.expectZ64("NodeId")
        guard let node = UInt16(exactly: value) else {
            throw .overflow("NodeId \(value)")
        }
        return node
    }

    /// The shared extensions in id order, omitting defaults.
    static func make(qos: ZenohQoS, timestamp: ZenohTimestamp?, nodeID: UInt16? = nil) -> [ZenohExtension] {
        var extensions: [ZenohExtension] = []
        if qos != .default {
            extensions.append(.z64(Self.qosID, qos.rawValue))
        }
        if let timestamp {
            var body = ByteBuffer()
            body.writeZenohTimestamp(timestamp)
            extensions.append(.zbuf(Self.timestampID, body))
        }
        if let nodeID {
            extensions.append(.z64(Self.nodeID, UInt64(nodeID), mandatory: true))
        }
        return extensions
    }
}

/// The network extensions every message may carry, decoded from a raw extension list.
struct CommonNetworkExtensions {
    var qos: ZenohQoS = .default
    var timestamp: ZenohTimestamp?
    var nodeID: UInt16?
    /// Extensions not handled here, for the message to interpret.
    var rest: [ZenohExtension] = []

    init(_ extensions: [ZenohExtension], acceptsNodeID: Bool = true) throws(ZenohDecodingError) {
        for ext in extensions {
            switch ext.id {
            case NetworkExtension.qosID: self.qos = try NetworkExtension.qos(ext)
            case NetworkExtension.timestampID: self.timestamp = try NetworkExtension.timestamp(ext)
            case NetworkExtension.nodeID where acceptsNodeID: self.nodeID = try NetworkExtension.nodeID(ext)
            default: self.rest.append(ext)
            }
        }
    }
}

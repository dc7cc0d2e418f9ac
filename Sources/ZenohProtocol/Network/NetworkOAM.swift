import NIOCore

extension NetworkMessage {
    /// Network OAM (0x1F, zenoh-protocol.md section 8.7):
    /// `header (enc << 5 | Z) | oam_id (VLE u16) | [exts 0x1 QoS, 0x2 Timestamp] | body per enc`.
    ///
    /// Id 0x0001 is LINKSTATE (peer gossip); its body stays opaque here.
    public struct OAM: Hashable, Sendable {
        /// The OAM id (1 = LinkState).
        public var oamID: UInt16
        /// QoS (ext 0x1).
        public var qos: ZenohQoS
        /// Network timestamp (ext 0x2).
        public var timestamp: ZenohTimestamp?
        /// The body; its encoding goes in the header.
        public var body: ZenohExtension.Body
        /// Non-mandatory extensions this implementation does not know.
        public var unknownExtensions: [ZenohExtension]

        /// The LinkState OAM id.
        public static let linkStateID: UInt16 = 0x0001

        /// Creates a network OAM message.
        public init(
            oamID: UInt16,
            qos: ZenohQoS = .declare,
            timestamp: ZenohTimestamp? = nil,
            body: ZenohExtension.Body,
            unknownExtensions: [ZenohExtension] = []
        ) {
            self.oamID = oamID
            self.qos = qos
            self.timestamp = timestamp
            self.body = body
            self.unknownExtensions = unknownExtensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            self.oamID = try buffer.readZenohVLE(as: UInt16.self)
            let extensions = try buffer.readZenohExtensions(present: header & 0x80 != 0)
            let common = try CommonNetworkExtensions(extensions, acceptsNodeID: false)
            self.qos = common.qos
            self.timestamp = common.timestamp
            self.unknownExtensions = []
            for ext in common.rest {
                self.unknownExtensions.append(try ZenohExtension.unknown(ext, in: "OAM"))
            }
            self.body = try buffer.readZenohOAMBody(header: header)
        }

        func write(to buffer: inout ByteBuffer) {
            let extensions = [ZenohExtension].zenohMerged(
                NetworkExtension.make(qos: self.qos, timestamp: self.timestamp),
                self.unknownExtensions
            )
            buffer.writeZenohOAM(
                id: NetworkMessage.ID.oam.rawValue,
                oamID: self.oamID,
                extensions: extensions,
                body: self.body
            )
        }
    }
}

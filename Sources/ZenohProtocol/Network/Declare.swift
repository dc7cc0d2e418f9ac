import NIOCore

extension NetworkMessage {
    /// DECLARE (0x1E, zenoh-protocol.md section 8.5):
    /// `header (I, Z) | [interest_id] | [exts 0x1 QoS, 0x2 Timestamp, 0x3 NodeId] | declaration`.
    public struct Declare: Hashable, Sendable {
        /// With the I flag: the id of the Interest whose "current" part this declaration answers.
        public var interestID: UInt32?
        /// QoS (ext 0x1); Rust sends `0x08` (Control + Block).
        public var qos: ZenohQoS
        /// Network timestamp (ext 0x2).
        public var timestamp: ZenohTimestamp?
        /// Node id (ext 0x3, mandatory).
        public var nodeID: UInt16?
        /// The declaration.
        public var declaration: Declaration
        /// Non-mandatory extensions this implementation does not know.
        public var unknownExtensions: [ZenohExtension]

        /// Creates a Declare.
        public init(
            interestID: UInt32? = nil,
            qos: ZenohQoS = .declare,
            timestamp: ZenohTimestamp? = nil,
            nodeID: UInt16? = nil,
            declaration: Declaration,
            unknownExtensions: [ZenohExtension] = []
        ) {
            self.interestID = interestID
            self.qos = qos
            self.timestamp = timestamp
            self.nodeID = nodeID
            self.declaration = declaration
            self.unknownExtensions = unknownExtensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            if header & 0x20 != 0 {
                self.interestID = try buffer.readZenohVLE(as: UInt32.self)
            }
            let common = try CommonNetworkExtensions(try buffer.readZenohExtensions(present: header & 0x80 != 0))
            self.qos = common.qos
            self.timestamp = common.timestamp
            self.nodeID = common.nodeID
            self.unknownExtensions = []
            for ext in common.rest {
                self.unknownExtensions.append(try ZenohExtension.unknown(ext, in: "Declare"))
            }
            self.declaration = try Declaration.decode(from: &buffer)
        }

        func write(to buffer: inout ByteBuffer) {
            let extensions = [ZenohExtension].zenohMerged(
                NetworkExtension.make(qos: self.qos, timestamp: self.timestamp, nodeID: self.nodeID),
                self.unknownExtensions
            )
            var header = NetworkMessage.ID.declare.rawValue
            if self.interestID != nil { header |= 0x20 }
            if !extensions.isEmpty { header |= 0x80 }
            buffer.writeInteger(header)
            if let interestID = self.interestID {
                buffer.writeZenohVLE(interestID)
            }
            buffer.writeZenohExtensions(extensions)
            self.declaration.write(to: &buffer)
        }
    }
}

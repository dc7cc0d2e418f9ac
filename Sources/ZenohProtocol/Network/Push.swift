import NIOCore

extension NetworkMessage {
    /// PUSH (0x1D, zenoh-protocol.md section 8.2): `header (N, M, Z) | wire_expr | [exts] | Put or Del`.
    public struct Push: Hashable, Sendable {
        /// The body of a Push.
        public enum Body: Hashable, Sendable {
            /// A put.
            case put(ZenohMessage.Put)
            /// A delete.
            case del(ZenohMessage.Del)
        }

        /// The key.
        public var wireExpr: WireExpr
        /// QoS (ext 0x1); the default is not written.
        public var qos: ZenohQoS
        /// Network timestamp (ext 0x2).
        public var timestamp: ZenohTimestamp?
        /// Node id (ext 0x3, mandatory; router to router only).
        public var nodeID: UInt16?
        /// The publication.
        public var body: Body
        /// Non-mandatory extensions this implementation does not know (e.g. TsStack 0x7).
        public var unknownExtensions: [ZenohExtension]

        /// Creates a Push.
        public init(
            wireExpr: WireExpr,
            qos: ZenohQoS = .default,
            timestamp: ZenohTimestamp? = nil,
            nodeID: UInt16? = nil,
            body: Body,
            unknownExtensions: [ZenohExtension] = []
        ) {
            self.wireExpr = wireExpr
            self.qos = qos
            self.timestamp = timestamp
            self.nodeID = nodeID
            self.body = body
            self.unknownExtensions = unknownExtensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            self.wireExpr = try buffer.readZenohWireExpr(
                hasSuffix: header & WireExprFlags.named != 0,
                isSenderMapping: header & WireExprFlags.senderMapping != 0
            )
            let common = try CommonNetworkExtensions(try buffer.readZenohExtensions(present: header & 0x80 != 0))
            self.qos = common.qos
            self.timestamp = common.timestamp
            self.nodeID = common.nodeID
            self.unknownExtensions = []
            for ext in common.rest {
                self.unknownExtensions.append(try ZenohExtension.unknown(ext, in: "Push"))
            }
            let bodyHeader = try buffer.readZenohByte("Push body header")
            switch bodyHeader & 0x1F {
            case ZenohMessage.ID.put.rawValue:
                self.body = .put(try ZenohMessage.Put(header: bodyHeader, from: &buffer))
            case ZenohMessage.ID.del.rawValue:
                self.body = .del(try ZenohMessage.Del(header: bodyHeader, from: &buffer))
            default:
                throw .unknownMessage("Push body", header: bodyHeader)
            }
        }

        func write(to buffer: inout ByteBuffer) {
            let extensions = [ZenohExtension].zenohMerged(
                NetworkExtension.make(qos: self.qos, timestamp: self.timestamp, nodeID: self.nodeID),
                self.unknownExtensions
            )
            var header = NetworkMessage.ID.push.rawValue | WireExprFlags.bits(for: self.wireExpr)
            if !extensions.isEmpty { header |= 0x80 }
            buffer.writeInteger(header)
            buffer.writeZenohWireExpr(self.wireExpr)
            buffer.writeZenohExtensions(extensions)
            switch self.body {
            case .put(let put): put.write(to: &buffer)
            case .del(let del): del.write(to: &buffer)
            }
        }
    }
}

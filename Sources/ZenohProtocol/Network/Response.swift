import NIOCore

extension NetworkMessage {
    /// RESPONSE (0x1B, zenoh-protocol.md section 8.4):
    /// `header (N, M, Z) | request_id | wire_expr | [exts] | Reply or Err`.
    public struct Response: Hashable, Sendable {
        /// The body of a Response.
        public enum Body: Hashable, Sendable {
            /// A reply (carrying a Put or Del).
            case reply(ZenohMessage.Reply)
            /// An error reply.
            case err(ZenohMessage.Err)
        }

        /// The id of the request being answered.
        public var requestID: UInt32
        /// The reply key.
        public var wireExpr: WireExpr
        /// QoS (ext 0x1).
        public var qos: ZenohQoS
        /// Network timestamp (ext 0x2).
        public var timestamp: ZenohTimestamp?
        /// The replying queryable (ext 0x3, ZBuf).
        public var responderID: EntityGlobalID?
        /// The reply.
        public var body: Body
        /// Non-mandatory extensions this implementation does not know.
        public var unknownExtensions: [ZenohExtension]

        /// Creates a Response.
        public init(
            requestID: UInt32,
            wireExpr: WireExpr,
            qos: ZenohQoS = .request,
            timestamp: ZenohTimestamp? = nil,
            responderID: EntityGlobalID? = nil,
            body: Body,
            unknownExtensions: [ZenohExtension] = []
        ) {
            self.requestID = requestID
            self.wireExpr = wireExpr
            self.qos = qos
            self.timestamp = timestamp
            self.responderID = responderID
            self.body = body
            self.unknownExtensions = unknownExtensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            self.requestID = try buffer.readZenohVLE(as: UInt32.self)
            self.wireExpr = try buffer.readZenohWireExpr(
                hasSuffix: header & WireExprFlags.named != 0,
                isSenderMapping: header & WireExprFlags.senderMapping != 0
            )
            let extensions = try buffer.readZenohExtensions(present: header & 0x80 != 0)
            let common = try CommonNetworkExtensions(extensions, acceptsNodeID: false)
            self.qos = common.qos
            self.timestamp = common.timestamp
            self.unknownExtensions = []
            for ext in common.rest {
                if ext.id == 0x3 {
                    var body = try ext.expectZBuf("ResponderId")
                    self.responderID = try body.readZenohEntityGlobalID()
                    try body.zenohExpectEmpty(after: "ResponderId")
                } else {
                    self.unknownExtensions.append(try ZenohExtension.unknown(ext, in: "Response"))
                }
            }
            let bodyHeader = try buffer.readZenohByte("Response body header")
            switch bodyHeader & 0x1F {
            case ZenohMessage.ID.reply.rawValue:
                self.body = .reply(try ZenohMessage.Reply(header: bodyHeader, from: &buffer))
            case ZenohMessage.ID.err.rawValue:
                self.body = .err(try ZenohMessage.Err(header: bodyHeader, from: &buffer))
            default:
                throw .unknownMessage("Response body", header: bodyHeader)
            }
        }

        func write(to buffer: inout ByteBuffer) {
            var known = NetworkExtension.make(qos: self.qos, timestamp: self.timestamp)
            if let responderID = self.responderID {
                var body = ByteBuffer()
                body.writeZenohEntityGlobalID(responderID)
                known.append(.zbuf(0x3, body))
            }
            let extensions = [ZenohExtension].zenohMerged(known, self.unknownExtensions)
            var header = NetworkMessage.ID.response.rawValue | WireExprFlags.bits(for: self.wireExpr)
            if !extensions.isEmpty { header |= 0x80 }
            buffer.writeInteger(header)
            buffer.writeZenohVLE(self.requestID)
            buffer.writeZenohWireExpr(self.wireExpr)
            buffer.writeZenohExtensions(extensions)
            switch self.body {
            case .reply(let reply): reply.write(to: &buffer)
            case .err(let err): err.write(to: &buffer)
            }
        }
    }

    /// RESPONSE_FINAL (0x1A): `header (Z) | request_id | [exts 0x1 QoS, 0x2 Timestamp]`.
    public struct ResponseFinal: Hashable, Sendable {
        /// The id of the request being closed.
        public var requestID: UInt32
        /// QoS (ext 0x1).
        public var qos: ZenohQoS
        /// Network timestamp (ext 0x2).
        public var timestamp: ZenohTimestamp?
        /// Non-mandatory extensions this implementation does not know.
        public var unknownExtensions: [ZenohExtension]

        /// Creates a ResponseFinal.
        public init(
            requestID: UInt32,
            qos: ZenohQoS = .request,
            timestamp: ZenohTimestamp? = nil,
            unknownExtensions: [ZenohExtension] = []
        ) {
            self.requestID = requestID
            self.qos = qos
            self.timestamp = timestamp
            self.unknownExtensions = unknownExtensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            self.requestID = try buffer.readZenohVLE(as: UInt32.self)
            let extensions = try buffer.readZenohExtensions(present: header & 0x80 != 0)
            let common = try CommonNetworkExtensions(extensions, acceptsNodeID: false)
            self.qos = common.qos
            self.timestamp = common.timestamp
            self.unknownExtensions = []
            for ext in common.rest {
                self.unknownExtensions.append(try ZenohExtension.unknown(ext, in: "ResponseFinal"))
            }
        }

        func write(to buffer: inout ByteBuffer) {
            let extensions = [ZenohExtension].zenohMerged(
                NetworkExtension.make(qos: self.qos, timestamp: self.timestamp),
                self.unknownExtensions
            )
            buffer.writeInteger(NetworkMessage.ID.responseFinal.rawValue | (extensions.isEmpty ? 0 : 0x80))
            buffer.writeZenohVLE(self.requestID)
            buffer.writeZenohExtensions(extensions)
        }
    }
}

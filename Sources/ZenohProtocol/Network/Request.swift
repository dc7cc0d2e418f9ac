import NIOCore

/// Which queryables a request targets (Request ext 0x4).
public struct QueryTarget: Hashable, Sendable, CustomStringConvertible {
    /// The raw value: 0 best matching, 1 all, 2 all complete.
    public let rawValue: UInt8

    private init(_ rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Creates a target from its wire value; nil for unknown values.
    public init?(rawValue: UInt64) {
        guard rawValue <= 2 else { return nil }
        self.init(UInt8(rawValue))
    }

    /// The best matching queryable (default, not written).
    public static let bestMatching = Self(0)
    /// All matching queryables.
    public static let all = Self(1)
    /// All matching complete queryables.
    public static let allComplete = Self(2)

    /// The name of the target.
    public var description: String {
        ["bestMatching", "all", "allComplete"][Int(self.rawValue)]
    }
}

extension NetworkMessage {
    /// REQUEST (0x1C, zenoh-protocol.md section 8.3):
    /// `header (N, M, Z) | request_id | wire_expr | [exts] | Query`.
    public struct Request: Hashable, Sendable {
        /// The requester's id for this request (unique among its outstanding requests).
        public var requestID: UInt32
        /// The queried key.
        public var wireExpr: WireExpr
        /// QoS (ext 0x1); Rust sends `0x0D` (Data + Block).
        public var qos: ZenohQoS
        /// Network timestamp (ext 0x2).
        public var timestamp: ZenohTimestamp?
        /// Node id (ext 0x3, mandatory).
        public var nodeID: UInt16?
        /// Target (ext 0x4, Z64, mandatory); best matching is not written.
        public var target: QueryTarget
        /// Maximum number of replies (ext 0x5).
        public var budget: UInt32?
        /// Timeout in milliseconds (ext 0x6).
        public var timeoutMilliseconds: UInt64?
        /// The query.
        public var query: ZenohMessage.Query
        /// Non-mandatory extensions this implementation does not know (e.g. TsStack 0x7).
        public var unknownExtensions: [ZenohExtension]

        /// Creates a Request.
        public init(
            requestID: UInt32,
            wireExpr: WireExpr,
            qos: ZenohQoS = .request,
            timestamp: ZenohTimestamp? = nil,
            nodeID: UInt16? = nil,
            target: QueryTarget = .bestMatching,
            budget: UInt32? = nil,
            timeoutMilliseconds: UInt64? = nil,
            query: ZenohMessage.Query,
            unknownExtensions: [ZenohExtension] = []
        ) {
            self.requestID = requestID
            self.wireExpr = wireExpr
            self.qos = qos
            self.timestamp = timestamp
            self.nodeID = nodeID
            self.target = target
            self.budget = budget
            self.timeoutMilliseconds = timeoutMilliseconds
            self.query = query
            self.unknownExtensions = unknownExtensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            self.requestID = try buffer.readZenohVLE(as: UInt32.self)
            self.wireExpr = try buffer.readZenohWireExpr(
                hasSuffix: header & WireExprFlags.named != 0,
                isSenderMapping: header & WireExprFlags.senderMapping != 0
            )
            let common = try CommonNetworkExtensions(try buffer.readZenohExtensions(present: header & 0x80 != 0))
            self.qos = common.qos
            self.timestamp = common.timestamp
            self.nodeID = common.nodeID
            self.target = .bestMatching
            self.unknownExtensions = []
            for ext in common.rest {
                switch ext.id {
                case 0x4:
                    let raw = try ext.expectZ64("Target")
                    guard let target = QueryTarget(rawValue: raw) else {
                        throw .invalid("query target \(raw)")
                    }
                    self.target = target
                case 0x5:
                    let raw = try ext.expectZ64("Budget")
                    guard let budget = UInt32(exactly: raw) else { throw .overflow("budget \(raw)") }
                    self.budget = budget
                case 0x6:
                    self.timeoutMilliseconds = try ext.expectZ64("Timeout")
                default:
                    self.unknownExtensions.append(try ZenohExtension.unknown(ext, in: "Request"))
                }
            }
            let bodyHeader = try buffer.readZenohByte("Request body header")
            guard bodyHeader & 0x1F == ZenohMessage.ID.query.rawValue else {
                throw .unknownMessage("Request body", header: bodyHeader)
            }
            self.query = try ZenohMessage.Query(header: bodyHeader, from: &buffer)
        }

        func write(to buffer: inout ByteBuffer) {
            var known = NetworkExtension.make(qos: self.qos, timestamp: self.timestamp, nodeID: self.nodeID)
            if self.target != .bestMatching { known.append(.z64(0x4, UInt64(self.target.rawValue), mandatory: true)) }
            if let budget = self.budget { known.append(.z64(0x5, UInt64(budget))) }
            if let timeout = self.timeoutMilliseconds { known.append(.z64(0x6, timeout)) }
            let extensions = [ZenohExtension].zenohMerged(known, self.unknownExtensions)
            var header = NetworkMessage.ID.request.rawValue | WireExprFlags.bits(for: self.wireExpr)
            if !extensions.isEmpty { header |= 0x80 }
            buffer.writeInteger(header)
            buffer.writeZenohVLE(self.requestID)
            buffer.writeZenohWireExpr(self.wireExpr)
            buffer.writeZenohExtensions(extensions)
            self.query.write(to: &buffer)
        }
    }
}

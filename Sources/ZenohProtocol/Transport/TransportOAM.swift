import NIOCore

extension TransportMessage {
    /// Transport-level OAM (0x00): `header (enc << 5 | Z) | id | [exts: QoS 0x1] | body per enc`.
    ///
    /// Never observed on unicast links; decoded so a batch that carries one stays decodable.
    public struct OAM: Hashable, Sendable {
        /// The OAM id.
        public var oamID: UInt16
        /// The QoS extension (0x1).
        public var qos: ZenohQoS
        /// The body, whose encoding is announced in the header.
        public var body: ZenohExtension.Body
        /// Non-mandatory extensions this implementation does not know.
        public var unknownExtensions: [ZenohExtension]

        /// Creates a transport OAM message.
        public init(
            oamID: UInt16, qos: ZenohQoS = .default, body: ZenohExtension.Body, unknownExtensions: [ZenohExtension] = []
        ) {
            self.oamID = oamID
            self.qos = qos
            self.body = body
            self.unknownExtensions = unknownExtensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            self.oamID = try buffer.readZenohVLE(as: UInt16.self)
            self.qos = .default
            self.unknownExtensions = []
            for ext in try buffer.readZenohExtensions(present: header & 0x80 != 0) {
                switch ext.id {
                case 0x1: self.qos = ZenohQoS(rawValue: try ext.expectZ64("OAM QoS"))
                default: self.unknownExtensions.append(try ZenohExtension.unknown(ext, in: "OAM"))
                }
            }
            self.body = try buffer.readZenohOAMBody(header: header)
        }

        func write(to buffer: inout ByteBuffer) {
            var extensions: [ZenohExtension] = []
            if self.qos != .default { extensions.append(.z64(0x1, self.qos.rawValue)) }
            extensions = .zenohMerged(extensions, self.unknownExtensions)
            buffer.writeZenohOAM(
                id: TransportMessage.ID.oam.rawValue,
                oamID: self.oamID,
                extensions: extensions,
                body: self.body
            )
        }
    }
}

extension ByteBuffer {
    /// Reads an OAM body whose encoding is in header bits 5-6.
    mutating func readZenohOAMBody(header: UInt8) throws(ZenohDecodingError) -> ZenohExtension.Body {
        switch (header >> 5) & 0b11 {
        case 0b00: return .unit
        case 0b01: return .z64(try self.readZenohVLE(as: UInt64.self))
        case 0b10: return .zbuf(try self.readZenohBytes(maximumLength: ZenohLimits.maximumZBufLength))
        default: throw .invalid("reserved OAM body encoding")
        }
    }

    /// Writes a transport or network OAM message.
    mutating func writeZenohOAM(id: UInt8, oamID: UInt16, extensions: [ZenohExtension], body: ZenohExtension.Body) {
        var header = id
        switch body {
        case .unit: break
        case .z64: header |= 0x20
        case .zbuf: header |= 0x40
        }
        if !extensions.isEmpty { header |= 0x80 }
        self.writeInteger(header)
        self.writeZenohVLE(oamID)
        self.writeZenohExtensions(extensions)
        switch body {
        case .unit: break
        case .z64(let value): self.writeZenohVLE(value)
        case .zbuf(let bytes): self.writeZenohBytes(bytes)
        }
    }
}

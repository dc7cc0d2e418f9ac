public import NIOCore

extension ZenohMessage {
    /// QUERY (0x03): `header (C, P, Z) | [consolidation] | [parameters] | [exts]`.
    ///
    /// Extensions: 0x1 SourceInfo, 0x3 Body (encoding then payload, no inner length),
    /// 0x4 Shm (mandatory, unsupported), 0x5 Attachment.
    public struct Query: Hashable, Sendable {
        /// A value sent with a query (ext 0x3).
        public struct Body: Hashable, Sendable {
            /// The payload encoding.
            public var encoding: ZenohEncoding
            /// The payload.
            public var payload: ByteBuffer

            /// Creates a query body.
            public init(encoding: ZenohEncoding = .zenohBytes, payload: ByteBuffer) {
                self.encoding = encoding
                self.payload = payload
            }
        }

        /// The consolidation (C flag); auto is not written.
        public var consolidation: ConsolidationMode
        /// The selector parameters after `?` (P flag), e.g. `k=v;k2=v2`.
        public var parameters: String
        /// Source information (ext 0x1).
        public var sourceInfo: SourceInfo?
        /// The query value (ext 0x3).
        public var body: Body?
        /// The user attachment (ext 0x5), verbatim.
        public var attachment: ByteBuffer?
        /// Non-mandatory extensions this implementation does not know.
        public var unknownExtensions: [ZenohExtension]

        /// Creates a Query.
        public init(
            consolidation: ConsolidationMode = .latest,
            parameters: String = "",
            sourceInfo: SourceInfo? = nil,
            body: Body? = nil,
            attachment: ByteBuffer? = nil,
            unknownExtensions: [ZenohExtension] = []
        ) {
            self.consolidation = consolidation
            self.parameters = parameters
            self.sourceInfo = sourceInfo
            self.body = body
            self.attachment = attachment
            self.unknownExtensions = unknownExtensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            self.consolidation = header & 0x20 != 0 ? try buffer.readZenohConsolidation() : .auto
            self.parameters = header & 0x40 != 0 ? try buffer.readZenohString() : ""
            self.unknownExtensions = []
            for ext in try buffer.readZenohExtensions(present: header & 0x80 != 0) {
                switch ext.id {
                case 0x1:
                    self.sourceInfo = try SourceInfo.decode(ext)
                case 0x3:
                    var value = try ext.expectZBuf("Query body")
                    let encoding = try value.readZenohEncoding()
                    self.body = Body(encoding: encoding, payload: value)
                case 0x5:
                    self.attachment = try ext.expectZBuf("Attachment")
                default:
                    self.unknownExtensions.append(try ZenohExtension.unknown(ext, in: "Query"))
                }
            }
        }

        func write(to buffer: inout ByteBuffer) {
            var known: [ZenohExtension] = []
            if let sourceInfo = self.sourceInfo { known.append(.zbuf(0x1, sourceInfo.extensionBody)) }
            if let body = self.body {
                var value = ByteBuffer()
                value.writeZenohEncoding(body.encoding)
                var payload = body.payload
                value.writeBuffer(&payload)
                known.append(.zbuf(0x3, value))
            }
            if let attachment = self.attachment { known.append(.zbuf(0x5, attachment)) }
            let extensions = [ZenohExtension].zenohMerged(known, self.unknownExtensions)
            var header = ZenohMessage.ID.query.rawValue
            if self.consolidation != .auto { header |= 0x20 }
            if !self.parameters.isEmpty { header |= 0x40 }
            if !extensions.isEmpty { header |= 0x80 }
            buffer.writeInteger(header)
            if self.consolidation != .auto { buffer.writeZenohVLE(self.consolidation.rawValue) }
            if !self.parameters.isEmpty { buffer.writeZenohString(self.parameters) }
            buffer.writeZenohExtensions(extensions)
        }
    }
}

extension ByteBuffer {
    /// Reads a consolidation mode (VLE 0...3).
    mutating func readZenohConsolidation() throws(ZenohDecodingError) -> ConsolidationMode {
        let raw = try self.readZenohVLE(as: UInt64.self)
        guard let mode = ConsolidationMode(rawValue: raw) else {
            throw .invalid("consolidation \(raw)")
        }
        return mode
    }
}

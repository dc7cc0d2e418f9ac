public import NIOCore

extension ZenohMessage {
    /// REPLY (0x04): `header (C, Z) | [consolidation] | [exts] | PUT or DEL`.
    public struct Reply: Hashable, Sendable {
        /// The consolidation (C flag); auto is not written.
        public var consolidation: ConsolidationMode
        /// The replied value.
        public var body: NetworkMessage.Push.Body
        /// Non-mandatory extensions this implementation does not know.
        public var unknownExtensions: [ZenohExtension]

        /// Creates a Reply.
        public init(
            consolidation: ConsolidationMode = .auto,
            body: NetworkMessage.Push.Body,
            unknownExtensions: [ZenohExtension] = []
        ) {
            self.consolidation = consolidation
            self.body = body
            self.unknownExtensions = unknownExtensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            self.consolidation = header & 0x20 != 0 ? try buffer.readZenohConsolidation() : .auto
            self.unknownExtensions = []
            for ext in try buffer.readZenohExtensions(present: header & 0x80 != 0) {
                self.unknownExtensions.append(try ZenohExtension.unknown(ext, in: "Reply"))
            }
            let bodyHeader = try buffer.readZenohByte("Reply body header")
            switch bodyHeader & 0x1F {
            case ZenohMessage.ID.put.rawValue:
                self.body = .put(try Put(header: bodyHeader, from: &buffer))
            case ZenohMessage.ID.del.rawValue:
                self.body = .del(try Del(header: bodyHeader, from: &buffer))
            default:
                throw .unknownMessage("Reply body", header: bodyHeader)
            }
        }

        func write(to buffer: inout ByteBuffer) {
            var header = ZenohMessage.ID.reply.rawValue
            if self.consolidation != .auto { header |= 0x20 }
            if !self.unknownExtensions.isEmpty { header |= 0x80 }
            buffer.writeInteger(header)
            if self.consolidation != .auto { buffer.writeZenohVLE(self.consolidation.rawValue) }
            buffer.writeZenohExtensions(self.unknownExtensions)
            switch self.body {
            case .put(let put): put.write(to: &buffer)
            case .del(let del): del.write(to: &buffer)
            }
        }
    }

    /// ERR (0x05): `header (E in bit 6, Z) | [encoding] | [exts] | payload <u8;z32>`.
    ///
    /// Extensions: 0x1 SourceInfo, 0x2 Shm (mandatory, unsupported).
    public struct Err: Hashable, Sendable {
        /// The payload encoding (E flag).
        public var encoding: ZenohEncoding
        /// Source information (ext 0x1).
        public var sourceInfo: SourceInfo?
        /// The error payload.
        public var payload: ByteBuffer
        /// Non-mandatory extensions this implementation does not know.
        public var unknownExtensions: [ZenohExtension]

        /// Creates an Err.
        public init(
            encoding: ZenohEncoding = .zenohBytes,
            sourceInfo: SourceInfo? = nil,
            payload: ByteBuffer,
            unknownExtensions: [ZenohExtension] = []
        ) {
            self.encoding = encoding
            self.sourceInfo = sourceInfo
            self.payload = payload
            self.unknownExtensions = unknownExtensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            self.encoding = header & 0x40 != 0 ? try buffer.readZenohEncoding() : .zenohBytes
            self.unknownExtensions = []
            for ext in try buffer.readZenohExtensions(present: header & 0x80 != 0) {
                switch ext.id {
                case 0x1: self.sourceInfo = try SourceInfo.decode(ext)
                default: self.unknownExtensions.append(try ZenohExtension.unknown(ext, in: "Err"))
                }
            }
            self.payload = try buffer.readZenohPayload()
        }

        func write(to buffer: inout ByteBuffer) {
            var known: [ZenohExtension] = []
            if let sourceInfo = self.sourceInfo { known.append(.zbuf(0x1, sourceInfo.extensionBody)) }
            let extensions = [ZenohExtension].zenohMerged(known, self.unknownExtensions)
            var header = ZenohMessage.ID.err.rawValue
            if !self.encoding.isDefault { header |= 0x40 }
            if !extensions.isEmpty { header |= 0x80 }
            buffer.writeInteger(header)
            if !self.encoding.isDefault { buffer.writeZenohEncoding(self.encoding) }
            buffer.writeZenohExtensions(extensions)
            buffer.writeZenohBytes(self.payload)
        }
    }
}

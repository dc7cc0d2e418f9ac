public import NIOCore

extension ZenohMessage {
    /// PUT (0x01): `header (T, E, Z) | [timestamp] | [encoding] | [exts] | payload <u8;z32>`.
    ///
    /// Extensions: 0x1 SourceInfo, 0x2 Shm (mandatory, unsupported: such a Put fails to decode),
    /// 0x3 Attachment.
    public struct Put: Hashable, Sendable {
        /// The data timestamp (T flag).
        public var timestamp: ZenohTimestamp?
        /// The payload encoding (E flag); the default encoding is not written.
        public var encoding: ZenohEncoding
        /// Source information (ext 0x1).
        public var sourceInfo: SourceInfo?
        /// The user attachment (ext 0x3), verbatim.
        public var attachment: ByteBuffer?
        /// The payload.
        public var payload: ByteBuffer
        /// Non-mandatory extensions this implementation does not know.
        public var unknownExtensions: [ZenohExtension]

        /// Creates a Put.
        public init(
            timestamp: ZenohTimestamp? = nil,
            encoding: ZenohEncoding = .zenohBytes,
            sourceInfo: SourceInfo? = nil,
            attachment: ByteBuffer? = nil,
            payload: ByteBuffer,
            unknownExtensions: [ZenohExtension] = []
        ) {
            self.timestamp = timestamp
            self.encoding = encoding
            self.sourceInfo = sourceInfo
            self.attachment = attachment
            self.payload = payload
            self.unknownExtensions = unknownExtensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            self.timestamp = header & 0x20 != 0 ? try buffer.readZenohTimestamp() : nil
            self.encoding = header & 0x40 != 0 ? try buffer.readZenohEncoding() : .zenohBytes
            self.unknownExtensions = []
            for ext in try buffer.readZenohExtensions(present: header & 0x80 != 0) {
                switch ext.id {
                case 0x1: self.sourceInfo = try SourceInfo.decode(ext)
                case 0x3: self.attachment = try ext.expectZBuf("Attachment")
                default: self.unknownExtensions.append(try ZenohExtension.unknown(ext, in: "Put"))
                }
            }
            self.payload = try buffer.readZenohPayload()
        }

        func write(to buffer: inout ByteBuffer) {
            var known: [ZenohExtension] = []
            if let sourceInfo = self.sourceInfo { known.append(.zbuf(0x1, sourceInfo.extensionBody)) }
            if let attachment = self.attachment { known.append(.zbuf(0x3, attachment)) }
            let extensions = [ZenohExtension].zenohMerged(known, self.unknownExtensions)
            var header = ZenohMessage.ID.put.rawValue
            if self.timestamp != nil { header |= 0x20 }
            if !self.encoding.isDefault { header |= 0x40 }
            if !extensions.isEmpty { header |= 0x80 }
            buffer.writeInteger(header)
            if let timestamp = self.timestamp { buffer.writeZenohTimestamp(timestamp) }
            if !self.encoding.isDefault { buffer.writeZenohEncoding(self.encoding) }
            buffer.writeZenohExtensions(extensions)
            buffer.writeZenohBytes(self.payload)
        }
    }

    /// DEL (0x02): `header (T, Z) | [timestamp] | [exts 0x1 SourceInfo, 0x2 Attachment]`.
    public struct Del: Hashable, Sendable {
        /// The data timestamp (T flag).
        public var timestamp: ZenohTimestamp?
        /// Source information (ext 0x1).
        public var sourceInfo: SourceInfo?
        /// The user attachment (ext 0x2), verbatim.
        public var attachment: ByteBuffer?
        /// Non-mandatory extensions this implementation does not know.
        public var unknownExtensions: [ZenohExtension]

        /// Creates a Del.
        public init(
            timestamp: ZenohTimestamp? = nil,
            sourceInfo: SourceInfo? = nil,
            attachment: ByteBuffer? = nil,
            unknownExtensions: [ZenohExtension] = []
        ) {
            self.timestamp = timestamp
            self.sourceInfo = sourceInfo
            self.attachment = attachment
            self.unknownExtensions = unknownExtensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            self.timestamp = header & 0x20 != 0 ? try buffer.readZenohTimestamp() : nil
            self.unknownExtensions = []
            for ext in try buffer.readZenohExtensions(present: header & 0x80 != 0) {
                switch ext.id {
                case 0x1: self.sourceInfo = try SourceInfo.decode(ext)
                case 0x2: self.attachment = try ext.expectZBuf("Attachment")
                default: self.unknownExtensions.append(try ZenohExtension.unknown(ext, in: "Del"))
                }
            }
        }

        func write(to buffer: inout ByteBuffer) {
            var known: [ZenohExtension] = []
            if let sourceInfo = self.sourceInfo { known.append(.zbuf(0x1, sourceInfo.extensionBody)) }
            if let attachment = self.attachment { known.append(.zbuf(0x2, attachment)) }
            let extensions = [ZenohExtension].zenohMerged(known, self.unknownExtensions)
            var header = ZenohMessage.ID.del.rawValue
            if self.timestamp != nil { header |= 0x20 }
            if !extensions.isEmpty { header |= 0x80 }
            buffer.writeInteger(header)
            if let timestamp = self.timestamp { buffer.writeZenohTimestamp(timestamp) }
            buffer.writeZenohExtensions(extensions)
        }
    }
}

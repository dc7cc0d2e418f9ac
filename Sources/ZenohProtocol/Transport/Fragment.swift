public import NIOCore

extension TransportMessage {
    /// FRAGMENT (zenoh-protocol.md sections 5.5 and 7): a piece of one serialized network message.
    ///
    /// The payload always runs to the end of the batch.
    public struct Fragment: Hashable, Sendable {
        /// Whether the fragment travels on the reliable channel (R flag).
        public var isReliable: Bool
        /// Whether more fragments of the same message follow (M flag).
        public var hasMore: Bool
        /// The sequence number, consecutive with frames on the same channel.
        public var sn: UInt32
        /// The QoS lane (ext 0x1, Z64, mandatory).
        public var qos: ZenohQoS
        /// The First marker (ext 0x2, Unit): this fragment starts a message (patch >= 1).
        public var isFirst: Bool
        /// The Drop marker (ext 0x3, Unit): the sender abandoned the message being fragmented.
        public var isDrop: Bool
        /// The bytes of this piece.
        public var payload: ByteBuffer
        /// Non-mandatory extensions this implementation does not know, kept for re-encoding.
        public var unknownExtensions: [ZenohExtension]

        /// Creates a Fragment.
        public init(
            isReliable: Bool = true,
            hasMore: Bool,
            sn: UInt32,
            qos: ZenohQoS = .default,
            isFirst: Bool = false,
            isDrop: Bool = false,
            payload: ByteBuffer,
            unknownExtensions: [ZenohExtension] = []
        ) {
            self.isReliable = isReliable
            self.hasMore = hasMore
            self.sn = sn
            self.qos = qos
            self.isFirst = isFirst
            self.isDrop = isDrop
            self.payload = payload
            self.unknownExtensions = unknownExtensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            self.isReliable = header & 0x20 != 0
            self.hasMore = header & 0x40 != 0
            self.sn = try buffer.readZenohVLE(as: UInt32.self)
            self.qos = .default
            self.isFirst = false
            self.isDrop = false
            self.unknownExtensions = []
            for ext in try buffer.readZenohExtensions(present: header & 0x80 != 0) {
                switch ext.id {
                case 0x1: self.qos = ZenohQoS(rawValue: try ext.expectZ64("Fragment QoS"))
                case 0x2:
                    try ext.expectUnit("Fragment First")
                    self.isFirst = true
                case 0x3:
                    try ext.expectUnit("Fragment Drop")
                    self.isDrop = true
                default: self.unknownExtensions.append(try ZenohExtension.unknown(ext, in: "Fragment"))
                }
            }
            self.payload = try buffer.readZenohSlice(length: buffer.readableBytes)
        }

        /// The size of everything but the payload, for a sender filling a batch.
        public var headerLength: Int {
            var scratch = ByteBuffer()
            var copy = self
            copy.payload = ByteBuffer()
            copy.write(to: &scratch)
            return scratch.readableBytes
        }

        func write(to buffer: inout ByteBuffer) {
            var extensions: [ZenohExtension] = []
            if self.qos != .default { extensions.append(.z64(0x1, self.qos.rawValue, mandatory: true)) }
            if self.isFirst { extensions.append(.unit(0x2)) }
            if self.isDrop { extensions.append(.unit(0x3)) }
            extensions = .zenohMerged(extensions, self.unknownExtensions)
            var header = TransportMessage.ID.fragment.rawValue
            if self.isReliable { header |= 0x20 }
            if self.hasMore { header |= 0x40 }
            if !extensions.isEmpty { header |= 0x80 }
            buffer.writeInteger(header)
            buffer.writeZenohVLE(self.sn)
            buffer.writeZenohExtensions(extensions)
            var payload = self.payload
            buffer.writeBuffer(&payload)
        }
    }
}

import NIOCore

extension TransportMessage {
    /// FRAME (zenoh-protocol.md section 5.4): `header | sn | [QoS ext] | network messages`.
    ///
    /// The network messages run to the first byte whose low 5 bits are not a network message id
    /// (0x19...0x1F), or to the end of the batch.
    public struct Frame: Hashable, Sendable {
        /// Whether the frame travels on the reliable channel (R flag).
        public var isReliable: Bool
        /// The frame sequence number on its channel.
        public var sn: UInt32
        /// The QoS lane (ext 0x1, Z64, mandatory); written only when not the default (Data).
        public var qos: ZenohQoS
        /// The network messages.
        public var messages: [NetworkMessage]
        /// Non-mandatory extensions this implementation does not know, kept for re-encoding.
        public var unknownExtensions: [ZenohExtension]

        /// Creates a Frame.
        public init(
            isReliable: Bool = true,
            sn: UInt32,
            qos: ZenohQoS = .default,
            messages: [NetworkMessage],
            unknownExtensions: [ZenohExtension] = []
        ) {
            self.isReliable = isReliable
            self.sn = sn
            self.qos = qos
            self.messages = messages
            self.unknownExtensions = unknownExtensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            self.isReliable = header & 0x20 != 0
            self.sn = try buffer.readZenohVLE(as: UInt32.self)
            self.qos = .default
            self.unknownExtensions = []
            for ext in try buffer.readZenohExtensions(present: header & 0x80 != 0) {
                switch ext.id {
                case 0x1: self.qos = ZenohQoS(rawValue: try ext.expectZ64("Frame QoS"))
                default: self.unknownExtensions.append(try ZenohExtension.unknown(ext, in: "Frame"))
                }
            }
            self.messages = []
            while let next = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
                NetworkMessage.ID(rawValue: next & 0x1F) != nil
            {
                guard self.messages.count < ZenohLimits.maximumMessagesPerFrame else {
                    throw .limit("more than \(ZenohLimits.maximumMessagesPerFrame) messages in a Frame")
                }
                self.messages.append(try NetworkMessage.decode(from: &buffer))
            }
        }

        func write(to buffer: inout ByteBuffer) {
            var extensions: [ZenohExtension] = []
            if self.qos != .default {
                extensions.append(.z64(0x1, self.qos.rawValue, mandatory: true))
            }
            extensions = .zenohMerged(extensions, self.unknownExtensions)
            var header = TransportMessage.ID.frame.rawValue
            if self.isReliable { header |= 0x20 }
            if !extensions.isEmpty { header |= 0x80 }
            buffer.writeInteger(header)
            buffer.writeZenohVLE(self.sn)
            buffer.writeZenohExtensions(extensions)
            for message in self.messages {
                buffer.writeZenohNetworkMessage(message)
            }
        }
    }
}

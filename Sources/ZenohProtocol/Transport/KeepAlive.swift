import NIOCore

extension TransportMessage {
    /// KEEP_ALIVE (zenoh-protocol.md section 5.3): a single header byte `0x04`.
    public struct KeepAlive: Hashable, Sendable {
        /// Extensions kept from the wire (none are defined).
        public var extensions: [ZenohExtension]

        /// Creates a KeepAlive.
        public init(extensions: [ZenohExtension] = []) {
            self.extensions = extensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            var extensions = try buffer.readZenohExtensions(present: header & 0x80 != 0)
            for index in extensions.indices {
                extensions[index] = try ZenohExtension.unknown(extensions[index], in: "KeepAlive")
            }
            self.init(extensions: extensions)
        }

        func write(to buffer: inout ByteBuffer) {
            buffer.writeInteger(TransportMessage.ID.keepAlive.rawValue | (self.extensions.isEmpty ? 0 : 0x80))
            buffer.writeZenohExtensions(self.extensions)
        }
    }
}

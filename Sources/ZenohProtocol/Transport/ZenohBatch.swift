public import NIOCore

/// Level 2 of decoding (house style G4): a complete batch into transport messages.
public enum ZenohBatch {
    /// Decodes every transport message of a complete batch (without its 2-byte length prefix).
    ///
    /// The whole buffer must be consumed: bytes that do not form a transport message are an error.
    public static func decode(_ batch: ByteBuffer) throws(ZenohDecodingError) -> [TransportMessage] {
        guard batch.readableBytes <= ZenohLimits.maximumBatchLength else {
            throw .limit("batch of \(batch.readableBytes) bytes")
        }
        var buffer = batch
        var messages: [TransportMessage] = []
        while buffer.readableBytes > 0 {
            messages.append(try TransportMessage.decode(from: &buffer))
        }
        return messages
    }

    /// Encodes transport messages into one batch (without the length prefix).
    public static func encode(_ messages: [TransportMessage]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for message in messages {
            buffer.writeZenohTransportMessage(message)
        }
        return buffer
    }

    /// Writes a batch with its 2-byte little-endian length prefix, as stream links carry it.
    ///
    /// Returns nil if the batch is longer than 65 535 bytes.
    public static func framed(_ batch: ByteBuffer) -> ByteBuffer? {
        guard let length = UInt16(exactly: batch.readableBytes) else {
            return nil
        }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(batch.readableBytes + 2)
        buffer.writeInteger(length, endianness: .little)
        var copy = batch
        buffer.writeBuffer(&copy)
        return buffer
    }
}

extension NetworkMessage {
    /// Decodes exactly one network message filling `buffer` (e.g. a reassembled fragment chain).
    public static func decodeComplete(_ buffer: ByteBuffer) throws(ZenohDecodingError) -> NetworkMessage {
        var copy = buffer
        let message = try NetworkMessage.decode(from: &copy)
        try copy.zenohExpectEmpty(after: "network message")
        return message
    }
}

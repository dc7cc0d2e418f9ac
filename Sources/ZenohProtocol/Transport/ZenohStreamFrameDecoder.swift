public import NIOCore

/// Level 1 of decoding (house style G4): splits a stream link's bytes into batches.
///
/// Stream links (TCP, TLS) carry `u16 little-endian length | batch bytes` (zenoh-protocol.md
/// section 4). Each decoded element is one complete batch, without its prefix, as a zero-copy
/// slice. A length above ``maximumBatchLength`` throws `ZenohDecodingError` with code
/// `.limitExceeded`; the Rust receiver closes the link in that case.
public struct ZenohStreamFrameDecoder: NIOSingleStepByteToMessageDecoder {
    /// One complete batch.
    public typealias InboundOut = ByteBuffer

    /// The largest accepted batch length (the value of the prefix), at most 65 535.
    ///
    /// With a negotiated batch size `n` (which counts the prefix), use `n - 2`.
    public let maximumBatchLength: Int

    /// Creates a decoder.
    public init(maximumBatchLength: Int = ZenohLimits.maximumBatchLength) {
        self.maximumBatchLength = min(max(0, maximumBatchLength), ZenohLimits.maximumBatchLength)
    }

    /// Returns the next batch, or nil if more bytes are needed.
    public mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .little, as: UInt16.self) else {
            return nil
        }
        guard Int(length) <= self.maximumBatchLength else {
            throw ZenohDecodingError.limit("batch length \(length) exceeds \(self.maximumBatchLength)")
        }
        guard buffer.readableBytes >= Int(length) + 2 else {
            return nil
        }
        buffer.moveReaderIndex(forwardBy: 2)
        return buffer.readSlice(length: Int(length))
    }

    /// Same as ``decode(buffer:)``; a partial batch left at end of stream is reported by NIO.
    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try self.decode(buffer: &buffer)
    }
}

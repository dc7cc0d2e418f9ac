public import MessagePack
public import NIOCore

/// A body of the LeRobot remote-inference protocol: a MessagePack map with string keys.
///
/// Decoding is tolerant (unknown keys ignored, missing keys defaulted) so the schema can grow additively;
/// encoding writes every field in LeRobot's key order, byte for byte as Python's `msgpack.packb` does.
public protocol PolicyWireMessage: Sendable, Hashable {
    /// Decodes from an already-parsed map.
    init(messagePack value: MessagePackValue) throws(PolicyWireError)
    /// Appends the MessagePack encoding to `buffer`.
    func encode(into buffer: inout ByteBuffer)
}

extension PolicyWireMessage {
    /// Decodes a whole body (the readable bytes of `body`). `bin` payloads stay slices of `body`: no copies.
    public init(decoding body: ByteBuffer, limits: MessagePackDecoder.Limits = .default) throws(PolicyWireError) {
        let value: MessagePackValue
        do {
            value = try MessagePackDecoder(limits: limits).decode(body)
        } catch {
            throw PolicyWireError(.malformedBody, "\(Self.self) body is not valid MessagePack: \(error)", cause: error)
        }
        try self.init(messagePack: value)
    }

    /// The MessagePack body.
    public func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 512)
        encode(into: &buffer)
        return buffer
    }
}

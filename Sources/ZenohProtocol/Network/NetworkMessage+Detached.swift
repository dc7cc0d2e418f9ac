public import NIOCore

extension NetworkMessage {
    /// The payload that ends this message on the wire, if it has one: the Put of a Push, or the Put of a
    /// Reply in a Response. Those payloads are the last field of their message (`<u8;z32>`).
    var trailingPayload: ByteBuffer? {
        switch self {
        case .push(let push):
            if case .put(let put) = push.body { return put.payload }
        case .response(let response):
            if case .reply(let reply) = response.body, case .put(let put) = reply.body { return put.payload }
        default:
            break
        }
        return nil
    }

    /// The same message with its trailing payload emptied.
    var withoutTrailingPayload: NetworkMessage {
        switch self {
        case .push(var push):
            if case .put(var put) = push.body {
                put.payload = ByteBuffer()
                push.body = .put(put)
            }
            return .push(push)
        case .response(var response):
            if case .reply(var reply) = response.body, case .put(var put) = reply.body {
                put.payload = ByteBuffer()
                reply.body = .put(put)
                response.body = .reply(reply)
            }
            return .response(response)
        default:
            return self
        }
    }
}

extension ByteBuffer {
    /// Writes `message` without copying a large trailing payload: when the message ends with a payload of at
    /// least `minimumDetached` bytes, everything up to and including that payload's length is written and the
    /// payload itself is returned, to be sent right after these bytes. Otherwise the whole message is written
    /// and nil is returned.
    ///
    /// The written bytes followed by the returned payload are exactly what ``writeZenohNetworkMessage(_:)``
    /// writes; a sender can hand both to a gathering write instead of copying the payload.
    @discardableResult
    public mutating func writeZenohNetworkMessage(
        _ message: NetworkMessage, detachingPayloadOf minimumDetached: Int
    ) -> ByteBuffer? {
        guard let payload = message.trailingPayload, payload.readableBytes >= minimumDetached else {
            self.writeZenohNetworkMessage(message)
            return nil
        }
        self.writeZenohNetworkMessage(message.withoutTrailingPayload)
        // The emptied payload was written as its length alone, the single byte 0x00: replace it.
        self.moveWriterIndex(to: self.writerIndex - 1)
        self.writeZenohVLE(UInt64(payload.readableBytes))
        return payload
    }
}

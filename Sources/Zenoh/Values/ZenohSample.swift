public import NIOCore
public import ZenohProtocol

/// Whether a sample announces a value or the removal of the key.
public enum ZenohSampleKind: Hashable, Sendable {
    /// A value was put (or a liveliness token appeared).
    case put
    /// The key was deleted (or a liveliness token disappeared).
    case delete
}

/// One publication delivered to a subscriber, a reply to a `get`, or a liveliness change.
public struct ZenohSample: Hashable, Sendable {
    /// Put or delete.
    public var kind: ZenohSampleKind
    /// The concrete key the value was published on.
    public var key: KeyExpr
    /// The payload (empty for deletes and liveliness samples).
    public var payload: ByteBuffer
    /// The payload encoding (`zenoh/bytes` when the publisher did not say).
    public var encoding: ZenohEncoding
    /// The publisher's attachment, verbatim.
    public var attachment: ByteBuffer?
    /// The timestamp added by the publisher or by the router that forwarded the sample.
    public var timestamp: ZenohTimestamp?
    /// The publication's QoS as it travelled: priority, congestion control and express.
    public var qos: ZenohQoS

    /// Creates a sample.
    public init(
        kind: ZenohSampleKind, key: KeyExpr, payload: ByteBuffer = ByteBuffer(), encoding: ZenohEncoding = .zenohBytes,
        attachment: ByteBuffer? = nil, timestamp: ZenohTimestamp? = nil, qos: ZenohQoS = .default
    ) {
        self.qos = qos
        self.kind = kind
        self.key = key
        self.payload = payload
        self.encoding = encoding
        self.attachment = attachment
        self.timestamp = timestamp
    }

    /// The sample carried by a Push, Reply or the local put that produced it.
    init(
        key: KeyExpr, body: NetworkMessage.Push.Body, networkTimestamp: ZenohTimestamp? = nil, qos: ZenohQoS = .default
    ) {
        switch body {
        case .put(let put):
            self.init(
                kind: .put, key: key, payload: put.payload, encoding: put.encoding, attachment: put.attachment,
                timestamp: put.timestamp ?? networkTimestamp, qos: qos)
        case .del(let del):
            self.init(
                kind: .delete, key: key, attachment: del.attachment, timestamp: del.timestamp ?? networkTimestamp,
                qos: qos)
        }
    }
}

/// An error reply sent by a queryable (`query.replyError(...)` on the other side).
public struct ZenohReplyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The error payload.
    public var payload: ByteBuffer
    /// The payload encoding.
    public var encoding: ZenohEncoding

    /// Creates an error reply value.
    public init(payload: ByteBuffer, encoding: ZenohEncoding = .zenohBytes) {
        self.payload = payload
        self.encoding = encoding
    }

    /// The payload as text when it is UTF-8, else its size.
    public var description: String {
        String(validating: self.payload.readableBytesView, as: UTF8.self) ?? "\(self.payload.readableBytes) bytes"
    }
}

/// One answer to a `get` or a liveliness `get`.
public struct ZenohReply: Hashable, Sendable {
    /// The replied sample, or the queryable's error reply.
    public var result: Result<ZenohSample, ZenohReplyError>
    /// The replying queryable, when the responder said.
    public var responderID: EntityGlobalID?

    /// Creates a reply.
    public init(result: Result<ZenohSample, ZenohReplyError>, responderID: EntityGlobalID? = nil) {
        self.result = result
        self.responderID = responderID
    }

    /// The sample of a successful reply, nil for an error reply.
    public var sample: ZenohSample? {
        if case .success(let sample) = self.result { return sample }
        return nil
    }

    /// The error of an error reply, nil for a successful one.
    public var error: ZenohReplyError? {
        if case .failure(let error) = self.result { return error }
        return nil
    }
}

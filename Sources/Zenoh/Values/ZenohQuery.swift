public import NIOCore
import Synchronization
public import ZenohProtocol
public import ZenohTransport

/// A query received by a queryable. Answer it with ``reply(key:payload:encoding:attachment:)`` (any
/// number of times) or ``replyError(payload:encoding:)``, then ``finish()``.
///
/// Exactly one final response goes back to the querier per request: when every queryable the request
/// was handed to has finished it, explicitly or by releasing its `ZenohQuery` (so a forgotten query
/// cannot leave the querier waiting for its timeout).
public final class ZenohQuery: Sendable {
    /// The queried key expression (the selector without its parameters).
    public let key: KeyExpr
    /// The selector parameters after `?` (`k=v;k2=v2`), empty when none.
    public let parameters: String
    /// The value sent with the query, if any.
    public let payload: ByteBuffer?
    /// The encoding of ``payload``.
    public let encoding: ZenohEncoding?
    /// The querier's attachment, verbatim.
    public let attachment: ByteBuffer?

    private let session: ZenohSession
    private let inbound: InboundQuery
    private let responderID: EntityGlobalID?
    private let isFinished = Atomic<Bool>(false)

    init(session: ZenohSession, inbound: InboundQuery, queryableID: UInt32, localZid: ZenohId?) {
        self.session = session
        self.inbound = inbound
        self.key = inbound.key
        self.parameters = inbound.parameters
        self.payload = inbound.body?.payload
        self.encoding = inbound.body?.encoding
        self.attachment = inbound.attachment
        self.responderID = localZid.map { EntityGlobalID(zid: $0, eid: queryableID) }
    }

    deinit {
        self.finish()
    }

    /// The full selector, `key?parameters` (just the key when there are no parameters).
    public var selector: String {
        self.parameters.isEmpty ? self.key.description : "\(self.key)?\(self.parameters)"
    }

    /// Sends one reply. `key` must intersect the query's key (unless the selector has `_anyke`), as the
    /// querier drops other replies.
    public func reply(
        key: String, payload: ByteBuffer, encoding: ZenohEncoding = .zenohBytes, attachment: ByteBuffer? = nil
    ) throws(ZenohError) {
        let replyKey = try self.checkedReplyKey(key)
        let put = ZenohMessage.Put(encoding: encoding, attachment: attachment, payload: payload)
        try self.send(key: replyKey, body: .reply(ZenohMessage.Reply(body: .put(put))))
    }

    /// Sends a delete reply (a reply saying `key` has no value).
    public func replyDelete(key: String, attachment: ByteBuffer? = nil) throws(ZenohError) {
        let replyKey = try self.checkedReplyKey(key)
        try self.send(key: replyKey, body: .reply(ZenohMessage.Reply(body: .del(ZenohMessage.Del(attachment: attachment)))))
    }

    /// Sends an error reply, on the query's key.
    public func replyError(payload: ByteBuffer, encoding: ZenohEncoding = .zenohBytes) throws(ZenohError) {
        try self.send(key: self.key, body: .err(ZenohMessage.Err(encoding: encoding, payload: payload)))
    }

    /// Ends this queryable's part of the request. Idempotent; also done when the query is released.
    public func finish() {
        guard !self.isFinished.exchange(true, ordering: .acquiringAndReleasing) else { return }
        self.session.inboundQueryFinished(generation: self.inbound.generation, requestID: self.inbound.requestID)
    }

    private func checkedReplyKey(_ text: String) throws(ZenohError) -> KeyExpr {
        let replyKey = try KeyExpr.validated(text, for: "reply")
        guard replyKey.intersects(self.key) || Selector.acceptsAnyKey(self.parameters) else {
            throw ZenohError(
                .invalidKeyExpr, "reply key '\(replyKey)' does not intersect the query key '\(self.key)'")
        }
        return replyKey
    }

    private func send(key: KeyExpr, body: NetworkMessage.Response.Body) throws(ZenohError) {
        guard !self.isFinished.load(ordering: .acquiring) else {
            throw ZenohError(.unsupported, "query '\(self.selector)' was already finished; it takes no more replies")
        }
        let response = NetworkMessage.Response(
            requestID: self.inbound.requestID, wireExpr: SessionMessages.wire(key), qos: .request,
            responderID: self.responderID, body: body)
        try self.session.sendResponse(response, generation: self.inbound.generation)
    }
}

import Synchronization
public import ZenohProtocol
public import ZenohTransport

/// Liveliness: tokens that say "I am alive" on a key, subscribers that see them appear (PUT) and
/// disappear (DELETE), and gets that list the live ones. From ``ZenohSession/liveliness``.
public struct ZenohLiveliness: Sendable {
    let session: ZenohSession

    /// Declares a token on `key` (D_TOKEN); it lives until undeclared, released, or the session closes.
    public func declareToken(_ key: String) throws(ZenohError) -> ZenohLivelinessToken {
        let key = try KeyExpr.validated(key, for: "liveliness token")
        let id = try self.session.perform { (storage) throws(ZenohError) in
            try ZenohSession.ensureOpen(storage, "liveliness token '\(key)'")
            return storage.machine.tokenDeclared(key)
        }.value
        return ZenohLivelinessToken(session: self.session, key: key, id: id)
    }

    /// Subscribes to the tokens on keys intersecting `key`: a PUT sample when one appears, a DELETE when
    /// it goes. With `history`, the tokens alive now are delivered first.
    public func declareSubscriber(
        _ key: String, history: Bool = false, bufferingPolicy: ZenohBufferingPolicy = .default
    ) throws(ZenohError) -> ZenohSubscriber {
        let buffer = EventBuffer<ZenohSample>(policy: bufferingPolicy)
        return try self.declareSubscriber(key, history: history, sink: .buffer(buffer), buffer: buffer)
    }

    /// The callback form of ``declareSubscriber(_:history:bufferingPolicy:)``.
    public func declareSubscriber(
        _ key: String, history: Bool = false, handler: @escaping @Sendable (ZenohSample) -> Void
    ) throws(ZenohError) -> ZenohSubscriber {
        try self.declareSubscriber(key, history: history, sink: .handler(handler), buffer: nil)
    }

    private func declareSubscriber(
        _ text: String, history: Bool, sink: SampleSink, buffer: EventBuffer<ZenohSample>?
    ) throws(ZenohError) -> ZenohSubscriber {
        let key = try KeyExpr.validated(text, for: "liveliness subscriber")
        let id = try self.session.perform { (storage) throws(ZenohError) in
            try ZenohSession.ensureOpen(storage, "liveliness subscriber '\(key)'")
            let (id, actions) = storage.machine.livelinessSubscriberDeclared(key, history: history)
            storage.livelinessSinks[id] = sink
            return (id, actions)
        }.value
        return ZenohSubscriber(key: key, kind: .liveliness(id), session: self.session, buffer: buffer)
    }

    /// Lists the tokens alive on keys intersecting `key`: one PUT sample per token, then the end.
    public func get(_ key: String, timeout: Duration? = nil) throws(ZenohError) -> ZenohReplies {
        let key = try KeyExpr.validated(key, for: "liveliness get")
        let timeout = timeout ?? self.session.configuration.queryTimeout
        return try self.session.startQuery("liveliness get '\(key)'") {
            $0.livelinessGetRequested(key, timeout: timeout, now: $1)
        }
    }
}

/// A liveliness token. Keep a reference: releasing it undeclares it.
public final class ZenohLivelinessToken: Sendable {
    /// The token's key.
    public let key: KeyExpr
    private let id: UInt32
    private let session: ZenohSession
    private let isUndeclared = Atomic<Bool>(false)

    init(session: ZenohSession, key: KeyExpr, id: UInt32) {
        self.session = session
        self.key = key
        self.id = id
    }

    deinit {
        self.undeclare()
    }

    /// Withdraws the token (U_TOKEN): liveliness subscribers see a DELETE. Idempotent.
    public func undeclare() {
        guard !self.isUndeclared.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = self.session.perform { storage in ((), storage.machine.tokenUndeclared(self.id)) }
    }
}

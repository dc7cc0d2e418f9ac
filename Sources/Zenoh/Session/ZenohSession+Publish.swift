public import NIOCore
import Synchronization
public import ZenohProtocol
public import ZenohTransport

extension ZenohSession {
    /// Publishes `payload` on `key` (a PUSH with a PUT). Matching subscribers of this session receive it too.
    ///
    /// - Returns: whether the message was handed to the transport; false while disconnected or when
    ///   congestion control `.drop` dropped it.
    /// - Throws: `invalidKeyExpr` naming the key, `sessionClosed` after ``close()``.
    @discardableResult
    public func put(
        _ key: String, payload: ByteBuffer, encoding: ZenohEncoding = .zenohBytes, attachment: ByteBuffer? = nil,
        options: ZenohPublicationOptions = .default
    ) throws(ZenohError) -> Bool {
        let put = ZenohMessage.Put(encoding: encoding, attachment: attachment, payload: payload)
        return try self.publish(try KeyExpr.validated(key, for: "put"), body: .put(put), options: options)
    }

    /// Deletes `key` (a PUSH with a DEL). Returns and throws as ``put(_:payload:encoding:attachment:options:)``.
    @discardableResult
    public func delete(
        _ key: String, attachment: ByteBuffer? = nil, options: ZenohPublicationOptions = .default
    ) throws(ZenohError) -> Bool {
        try self.publish(
            try KeyExpr.validated(key, for: "delete"), body: .del(ZenohMessage.Del(attachment: attachment)),
            options: options)
    }

    /// A publisher: a cheap handle holding a key and publication options (nothing is sent to declare it).
    public func declarePublisher(
        _ key: String, options: ZenohPublicationOptions = .default
    ) throws(ZenohError) -> ZenohPublisher {
        let key = try KeyExpr.validated(key, for: "publisher")
        guard !key.isWild else {
            throw ZenohError(.invalidKeyExpr, "publisher key '\(key)' contains wildcards; publish on a concrete key")
        }
        try self.storage.withLock { (storage) throws(ZenohError) in try Self.ensureOpen(storage, "publisher '\(key)'") }
        return ZenohPublisher(session: self, key: key, options: options)
    }

    func publish(_ key: KeyExpr, body: NetworkMessage.Push.Body, options: ZenohPublicationOptions) throws(ZenohError)
        -> Bool
    {
        try self.perform { (storage) throws(ZenohError) in
            try Self.ensureOpen(storage, "publication on '\(key)'")
            return ((), storage.machine.published(key, body: body, options: options))
        }.sent
    }
}

/// A publisher declared with ``ZenohSession/declarePublisher(_:options:)``: publishes on one key with
/// fixed priority, congestion control, express flag and reliability.
public final class ZenohPublisher: Sendable {
    /// The key it publishes on.
    public let key: KeyExpr
    /// How it publishes.
    public let options: ZenohPublicationOptions
    private let session: ZenohSession
    private let isUndeclared = Atomic<Bool>(false)

    init(session: ZenohSession, key: KeyExpr, options: ZenohPublicationOptions) {
        self.session = session
        self.key = key
        self.options = options
    }

    /// Publishes `payload`; returns whether it was handed to the transport (false while disconnected).
    @discardableResult
    public func put(
        _ payload: ByteBuffer, encoding: ZenohEncoding = .zenohBytes, attachment: ByteBuffer? = nil
    ) throws(ZenohError) -> Bool {
        try self.checkDeclared()
        let put = ZenohMessage.Put(encoding: encoding, attachment: attachment, payload: payload)
        return try self.session.publish(self.key, body: .put(put), options: self.options)
    }

    /// Deletes the key; returns whether it was handed to the transport.
    @discardableResult
    public func delete(attachment: ByteBuffer? = nil) throws(ZenohError) -> Bool {
        try self.checkDeclared()
        return try self.session.publish(self.key, body: .del(ZenohMessage.Del(attachment: attachment)), options: self.options)
    }

    /// Retires the publisher; later puts throw. Idempotent.
    public func undeclare() {
        self.isUndeclared.store(true, ordering: .releasing)
    }

    private func checkDeclared() throws(ZenohError) {
        if self.isUndeclared.load(ordering: .acquiring) {
            throw ZenohError(.unsupported, "publisher '\(self.key)' was undeclared")
        }
    }
}

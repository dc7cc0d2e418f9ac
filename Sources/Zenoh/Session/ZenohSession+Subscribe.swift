import ZenohProtocol
public import ZenohTransport

extension ZenohSession {
    /// Subscribes to `key`: the returned subscriber is an `AsyncSequence` of the matching samples.
    ///
    /// - Parameter bufferingPolicy: what to keep when the consumer falls behind (newest 1024 by default).
    /// - Throws: `invalidKeyExpr` naming the key, `sessionClosed` after ``close()``.
    public func declareSubscriber(
        _ key: String, bufferingPolicy: ZenohBufferingPolicy = .default
    ) throws(ZenohError) -> ZenohSubscriber {
        let buffer = EventBuffer<ZenohSample>(policy: bufferingPolicy)
        return try self.declareDataSubscriber(key, sink: .buffer(buffer), buffer: buffer)
    }

    /// Subscribes to `key` with a callback, called on the transport's event loop for each sample: it
    /// must not block. For hot paths. Keep the returned subscriber; releasing it undeclares.
    public func declareSubscriber(
        _ key: String, handler: @escaping @Sendable (ZenohSample) -> Void
    ) throws(ZenohError) -> ZenohSubscriber {
        try self.declareDataSubscriber(key, sink: .handler(handler), buffer: nil)
    }

    private func declareDataSubscriber(
        _ text: String, sink: SampleSink, buffer: EventBuffer<ZenohSample>?
    ) throws(ZenohError) -> ZenohSubscriber {
        let key = try KeyExpr.validated(text, for: "subscriber")
        let id = try self.perform { (storage) throws(ZenohError) in
            try Self.ensureOpen(storage, "subscriber '\(key)'")
            let (id, actions) = storage.machine.subscriberDeclared(key)
            storage.subscriberSinks[id] = sink
            return (id, actions)
        }.value
        return ZenohSubscriber(key: key, kind: .data(id), session: self, buffer: buffer)
    }

    func undeclare(_ kind: ZenohSubscriber.Kind) {
        let removed = self.perform { storage in
            switch kind {
            case .data(let id):
                return (storage.subscriberSinks.removeValue(forKey: id), storage.machine.subscriberUndeclared(id))
            case .liveliness(let id):
                return (storage.livelinessSinks.removeValue(forKey: id), storage.machine.livelinessSubscriberUndeclared(id))
            }
        }.value
        removed?.finish()
    }
}

import Logging
import NIOCore
import ZenohProtocol

// The handler's `run` side: what each state-machine action means in I/O.
extension TransportLinkHandler {
    /// How long a closing link waits for its last bytes (Close included) to be written.
    static let closeLingerTime = TimeAmount.seconds(5)

    func linkActive() {
        guard case .handshaking(var machine) = self.phase else { return }
        let action = machine.linkActive()
        self.phase = .handshaking(machine)
        self.runHandshake(action)
    }

    func handshakeTimedOut() {
        guard case .handshaking(var machine) = self.phase else { return }
        let action = machine.timedOut(after: self.configuration.openTimeoutMilliseconds)
        self.phase = .handshaking(machine)
        self.runHandshake(action)
    }

    /// EOF, an I/O error or the handler's removal.
    func linkClosed(cause: (any Error)?) {
        switch self.phase {
        case .handshaking(var machine):
            let action = machine.linkClosed(cause: cause)
            self.phase = .handshaking(machine)
            self.runHandshake(action)
        case .established:
            if let error = self.withEstablished({ $0.linkClosed(cause: cause) }) ?? nil {
                self.closeLink(error, sending: [])
            }
        case .failed, .modifying:
            return
        }
    }

    func runHandshake(_ action: HandshakeStateMachine.Action) {
        switch action {
        case .none:
            return
        case .send(let message):
            self.write([Self.framed(message)], flush: true)
        case .acceptedAfterSending(let message, let parameters):
            self.write([Self.framed(message)], flush: true)
            self.runHandshake(.established(parameters))
        case .established(let parameters):
            self.timer?.cancel()
            let now = NIODeadline.now()
            self.phase = .established(TransportStateMachine(parameters: parameters, now: now))
            self.logger.debug(
                "Zenoh transport established",
                metadata: [
                    ZenohLogKey.zid: "\(parameters.remoteZid)", ZenohLogKey.batchSize: "\(parameters.batchSize)",
                    ZenohLogKey.lease: "\(parameters.remoteLeaseMilliseconds)",
                ])
            self.armTimer()
            if let eventLoop = self.context?.eventLoop {
                self.handshakeResult.succeed(
                    EstablishedLink(parameters: parameters, handler: NIOLoopBound(self, eventLoop: eventLoop)))
            }
        case .fail(let error, let close):
            self.phase = .failed
            self.timer?.cancel()
            self.logger.debug("Zenoh handshake failed", metadata: [ZenohLogKey.error: "\(error)"])
            if let close { self.write([Self.framed(.close(close))], flush: true) }
            self.context?.close(promise: nil)
            self.handshakeResult.fail(error)
        }
    }

    func runInbound(_ action: TransportStateMachine.InboundAction) {
        switch action {
        case .deliver(let messages):
            for message in messages { self.onEvent(.message(message)) }
        case .deliverThenClose(let messages, let error, let send):
            for message in messages { self.onEvent(.message(message)) }
            self.closeLink(error, sending: send)
        }
    }

    func timerFired() {
        guard let action = self.withEstablished({ $0.timerFired(now: .now()) }) else { return }
        switch action {
        case .none:
            self.armTimer()
        case .send(let batches):
            self.logger.trace("Zenoh keep-alive sent")
            self.write(batches, flush: true)
            self.armTimer()
        case .close(let error, let send):
            self.closeLink(error, sending: send)
        }
    }

    func armTimer() {
        guard case .established(let machine) = self.phase, !machine.isClosed, let context = self.context else { return }
        self.timer?.cancel()
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: machine.nextTimerDeadline) { [self] in
            self.timerFired()
        }
    }

    /// Writes `sending`, closes the channel once those bytes are out, and reports `.closed(error)` once (the
    /// machine is already closed). A peer that stops reading cannot hold the link open for more than
    /// ``closeLingerTime``.
    func closeLink(_ error: ZenohError, sending: [OutboundBatch]) {
        self.timer?.cancel()
        self.timer = nil
        self.outbox.markClosed()
        self.logger.debug("Zenoh transport closed", metadata: [ZenohLogKey.error: "\(error)"])
        if let context = self.context {
            let channel = context.channel
            let written = self.write(sending, flush: true)
            if let written {
                written.whenComplete { _ in channel.close(promise: nil) }
                context.eventLoop.scheduleTask(in: Self.closeLingerTime) { channel.close(promise: nil) }
            } else {
                context.close(promise: nil)
            }
        }
        self.onEvent(.closed(error))
    }

    /// Writes batches in order and returns the future of the last write; the queue accounting is settled when
    /// the last write completes.
    @discardableResult
    func write(_ batches: [OutboundBatch], flush: Bool) -> EventLoopFuture<Void>? {
        guard let context = self.context, let last = batches.last else { return nil }
        let total = batches.reduce(0) { $0 + $1.messageBytes }
        for batch in batches.dropLast() {
            self.write(batch, context: context, promise: nil)
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        if total > 0 {
            let outbox = self.outbox
            promise.futureResult.whenComplete { _ in outbox.written(total) }
        }
        self.write(last, context: context, promise: promise)
        if flush { context.flush() }
        return promise.futureResult
    }

    /// One batch: its bytes, then its tail slices; `promise` completes with the last of them.
    private func write(_ batch: OutboundBatch, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        guard let lastPart = batch.tail.last else {
            context.write(self.wrapOutboundOut(batch.bytes), promise: promise)
            return
        }
        context.write(self.wrapOutboundOut(batch.bytes), promise: nil)
        for part in batch.tail.dropLast() { context.write(self.wrapOutboundOut(part), promise: nil) }
        context.write(self.wrapOutboundOut(lastPart), promise: promise)
    }

    static func framed(_ message: TransportMessage) -> OutboundBatch {
        var batcher = OutboundBatcher(batchSize: Int(UInt16.max), initialSN: 0, resolution: .default32)
        batcher.appendAlone(message)
        return batcher.flush().first ?? OutboundBatch(bytes: ByteBuffer(), messageBytes: 0)
    }
}

import NIOCore
import ZenohProtocol

/// The established unicast transport without a Channel inside (house style G6): sequence numbers, batching,
/// fragmentation, reassembly, lease and keep-alive. Events in, actions out; time is passed in explicitly.
struct TransportStateMachine: Sendable {
    /// The smallest batch size we accept from the handshake (a frame header plus a useful payload).
    static let minimumBatchSize = 64

    /// What to do after inbound bytes.
    enum InboundAction: Sendable {
        /// Hand these messages to the layer above, in order (possibly none).
        case deliver([NetworkMessage])
        /// Hand these messages up, write `send`, close the link and report `.closed(error)`.
        case deliverThenClose([NetworkMessage], ZenohError, send: [OutboundBatch])
    }

    /// What to do when the lease timer fires.
    enum TimerAction: Sendable {
        /// Nothing; re-arm the timer at ``TransportStateMachine/nextTimerDeadline``.
        case none
        /// Write these batches (a KeepAlive), then re-arm.
        case send([OutboundBatch])
        /// The remote's lease expired: write `send`, close the link, report `.closed(error)`.
        case close(ZenohError, send: [OutboundBatch])
    }

    let parameters: TransportParameters
    private var batcher: OutboundBatcher
    /// One receiving channel per lane and reliability, indexed by ``TransportChannel/index``.
    private var inbound: [InboundChannel]
    private var lease: LeaseTracker
    /// Once closed, the machine ignores everything: `.closed` has been (or is being) reported.
    private(set) var isClosed = false

    init(parameters: TransportParameters, now: NIODeadline) {
        self.parameters = parameters
        self.batcher = OutboundBatcher(
            batchSize: parameters.batchSize, initialSN: parameters.localInitialSN, resolution: parameters.resolution,
            marksFirstFragment: parameters.patch >= 1)
        self.inbound = Array(repeating: InboundChannel(parameters: parameters), count: TransportChannel.count)
        self.lease = LeaseTracker(
            remoteLeaseMilliseconds: parameters.remoteLeaseMilliseconds,
            localLeaseMilliseconds: parameters.localLeaseMilliseconds, now: now)
    }

    // MARK: Outbound

    /// Queues one serialized network message on `channel` (written at the next ``flush(now:)``).
    mutating func enqueue(_ message: ByteBuffer, detached: ByteBuffer? = nil, on channel: TransportChannel) {
        guard !self.isClosed else { return }
        self.batcher.append(message, detached: detached, on: channel)
    }

    /// Everything queued, as batches to write now.
    mutating func flush(now: NIODeadline) -> [OutboundBatch] {
        guard !self.isClosed else { return [] }
        let batches = self.batcher.flush()
        if !batches.isEmpty { self.lease.sent(at: now) }
        return batches
    }

    /// The application closes the transport: what is queued, then Close(GENERIC, S=0) as Rust sends it.
    mutating func closeRequested(now: NIODeadline) -> [OutboundBatch] {
        guard !self.isClosed else { return [] }
        self.batcher.appendAlone(.close(.init(reason: .generic, isSessionWide: false)))
        let batches = self.batcher.flush()
        self.isClosed = true
        return batches
    }

    // MARK: Timer

    /// When ``timerFired(now:)`` should be called next.
    var nextTimerDeadline: NIODeadline { self.lease.nextDeadline }

    /// The lease/keep-alive timer fired.
    mutating func timerFired(now: NIODeadline) -> TimerAction {
        guard !self.isClosed else { return .none }
        switch self.lease.tick(now: now) {
        case .none:
            return .none
        case .sendKeepAlive:
            self.batcher.appendAlone(.keepAlive(.init()))
            return .send(self.flush(now: now))
        case .expired(let silence):
            self.isClosed = true
            let error = ZenohError(
                .leaseExpired,
                "nothing received from \(self.parameters.remoteZid) for \(silence.nanoseconds / 1_000_000) ms "
                    + "(its lease is \(self.parameters.remoteLeaseMilliseconds) ms)")
            return .close(error, send: Self.closeBatch(.expired))
        }
    }

    // MARK: Inbound

    /// A complete batch (without its length prefix) arrived.
    mutating func batchReceived(_ batch: ByteBuffer, now: NIODeadline) -> InboundAction {
        guard !self.isClosed else { return .deliver([]) }
        self.lease.received(at: now)
        do {
            return self.messagesReceived(try ZenohBatch.decode(batch)[...], now: now)
        } catch {
            return self.violation("\(error)", delivering: [])
        }
    }

    /// Decoded transport messages arrived (a batch, or the rest of the batch that completed the handshake).
    mutating func messagesReceived(_ messages: ArraySlice<TransportMessage>, now: NIODeadline) -> InboundAction {
        guard !self.isClosed else { return .deliver([]) }
        self.lease.received(at: now)
        var delivered: [NetworkMessage] = []
        for message in messages {
            switch message {
            case .frame(let frame):
                let channel = TransportChannel(
                    isReliable: frame.isReliable, laneQoS: frame.qos, isQoSEnabled: self.parameters.isQoSEnabled)
                delivered += self.inbound[channel.index].frameReceived(frame)
            case .fragment(let fragment):
                let channel = TransportChannel(
                    isReliable: fragment.isReliable, laneQoS: fragment.qos,
                    isQoSEnabled: self.parameters.isQoSEnabled)
                let result = self.inbound[channel.index].fragmentReceived(fragment)
                switch result {
                case .success(let message?): delivered.append(message)
                case .success(nil): break
                case .failure(let error): return self.violation("\(error)", delivering: delivered)
                }
            case .keepAlive, .join, .oam, .initSyn, .initAck, .openSyn, .openAck:
                continue  // KeepAlive only refreshes the lease; the others are meaningless here and ignored
            case .close(let close):
                self.isClosed = true
                let error = ZenohError(
                    .connectionClosed,
                    "\(self.parameters.remoteZid) closed the \(close.isSessionWide ? "session" : "link") "
                        + "(reason \(close.reason))")
                return .deliverThenClose(delivered, error, send: [])
            }
        }
        return .deliver(delivered)
    }

    /// The stream decoder refused the bytes (e.g. a length prefix over the limit).
    mutating func decodingFailed(_ error: ZenohDecodingError) -> InboundAction {
        guard !self.isClosed else { return .deliver([]) }
        return self.violation("\(error)", delivering: [])
    }

    /// The link went away underneath (EOF or I/O error). Returns the error to report, or nil if already closed.
    mutating func linkClosed(cause: (any Error & Sendable)?) -> ZenohError? {
        guard !self.isClosed else { return nil }
        self.isClosed = true
        let detail = cause.map { ": \($0)" } ?? ""
        return ZenohError(
            .connectionClosed, "the link to \(self.parameters.remoteZid) closed\(detail)", cause: cause)
    }

    private mutating func violation(_ text: String, delivering delivered: [NetworkMessage]) -> InboundAction {
        self.isClosed = true
        let error = ZenohError(.protocolViolation, "\(self.parameters.remoteZid) sent an invalid batch: \(text)")
        return .deliverThenClose(delivered, error, send: Self.closeBatch(.invalid))
    }

    private static func closeBatch(_ reason: TransportMessage.Close.Reason) -> [OutboundBatch] {
        var batcher = OutboundBatcher(batchSize: Self.minimumBatchSize, initialSN: 0, resolution: .default32)
        batcher.appendAlone(.close(.init(reason: reason)))
        return batcher.flush()
    }
}

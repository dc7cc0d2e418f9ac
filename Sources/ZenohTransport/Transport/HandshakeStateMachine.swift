import NIOCore
import ZenohProtocol

/// The initiator side of the Init/Open handshake (zenoh-protocol.md sections 5.1, 5.2 and 17.1), as a pure
/// value type: events in, actions out. It offers QoS (unless configured off) and Patch 1 (fragment First/Drop
/// markers); never Shm, Auth, MultiLink, LowLatency or Compression.
struct HandshakeStateMachine: Sendable {
    /// What the handler must do.
    enum Action: Hashable, Sendable {
        /// Write this message, alone in its batch.
        case send(TransportMessage)
        /// The handshake succeeded.
        case established(TransportParameters)
        /// The handshake succeeded once this last message (the acceptor's OpenAck) is written.
        case acceptedAfterSending(TransportMessage, TransportParameters)
        /// The handshake failed: close the link (after writing `close`, if any) and report `error`.
        case fail(ZenohError, close: TransportMessage.Close?)
        /// Nothing to do.
        case none
    }

    private enum State: Sendable {
        case idle
        case initSynSent
        case openSynSent(OpenSynSent)
        case done
    }

    /// What the acceptor settled in InitAck.
    private struct OpenSynSent: Sendable {
        var ack: TransportMessage.InitAck
        var batchSize: Int
        var resolution: SequenceNumberResolution
        var initialSN: UInt32
    }

    private var state: State = .idle
    let configuration: ZenohTransportConfiguration
    let endpoint: ZenohEndpoint
    /// A random number; our initial SN is this modulo the negotiated resolution.
    let randomInitialSN: UInt32

    init(configuration: ZenohTransportConfiguration, endpoint: ZenohEndpoint, randomInitialSN: UInt32) {
        self.configuration = configuration
        self.endpoint = endpoint
        self.randomInitialSN = randomInitialSN
    }

    /// The link is up: start with InitSyn. The S flag is written only if our batch size is not 65 535.
    mutating func linkActive() -> Action {
        guard case .idle = self.state else { return .none }  // already started: benign
        self.state = .initSynSent
        let initSyn = TransportMessage.InitSyn(
            whatAmI: self.configuration.whatAmI, zid: self.configuration.zid,
            resolution: ZenohLimits.defaultResolution, batchSize: UInt16(clamping: self.configuration.batchSize),
            extensions: InitExtensions.offered(qos: self.configuration.isQoSEnabled))
        return .send(.initSyn(initSyn))
    }

    /// A message arrived from the acceptor.
    mutating func received(_ message: TransportMessage) -> Action {
        switch (self.state, message) {
        case (.done, _), (.idle, _):
            return .none
        case (_, .close(let close)):
            self.state = .done
            return .fail(self.error("the remote closed the link (reason \(close.reason))"), close: nil)
        case (.initSynSent, .initAck(let ack)):
            return self.initAckReceived(ack)
        case (.openSynSent(let sent), .openAck(let ack)):
            return self.openAckReceived(ack, sent: sent)
        case (_, .keepAlive), (_, .oam):
            return .none  // tolerated before the session is open
        default:
            self.state = .done
            return .fail(self.error("unexpected \(message.id) message during the handshake"), close: .init(reason: .invalid))
        }
    }

    /// The open timeout fired before OpenAck.
    mutating func timedOut(after milliseconds: UInt64) -> Action {
        if case .done = self.state { return .none }
        self.state = .done
        return .fail(
            ZenohError(.timeout, "opening a Zenoh session with \(self.endpoint) took longer than \(milliseconds) ms"),
            close: nil)
    }

    /// The link closed (EOF or error) before the handshake finished.
    mutating func linkClosed(cause: (any Error & Sendable)? = nil) -> Action {
        if case .done = self.state { return .none }
        self.state = .done
        let detail = cause.map { ": \($0)" } ?? ""
        return .fail(
            ZenohError(.handshakeFailed, "\(self.endpoint) closed the connection during the handshake\(detail)", cause: cause),
            close: nil)
    }

    private mutating func initAckReceived(_ ack: TransportMessage.InitAck) -> Action {
        guard ack.version == ZenohLimits.protocolVersion else {
            return self.refuse("protocol version \(ack.version), expected \(ZenohLimits.protocolVersion)")
        }
        guard let resolution = SequenceNumberResolution(resolutionByte: ack.resolution),
            ack.resolution & 0b11 <= ZenohLimits.defaultResolution & 0b11,
            (ack.resolution >> 2) & 0b11 <= (ZenohLimits.defaultResolution >> 2) & 0b11
        else {
            return self.refuse("resolution 0x\(String(ack.resolution, radix: 16)) larger than offered")
        }
        let batchSize = min(Int(ack.batchSize), self.configuration.batchSize)
        guard batchSize >= TransportStateMachine.minimumBatchSize else {
            return self.refuse("batch size \(ack.batchSize) below \(TransportStateMachine.minimumBatchSize)")
        }
        let initialSN = self.randomInitialSN & resolution.mask
        self.state = .openSynSent(.init(ack: ack, batchSize: batchSize, resolution: resolution, initialSN: initialSN))
        return .send(
            .openSyn(
                .init(leaseMilliseconds: self.configuration.leaseMilliseconds, initialSN: initialSN, cookie: ack.cookie)))
    }

    private mutating func openAckReceived(_ ack: TransportMessage.OpenAck, sent: OpenSynSent) -> Action {
        guard ack.initialSN & ~sent.resolution.mask == 0 else {
            return self.refuse("initial SN \(ack.initialSN) exceeds the sequence-number mask 0x\(String(sent.resolution.mask, radix: 16))")
        }
        guard ack.leaseMilliseconds > 0 else {
            return self.refuse("a zero lease")
        }
        self.state = .done
        return .established(
            TransportParameters(
                localZid: self.configuration.zid, remoteZid: sent.ack.zid, remoteWhatAmI: sent.ack.whatAmI,
                batchSize: sent.batchSize, resolution: sent.resolution,
                localLeaseMilliseconds: self.configuration.leaseMilliseconds,
                remoteLeaseMilliseconds: ack.leaseMilliseconds, localInitialSN: sent.initialSN,
                remoteInitialSN: ack.initialSN, patch: InitExtensions.patch(sent.ack.extensions),
                maximumMessageSize: self.configuration.maximumMessageSize,
                isQoSEnabled: self.configuration.isQoSEnabled && InitExtensions.hasQoS(sent.ack.extensions)))
    }

    private mutating func refuse(_ reason: String) -> Action {
        self.state = .done
        return .fail(self.error("the remote proposed \(reason)"), close: .init(reason: .invalid))
    }

    private func error(_ reason: String) -> ZenohError {
        ZenohError(.handshakeFailed, "handshake with \(self.endpoint) failed: \(reason)")
    }
}

import NIOCore
import ZenohProtocol

/// The acceptor side of the Init/Open handshake (zenoh-protocol.md sections 5.1, 5.2 and 17.2), as a pure
/// value type: events in, actions out. It answers InitSyn with an InitAck carrying the minimum of both sides'
/// batch size and resolution and its own random cookie, checks that OpenSyn echoes the cookie, and answers
/// OpenAck. Of the Init extensions it answers QoS (when both sides offer it) and Patch (the minimum of both), as
/// the connecting side negotiates them (``InitExtensions``); every other one (Shm, Auth, …) is not echoed, which
/// disables it on the link.
struct AcceptingHandshakeStateMachine: Sendable {
    typealias Action = HandshakeStateMachine.Action

    private enum State: Sendable {
        /// Waiting for InitSyn.
        case waitingForInitSyn
        /// InitAck sent; waiting for OpenSyn with this cookie.
        case waitingForOpenSyn(InitAckSent)
        case done
    }

    private struct InitAckSent: Sendable {
        var syn: TransportMessage.InitSyn
        var cookie: ByteBuffer
        var batchSize: Int
        var resolution: SequenceNumberResolution
        var isQoSEnabled: Bool
        var patch: UInt64
    }

    private var state: State = .waitingForInitSyn
    let configuration: ZenohTransportConfiguration
    /// Where the connection came from (for messages).
    let remote: String
    /// A random number; our initial SN is this modulo the negotiated resolution.
    let randomInitialSN: UInt32
    /// The cookie sent in InitAck (random, compared on OpenSyn).
    let cookie: [UInt8]
    /// Refuse the session with Close(MAX_SESSIONS): the listener is full.
    let isOverLimit: Bool

    init(
        configuration: ZenohTransportConfiguration, remote: String, randomInitialSN: UInt32, cookie: [UInt8],
        isOverLimit: Bool = false
    ) {
        self.configuration = configuration
        self.remote = remote
        self.randomInitialSN = randomInitialSN
        self.cookie = cookie
        self.isOverLimit = isOverLimit
    }

    /// A fresh 16-byte random cookie.
    static func randomCookie() -> [UInt8] {
        (0..<16).map { _ in UInt8.random(in: 0...255) }
    }

    /// The link is up: the acceptor waits for the initiator.
    mutating func linkActive() -> Action { .none }

    /// A message arrived from the initiator.
    mutating func received(_ message: TransportMessage) -> Action {
        switch (self.state, message) {
        case (.done, _):
            return .none
        case (_, .close(let close)):
            self.state = .done
            return .fail(self.error("the remote closed the link (reason \(close.reason))"), close: nil)
        case (.waitingForInitSyn, .initSyn(let syn)):
            return self.initSynReceived(syn)
        case (.waitingForOpenSyn(let sent), .openSyn(let syn)):
            return self.openSynReceived(syn, sent: sent)
        case (_, .keepAlive), (_, .oam):
            return .none
        default:
            self.state = .done
            return .fail(self.error("unexpected \(message.id) message during the handshake"), close: .init(reason: .invalid))
        }
    }

    /// The open timeout fired before OpenSyn.
    mutating func timedOut(after milliseconds: UInt64) -> Action {
        if case .done = self.state { return .none }
        self.state = .done
        return .fail(
            ZenohError(.timeout, "\(self.remote) did not complete the handshake within \(milliseconds) ms"), close: nil)
    }

    /// The link closed (EOF or error) before the handshake finished.
    mutating func linkClosed(cause: (any Error & Sendable)? = nil) -> Action {
        if case .done = self.state { return .none }
        self.state = .done
        let detail = cause.map { ": \($0)" } ?? ""
        return .fail(
            ZenohError(.handshakeFailed, "\(self.remote) closed the connection during the handshake\(detail)", cause: cause),
            close: nil)
    }

    private mutating func initSynReceived(_ syn: TransportMessage.InitSyn) -> Action {
        if self.isOverLimit {
            self.state = .done
            return .fail(self.error("too many sessions"), close: .init(reason: .maxSessions))
        }
        guard syn.version == ZenohLimits.protocolVersion else {
            return self.refuse("protocol version \(syn.version), expected \(ZenohLimits.protocolVersion)")
        }
        let frameBits = min(syn.resolution & 0b11, ZenohLimits.defaultResolution & 0b11)
        let requestBits = min((syn.resolution >> 2) & 0b11, (ZenohLimits.defaultResolution >> 2) & 0b11)
        let resolutionByte = frameBits | requestBits << 2
        guard let resolution = SequenceNumberResolution(resolutionByte: resolutionByte) else {
            return self.refuse("an unsupported resolution 0x\(String(syn.resolution, radix: 16))")
        }
        let batchSize = min(Int(syn.batchSize), self.configuration.batchSize)
        guard batchSize >= TransportStateMachine.minimumBatchSize else {
            return self.refuse("batch size \(syn.batchSize) below \(TransportStateMachine.minimumBatchSize)")
        }
        let cookie = ByteBuffer(bytes: self.cookie)
        let isQoSEnabled = self.configuration.isQoSEnabled && InitExtensions.hasQoS(syn.extensions)
        let patch = InitExtensions.patch(syn.extensions)
        self.state = .waitingForOpenSyn(
            .init(
                syn: syn, cookie: cookie, batchSize: batchSize, resolution: resolution, isQoSEnabled: isQoSEnabled,
                patch: patch))
        let ack = TransportMessage.InitAck(
            whatAmI: self.configuration.whatAmI, zid: self.configuration.zid, resolution: resolutionByte,
            batchSize: UInt16(clamping: batchSize), cookie: cookie,
            extensions: InitExtensions.answered(qos: isQoSEnabled, patch: patch))
        return .send(.initAck(ack))
    }

    private mutating func openSynReceived(_ syn: TransportMessage.OpenSyn, sent: InitAckSent) -> Action {
        guard syn.cookie == sent.cookie else {
            return self.refuse("a cookie that is not the one we sent")
        }
        guard syn.initialSN & ~sent.resolution.mask == 0 else {
            return self.refuse("initial SN \(syn.initialSN) beyond the mask 0x\(String(sent.resolution.mask, radix: 16))")
        }
        guard syn.leaseMilliseconds > 0 else { return self.refuse("a zero lease") }
        let initialSN = self.randomInitialSN & sent.resolution.mask
        self.state = .done
        let parameters = TransportParameters(
            localZid: self.configuration.zid, remoteZid: sent.syn.zid, remoteWhatAmI: sent.syn.whatAmI,
            batchSize: sent.batchSize, resolution: sent.resolution,
            localLeaseMilliseconds: self.configuration.leaseMilliseconds,
            remoteLeaseMilliseconds: syn.leaseMilliseconds, localInitialSN: initialSN,
            remoteInitialSN: syn.initialSN, patch: sent.patch, maximumMessageSize: self.configuration.maximumMessageSize,
            isQoSEnabled: sent.isQoSEnabled)
        let ack = TransportMessage.OpenAck(leaseMilliseconds: self.configuration.leaseMilliseconds, initialSN: initialSN)
        return .acceptedAfterSending(.openAck(ack), parameters)
    }

    private mutating func refuse(_ reason: String) -> Action {
        self.state = .done
        return .fail(self.error("the remote proposed \(reason)"), close: .init(reason: .invalid))
    }

    private func error(_ reason: String) -> ZenohError {
        ZenohError(.handshakeFailed, "handshake with \(self.remote) failed: \(reason)")
    }
}

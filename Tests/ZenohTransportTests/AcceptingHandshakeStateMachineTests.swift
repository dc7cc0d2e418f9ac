import NIOCore
import Testing
import ZenohProtocol

@testable import ZenohTransport

@Suite("Accepting handshake state machine")
struct AcceptingHandshakeStateMachineTests {
    static let cookie: [UInt8] = Array(0..<16)

    func machine(batchSize: Int = 65_535, random: UInt32 = 0x1234_5678, overLimit: Bool = false)
        -> AcceptingHandshakeStateMachine
    {
        let configuration = ZenohTransportConfiguration(
            zid: Fixtures.localZid, whatAmI: .peer, leaseMilliseconds: 10_000, batchSize: batchSize)
        return AcceptingHandshakeStateMachine(
            configuration: configuration, remote: "tcp/127.0.0.1:5000", randomInitialSN: random,
            cookie: Self.cookie, isOverLimit: overLimit)
    }

    func syn(
        batchSize: UInt16 = 65_535, resolution: UInt8 = 0x0A, version: UInt8 = 0x09,
        extensions: [ZenohExtension] = rustOffer
    ) -> TransportMessage {
        .initSyn(
            .init(
                version: version, whatAmI: .client, zid: Fixtures.remoteZid, resolution: resolution,
                batchSize: batchSize, extensions: extensions))
    }

    /// What a Rust client offers: QoS, Shm and Patch 1.
    static let rustOffer: [ZenohExtension] = [.unit(0x1), .zbuf(0x2, ByteBuffer(bytes: [1, 2])), .z64(0x7, 1)]

    func openSyn(cookie: [UInt8] = cookie, sn: UInt32 = 42, lease: UInt64 = 5_000) -> TransportMessage {
        .openSyn(.init(leaseMilliseconds: lease, initialSN: sn, cookie: ByteBuffer(bytes: cookie)))
    }

    @Test func happyPathAnswersWithTheMinimumAndItsOwnCookie() {
        var machine = self.machine(batchSize: 8_192)
        #expect(machine.linkActive() == .none)  // the acceptor waits for the initiator
        let initAck = machine.received(self.syn(batchSize: 49_152))
        // QoS and Patch are answered as negotiated; Shm is not echoed (declined).
        #expect(
            initAck
                == .send(
                    .initAck(
                        .init(
                            whatAmI: .peer, zid: Fixtures.localZid, resolution: 0x0A, batchSize: 8_192,
                            cookie: ByteBuffer(bytes: Self.cookie), extensions: [.unit(0x1), .z64(0x7, 1)]))))
        let done = machine.received(self.openSyn())
        guard case .acceptedAfterSending(let ack, let parameters) = done else {
            Issue.record("expected OpenAck and established, got \(done)")
            return
        }
        #expect(ack == .openAck(.init(leaseMilliseconds: 10_000, initialSN: 0x0234_5678)))  // 28-bit mask
        #expect(parameters.batchSize == 8_192)
        #expect(parameters.remoteZid == Fixtures.remoteZid)
        #expect(parameters.remoteWhatAmI == .client)
        #expect(parameters.remoteInitialSN == 42)
        #expect(parameters.localInitialSN == 0x0234_5678)
        #expect(parameters.remoteLeaseMilliseconds == 5_000)
        #expect(parameters.resolution.bits == 32)
        #expect(parameters.isQoSEnabled && parameters.patch == 1)
        #expect(machine.received(.keepAlive(.init())) == .none)
    }

    @Test func qosAndPatchAreDeclinedWhenTheInitiatorDoesNotOfferThem() {
        var machine = self.machine()
        let initAck = machine.received(self.syn(extensions: []))
        guard case .send(.initAck(let ack)) = initAck else {
            Issue.record("expected InitAck, got \(initAck)")
            return
        }
        #expect(ack.extensions.isEmpty)
        guard case .acceptedAfterSending(_, let parameters) = machine.received(self.openSyn()) else {
            Issue.record("not established")
            return
        }
        #expect(!parameters.isQoSEnabled && parameters.patch == 0)
    }

    @Test func theRemotesSmallerBatchAndResolutionWin() {
        var machine = self.machine()
        let action = machine.received(self.syn(batchSize: 2_048, resolution: 0x05))  // 16-bit SNs and request ids
        guard case .send(.initAck(let ack)) = action else {
            Issue.record("expected InitAck, got \(action)")
            return
        }
        #expect(ack.batchSize == 2_048)
        #expect(ack.resolution == 0x05)
        guard case .acceptedAfterSending(_, let parameters) = machine.received(self.openSyn(sn: 100)) else {
            Issue.record("not established")
            return
        }
        #expect(parameters.resolution.bits == 16)
        #expect(parameters.localInitialSN <= parameters.resolution.mask)
    }

    @Test func aLargerResolutionIsNegotiatedDown() {
        var machine = self.machine()
        guard case .send(.initAck(let ack)) = machine.received(self.syn(resolution: 0x0F)) else {
            Issue.record("expected InitAck")
            return
        }
        #expect(ack.resolution == 0x0A)
    }

    @Test func aWrongCookieIsRefusedWithCloseInvalid() {
        var machine = self.machine()
        _ = machine.received(self.syn())
        let action = machine.received(self.openSyn(cookie: [9, 9, 9]))
        guard case .fail(let error, let close) = action else {
            Issue.record("expected a refusal, got \(action)")
            return
        }
        #expect(error.code == .handshakeFailed)
        #expect(error.message.contains("cookie"))
        #expect(close == .init(reason: .invalid))
    }

    @Test func refusals() {
        var version = self.machine()
        #expect(version.received(self.syn(version: 0x08)).isFailure(closing: .invalid, mentioning: "version"))
        var tiny = self.machine()
        #expect(tiny.received(self.syn(batchSize: 10)).isFailure(closing: .invalid, mentioning: "batch size"))
        var outOfOrder = self.machine()
        #expect(outOfOrder.received(self.openSyn()).isFailure(closing: .invalid, mentioning: "unexpected"))
        var sn = self.machine()
        _ = sn.received(self.syn())
        #expect(sn.received(self.openSyn(sn: 0x1000_0000)).isFailure(closing: .invalid, mentioning: "initial SN"))
        var lease = self.machine()
        _ = lease.received(self.syn())
        #expect(lease.received(self.openSyn(lease: 0)).isFailure(closing: .invalid, mentioning: "zero lease"))
        var full = self.machine(overLimit: true)
        #expect(full.received(self.syn()).isFailure(closing: .maxSessions, mentioning: "too many sessions"))
        // Once failed, nothing else happens.
        #expect(full.received(self.openSyn()) == .none)
    }

    @Test func timeoutAndEarlyCloseFailOnce() {
        var machine = self.machine()
        _ = machine.received(self.syn())
        guard case .fail(let error, nil) = machine.timedOut(after: 500) else {
            Issue.record("expected a timeout failure")
            return
        }
        #expect(error.code == .timeout)
        #expect(error.message.contains("500 ms"))
        #expect(machine.timedOut(after: 500) == .none)
        #expect(machine.linkClosed() == .none)
        var closed = self.machine()
        guard case .fail(let closedError, nil) = closed.linkClosed() else {
            Issue.record("expected a failure")
            return
        }
        #expect(closedError.code == .handshakeFailed)
        var remoteClose = self.machine()
        #expect(remoteClose.received(.close(.init(reason: .generic))).isFailure(closing: nil, mentioning: "closed"))
    }

    @Test func randomCookiesDiffer() {
        #expect(AcceptingHandshakeStateMachine.randomCookie().count == 16)
        #expect(AcceptingHandshakeStateMachine.randomCookie() != AcceptingHandshakeStateMachine.randomCookie())
    }
}

extension HandshakeStateMachine.Action {
    func isFailure(closing reason: TransportMessage.Close.Reason?, mentioning text: String) -> Bool {
        guard case .fail(let error, let close) = self else { return false }
        return close?.reason == reason && error.message.contains(text)
    }
}

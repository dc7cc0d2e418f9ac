import NIOCore
import Testing
import ZenohProtocol

@testable import ZenohTransport

@Suite("Handshake state machine")
struct HandshakeStateMachineTests {
    let configuration = ZenohTransportConfiguration(zid: Fixtures.localZid, whatAmI: .client, leaseMilliseconds: 10_000)

    func machine(random: UInt32 = 0x0EAD_BEEF, batchSize: Int = 65_535) -> HandshakeStateMachine {
        var configuration = self.configuration
        configuration.batchSize = batchSize
        return HandshakeStateMachine(configuration: configuration, endpoint: Fixtures.endpoint, randomInitialSN: random)
    }

    func ack(batchSize: UInt16 = 49_152, resolution: UInt8 = 0x0A, version: UInt8 = 0x09) -> TransportMessage {
        .initAck(
            .init(
                version: version, whatAmI: .router, zid: Fixtures.remoteZid, resolution: resolution,
                batchSize: batchSize, cookie: ByteBuffer(bytes: [1, 2, 3, 4])))
    }

    @Test func happyPath() {
        var machine = self.machine()
        let initSyn = machine.linkActive()
        #expect(
            initSyn
                == .send(
                    .initSyn(
                        .init(whatAmI: .client, zid: Fixtures.localZid, extensions: [.unit(0x1), .z64(0x7, 1)]))))
        // No S flag (batch 65 535, resolution 0x0A); Z with QoS (Unit) and Patch = 1, as Rust offers them:
        // `81 09 <(len-1)<<4 | 2> zid 81 27 01`.
        if case .send(let message) = initSyn {
            let bytes = Array(ZenohBatch.encode([message]).readableBytesView)
            #expect(bytes == [0x81, 0x09, 0x32, 0x44, 0x33, 0x22, 0x11, 0x81, 0x27, 0x01])
        }
        let openSyn = machine.received(self.ack())
        #expect(
            openSyn
                == .send(.openSyn(.init(leaseMilliseconds: 10_000, initialSN: 0x0EAD_BEEF, cookie: ByteBuffer(bytes: [1, 2, 3, 4])))))
        let done = machine.received(.openAck(.init(leaseMilliseconds: 10_000, initialSN: 77)))
        guard case .established(let parameters) = done else {
            Issue.record("expected established, got \(done)")
            return
        }
        #expect(parameters.batchSize == 49_152)
        #expect(parameters.remoteZid == Fixtures.remoteZid)
        #expect(parameters.remoteWhatAmI == .router)
        #expect(parameters.localInitialSN == 0x0EAD_BEEF)
        #expect(parameters.remoteInitialSN == 77)
        #expect(parameters.remoteLeaseMilliseconds == 10_000)
        #expect(parameters.resolution.bits == 32)
        #expect(parameters.patch == 0)  // the acceptor answered without Patch
        #expect(!parameters.isQoSEnabled)  // ... and without QoS
        // Later messages are not the handshake's business.
        #expect(machine.received(.keepAlive(.init())) == .none)
    }

    @Test func qosAndPatchAreOnOnlyWhenBothSidesOfferThem() {
        func negotiate(offerQoS: Bool, ackExtensions: [ZenohExtension]) -> TransportParameters? {
            var configuration = self.configuration
            configuration.isQoSEnabled = offerQoS
            var machine = HandshakeStateMachine(configuration: configuration, endpoint: Fixtures.endpoint, randomInitialSN: 1)
            _ = machine.linkActive()
            _ = machine.received(
                .initAck(
                    .init(
                        whatAmI: .router, zid: Fixtures.remoteZid, cookie: ByteBuffer(bytes: [9]),
                        extensions: ackExtensions)))
            guard case .established(let parameters) = machine.received(.openAck(.init(leaseMilliseconds: 1_000, initialSN: 1)))
            else { return nil }
            return parameters
        }
        let both = negotiate(offerQoS: true, ackExtensions: [.unit(0x1), .zbuf(0x2, ByteBuffer(bytes: [1])), .z64(0x7, 1)])
        #expect(both?.isQoSEnabled == true)
        #expect(both?.patch == 1)
        let ours = negotiate(offerQoS: false, ackExtensions: [.unit(0x1), .z64(0x7, 1)])
        #expect(ours?.isQoSEnabled == false)
        let future = negotiate(offerQoS: true, ackExtensions: [.z64(0x7, 9)])
        #expect(future?.isQoSEnabled == false)
        #expect(future?.patch == 1)  // the minimum of both
    }

    @Test func smallerBatchSizeOfOursWinsAndSetsTheSFlag() {
        var machine = self.machine(batchSize: 2_048)
        guard case .send(let message) = machine.linkActive() else {
            Issue.record("no InitSyn")
            return
        }
        let bytes = Array(ZenohBatch.encode([message]).readableBytesView)
        #expect(bytes.first == 0xC1)  // INIT with S and Z
        #expect(bytes.suffix(6) == [0x0A, 0x00, 0x08, 0x81, 0x27, 0x01])  // resolution, 2048 LE, QoS, Patch 1
        _ = machine.received(self.ack(batchSize: 65_535))
        guard case .established(let parameters) = machine.received(.openAck(.init(leaseMilliseconds: 1_000, initialSN: 1)))
        else {
            Issue.record("not established")
            return
        }
        #expect(parameters.batchSize == 2_048)
    }

    @Test func initialSNFitsRustsTwentyEightBitSpace() {
        var thirtyTwo = self.machine(random: 0xFFFF_FFFF)
        _ = thirtyTwo.linkActive()
        guard case .send(.openSyn(let open32)) = thirtyTwo.received(self.ack()) else {
            Issue.record("expected OpenSyn")
            return
        }
        #expect(open32.initialSN == (1 << 28) - 1)
        #expect(
            thirtyTwo.received(.openAck(.init(leaseMilliseconds: 10_000, initialSN: 1 << 28)))
                == .fail(ZenohError(.handshakeFailed, ""), close: .init(reason: .invalid)))
    }

    @Test func sixteenBitResolutionMasksOurInitialSN() {
        var machine = self.machine(random: 0x1234_5678)
        _ = machine.linkActive()
        let action = machine.received(self.ack(resolution: 0b0101))
        guard case .send(.openSyn(let openSyn)) = action else {
            Issue.record("expected OpenSyn, got \(action)")
            return
        }
        #expect(openSyn.initialSN == 0x1678)  // 14-bit space
        // An acceptor SN beyond the 14-bit space is refused.
        let refused = machine.received(.openAck(.init(leaseMilliseconds: 10_000, initialSN: 0x4000)))
        #expect(refused == .fail(ZenohError(.handshakeFailed, ""), close: .init(reason: .invalid)))
    }

    @Test func closeMidHandshakeFails() {
        var machine = self.machine()
        _ = machine.linkActive()
        let action = machine.received(.close(.init(reason: .maxSessions)))
        guard case .fail(let error, let close) = action else {
            Issue.record("expected failure, got \(action)")
            return
        }
        #expect(error.code == .handshakeFailed)
        #expect(error.message.contains("127.0.0.1:7447"))
        #expect(error.message.contains("maxSessions"))
        #expect(close == nil)
        #expect(machine.received(self.ack()) == .none)
    }

    @Test func closeAfterOpenSynFails() {
        var machine = self.machine()
        _ = machine.linkActive()
        _ = machine.received(self.ack())
        let action = machine.received(.close(.init(reason: .invalid, isSessionWide: true)))
        #expect(action == .fail(ZenohError(.handshakeFailed, ""), close: nil))
    }

    @Test(arguments: [
        (UInt8(0x08), UInt8(0x0A), UInt16(65_535)),  // wrong version
        (UInt8(0x09), UInt8(0x0B), UInt16(65_535)),  // 64-bit frame SNs: more than offered
        (UInt8(0x09), UInt8(0x0E), UInt16(65_535)),  // 64-bit request ids
        (UInt8(0x09), UInt8(0x0A), UInt16(16)),  // batch too small to be useful
    ])
    func refusesBadInitAck(version: UInt8, resolution: UInt8, batchSize: UInt16) {
        var machine = self.machine()
        _ = machine.linkActive()
        let action = machine.received(self.ack(batchSize: batchSize, resolution: resolution, version: version))
        guard case .fail(let error, let close) = action else {
            Issue.record("expected failure, got \(action)")
            return
        }
        #expect(error.code == .handshakeFailed)
        #expect(close == .init(reason: .invalid))
    }

    @Test func unexpectedMessageFails() {
        var machine = self.machine()
        _ = machine.linkActive()
        let action = machine.received(.frame(.init(sn: 1, messages: [])))
        #expect(action == .fail(ZenohError(.handshakeFailed, ""), close: .init(reason: .invalid)))
    }

    @Test func timeoutAndLinkLoss() {
        var machine = self.machine()
        _ = machine.linkActive()
        guard case .fail(let error, _) = machine.timedOut(after: 10_000) else {
            Issue.record("no failure")
            return
        }
        #expect(error.code == .timeout)
        #expect(machine.timedOut(after: 10_000) == .none)

        var other = self.machine()
        _ = other.linkActive()
        #expect(other.linkClosed() == .fail(ZenohError(.handshakeFailed, ""), close: nil))
        #expect(other.linkClosed() == .none)
    }
}

import NIOCore
import Testing
import ZenohProtocol

@testable import ZenohTransport

@Suite("Transport state machine: inbound")
struct TransportStateMachineTests {
    func deliver(_ action: TransportStateMachine.InboundAction) -> [NetworkMessage]? {
        if case .deliver(let messages) = action { return messages }
        return nil
    }

    @Test func framesAreDeliveredInOrderAndDuplicatesDropped() {
        var machine = TransportStateMachine(parameters: Fixtures.parameters(remoteSN: 500), now: Fixtures.t0)
        let a = Fixtures.push("a", payload: [1])
        let b = Fixtures.push("b", payload: [2])
        let c = Fixtures.push("c", payload: [3])
        let batch = Fixtures.framedBatch([
            .frame(.init(sn: 500, messages: [a, b])),
            .frame(.init(isReliable: false, sn: 500, messages: [c])),
            .keepAlive(.init()),
        ])
        #expect(deliver(machine.batchReceived(batch, now: Fixtures.t0)) == [a, b, c])
        // The same SNs again: silently dropped, the transport stays up.
        #expect(deliver(machine.batchReceived(batch, now: Fixtures.t0)) == [])
        #expect(!machine.isClosed)
        #expect(deliver(machine.batchReceived(Fixtures.framedBatch([.frame(.init(sn: 501, messages: [c]))]), now: Fixtures.t0)) == [c])
    }

    @Test func fragmentsFromOneMachineReassembleInAnother() throws {
        let payload = Array(repeating: UInt8(0x5A), count: 300_000)
        let message = Fixtures.push("demo/big", payload: payload)
        var sender = TransportStateMachine(parameters: Fixtures.parameters(batchSize: 8_192, localSN: 9), now: Fixtures.t0)
        var receiver = TransportStateMachine(parameters: Fixtures.parameters(batchSize: 8_192, remoteSN: 9), now: Fixtures.t0)
        sender.enqueue(Fixtures.serialized(message), on: .bestEffort)
        sender.enqueue(Fixtures.serialized(Fixtures.push("after", payload: [1])), on: .bestEffort)
        var delivered: [NetworkMessage] = []
        for batch in sender.flush(now: Fixtures.t0) {
            let content = try #require(Fixtures.content(of: batch))
            delivered += try #require(deliver(receiver.batchReceived(content, now: Fixtures.t0)))
        }
        #expect(delivered == [message, Fixtures.push("after", payload: [1])])
    }

    @Test func fragmentsAcrossTheSequenceNumberWrap() throws {
        let message = Fixtures.push("demo/wrap", payload: Array(repeating: 0xC3, count: 20_000))
        let start: UInt32 = (1 << 28) - 2  // the fragments use 2^28 - 2, 2^28 - 1, 0, 1, ...
        var sender = TransportStateMachine(parameters: Fixtures.parameters(batchSize: 4_096, localSN: start), now: Fixtures.t0)
        var receiver = TransportStateMachine(parameters: Fixtures.parameters(batchSize: 4_096, remoteSN: start), now: Fixtures.t0)
        sender.enqueue(Fixtures.serialized(message), on: .reliable)
        var delivered: [NetworkMessage] = []
        var sns: [UInt32] = []
        for batch in sender.flush(now: Fixtures.t0) {
            if case .fragment(let fragment)? = try Fixtures.decode(batch).first { sns.append(fragment.sn) }
            let content = try #require(Fixtures.content(of: batch))
            delivered += try #require(deliver(receiver.batchReceived(content, now: Fixtures.t0)))
        }
        #expect(sns.prefix(4) == [start, start + 1, 0, 1])
        #expect(delivered == [message])
    }

    @Test func firstMarkerRestartsAndDropMarkerDiscards() {
        var machine = TransportStateMachine(parameters: Fixtures.parameters(remoteSN: 0), now: Fixtures.t0)
        let message = Fixtures.push("k", payload: [1, 2, 3, 4, 5, 6])
        var serialized = Fixtures.serialized(message)
        let head = serialized.readSlice(length: 4) ?? ByteBuffer()
        let tail = serialized
        func receive(_ fragment: TransportMessage.Fragment) -> [NetworkMessage]? {
            deliver(machine.batchReceived(Fixtures.framedBatch([.fragment(fragment)]), now: Fixtures.t0))
        }
        #expect(receive(.init(hasMore: true, sn: 0, payload: ByteBuffer(bytes: [0xFF, 0xFF]))) == [])  // junk start
        #expect(receive(.init(hasMore: true, sn: 1, isFirst: true, payload: head)) == [])  // First: restart
        #expect(receive(.init(hasMore: false, sn: 2, payload: tail)) == [message])
        #expect(receive(.init(hasMore: true, sn: 3, isFirst: true, payload: head)) == [])
        #expect(receive(.init(hasMore: false, sn: 4, isDrop: true, payload: ByteBuffer())) == [])  // Drop
        // After the drop, a whole new message goes through.
        #expect(receive(.init(hasMore: true, sn: 5, isFirst: true, payload: head)) == [])
        #expect(receive(.init(hasMore: false, sn: 6, payload: tail)) == [message])
        #expect(!machine.isClosed)
    }

    @Test func closeIsReportedAfterTheMessagesBeforeIt() {
        var machine = TransportStateMachine(parameters: Fixtures.parameters(remoteSN: 1), now: Fixtures.t0)
        let a = Fixtures.push("a", payload: [1])
        let batch = Fixtures.framedBatch([.frame(.init(sn: 1, messages: [a])), .close(.init(reason: .generic))])
        guard case .deliverThenClose(let messages, let error, let send) = machine.batchReceived(batch, now: Fixtures.t0)
        else {
            Issue.record("no close")
            return
        }
        #expect(messages == [a])
        #expect(error.code == .connectionClosed)
        #expect(error.message.contains("generic"))
        #expect(send.isEmpty)
        #expect(machine.isClosed)
        #expect(deliver(machine.batchReceived(batch, now: Fixtures.t0)) == [])
        #expect(machine.linkClosed(cause: nil) == nil)
    }

    @Test func garbageIsAProtocolViolationAnsweredWithCloseInvalid() throws {
        var machine = TransportStateMachine(parameters: Fixtures.parameters(), now: Fixtures.t0)
        guard
            case .deliverThenClose(let messages, let error, let send) = machine.batchReceived(
                ByteBuffer(bytes: [0x1F, 0xFF, 0xFF]), now: Fixtures.t0)
        else {
            Issue.record("no violation")
            return
        }
        #expect(messages.isEmpty)
        #expect(error.code == .protocolViolation)
        #expect(send.map { Array($0.contiguous.readableBytesView) } == [[0x02, 0x00, 0x03, 0x02]])
        #expect(machine.flush(now: Fixtures.t0).isEmpty)
    }

    @Test func closeRequestedFlushesThenSendsCloseGeneric() throws {
        var machine = TransportStateMachine(parameters: Fixtures.parameters(localSN: 3), now: Fixtures.t0)
        let a = Fixtures.push("a", payload: [1])
        machine.enqueue(Fixtures.serialized(a), on: .reliable)
        let batches = machine.closeRequested(now: Fixtures.t0)
        #expect(try batches.map { try Fixtures.decode($0) } == [[.frame(.init(sn: 3, messages: [a]))], [.close(.init(reason: .generic))]])
        #expect(Array(batches[1].contiguous.readableBytesView) == [0x02, 0x00, 0x03, 0x00])
        #expect(machine.closeRequested(now: Fixtures.t0).isEmpty)
        #expect(machine.linkClosed(cause: nil) == nil)
    }

    @Test func linkLossIsReportedOnce() {
        var machine = TransportStateMachine(parameters: Fixtures.parameters(), now: Fixtures.t0)
        #expect(machine.linkClosed(cause: nil)?.code == .connectionClosed)
        #expect(machine.linkClosed(cause: nil) == nil)
    }
}

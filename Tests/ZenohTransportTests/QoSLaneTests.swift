import NIOCore
import Testing
import ZenohProtocol

@testable import ZenohTransport

@Suite("QoS lanes and fragment markers")
struct QoSLaneTests {
    let control = TransportChannel(isReliable: true, priority: .control)
    let realTimeBestEffort = TransportChannel(isReliable: false, priority: .realTime)

    @Test func everyLaneHasItsOwnSequenceNumbersAndNamesItsPriority() throws {
        var batcher = OutboundBatcher(batchSize: 65_535, initialSN: 40, resolution: .default32)
        let a = Fixtures.push("a", payload: [1])
        let b = Fixtures.push("b", payload: [2])
        let c = Fixtures.push("c", payload: [3])
        batcher.append(Fixtures.serialized(a), on: self.control)
        batcher.append(Fixtures.serialized(b), on: .reliable)
        batcher.append(Fixtures.serialized(c), on: self.control)
        batcher.append(Fixtures.serialized(a), on: self.realTimeBestEffort)
        let batches = batcher.flush()
        #expect(batches.count == 1)
        #expect(
            try Fixtures.decode(batches[0]) == [
                .frame(.init(sn: 40, qos: ZenohQoS(rawValue: 0), messages: [a])),
                .frame(.init(sn: 40, messages: [b])),
                .frame(.init(sn: 41, qos: ZenohQoS(rawValue: 0), messages: [c])),
                .frame(.init(isReliable: false, sn: 40, qos: ZenohQoS(rawValue: 1), messages: [a])),
            ])
        // As Rust writes a Control frame: `a5 <sn> 31 00 ...`; a Data frame carries no QoS extension.
        let bytes = Array(batches[0].contiguous.readableBytesView)
        #expect(Array(bytes[2..<5]) == [0xA5, 40, 0x31])
        #expect(bytes[5] == 0x00)
        #expect(batcher.nextSN(on: self.control) == 42)
        #expect(batcher.nextSN(on: .reliable) == 41)
        #expect(batcher.nextSN(on: TransportChannel(isReliable: true, priority: .background)) == 40)
    }

    @Test func theLaneExtensionCountsAgainstTheBatchSize() throws {
        // 100-byte batches: 98 after the prefix. A Control frame header is 4 bytes (0xA5, sn, 0x31, 0x00).
        let probe = Fixtures.serialized(Fixtures.push("k", payload: [])).readableBytes
        let message = Fixtures.push("k", payload: Array(repeating: 7, count: 94 - probe))
        #expect(Fixtures.serialized(message).readableBytes == 94)
        var batcher = OutboundBatcher(batchSize: 100, initialSN: 0, resolution: .default32)
        batcher.append(Fixtures.serialized(message), on: self.control)
        let exact = batcher.flush()
        #expect(exact.map { $0.length } == [100])
        #expect(try Fixtures.decode(exact[0]) == [.frame(.init(sn: 0, qos: ZenohQoS(rawValue: 0), messages: [message]))])
        // One byte more no longer fits a Control frame, so it is fragmented; every piece stays within 100.
        let bigger = Fixtures.push("k", payload: Array(repeating: 7, count: 95 - probe))
        batcher.append(Fixtures.serialized(bigger), on: self.control)
        let pieces = batcher.flush()
        #expect(pieces.count == 2)
        #expect(pieces.allSatisfy { $0.length <= 100 })
    }

    @Test func patchOneMarksOnlyTheFirstFragmentAndKeepsTheLane() throws {
        let message = Fixtures.push("demo/big", payload: Array(repeating: 0x33, count: 5_000))
        var batcher = OutboundBatcher(batchSize: 1_024, initialSN: 3, resolution: .default32, marksFirstFragment: true)
        batcher.append(Fixtures.serialized(message), on: self.realTimeBestEffort)
        let batches = batcher.flush()
        #expect(batches.count > 4)
        var defragmenter = ZenohDefragmenter(markersEnabled: true)
        var reassembled: ByteBuffer?
        for (index, batch) in batches.enumerated() {
            #expect(batch.length <= 1_024)
            guard case .fragment(let fragment)? = try Fixtures.decode(batch).first else {
                Issue.record("batch \(index) is not a fragment")
                return
            }
            #expect(fragment.isFirst == (index == 0))
            #expect(!fragment.isReliable)
            #expect(fragment.qos == ZenohQoS(rawValue: 1))
            #expect(fragment.sn == 3 + UInt32(index))
            if index < batches.count - 1 { #expect(batch.length == 1_024) }
            if case .complete(let bytes) = defragmenter.received(fragment) { reassembled = bytes }
        }
        #expect(try NetworkMessage.decodeComplete(try #require(reassembled)) == message)
    }

    @Test func lanesAreReceivedIndependently() throws {
        // The receiver keeps one SN window per lane: the same SN on two lanes is two different frames.
        var receiver = TransportStateMachine(parameters: Fixtures.parameters(remoteSN: 10, qos: true), now: Fixtures.t0)
        let a = Fixtures.push("a", payload: [1])
        let b = Fixtures.push("b", payload: [2])
        let batch = Fixtures.framedBatch([
            .frame(.init(sn: 10, qos: ZenohQoS(rawValue: 0), messages: [a])),
            .frame(.init(sn: 10, messages: [b])),
            .frame(.init(sn: 10, qos: ZenohQoS(rawValue: 0), messages: [a])),  // duplicate on Control: dropped
        ])
        guard case .deliver(let delivered) = receiver.batchReceived(batch, now: Fixtures.t0) else {
            Issue.record("the transport closed")
            return
        }
        #expect(delivered == [a, b])
    }

    @Test func lanesRoundTripBetweenTwoMachinesWithFragments() throws {
        var sender = TransportStateMachine(
            parameters: Fixtures.parameters(batchSize: 2_048, localSN: 5, qos: true, patch: 1), now: Fixtures.t0)
        var receiver = TransportStateMachine(
            parameters: Fixtures.parameters(batchSize: 2_048, remoteSN: 5, qos: true, patch: 1), now: Fixtures.t0)
        let big = Fixtures.push("big", payload: Array(repeating: 0xEE, count: 9_000))
        let small = Fixtures.push("small", payload: [4])
        sender.enqueue(Fixtures.serialized(small), on: self.control)
        sender.enqueue(Fixtures.serialized(big), on: TransportChannel(isReliable: true, priority: .dataLow))
        sender.enqueue(Fixtures.serialized(small), on: self.realTimeBestEffort)
        var delivered: [NetworkMessage] = []
        for batch in sender.flush(now: Fixtures.t0) {
            let content = try #require(Fixtures.content(of: batch))
            guard case .deliver(let messages) = receiver.batchReceived(content, now: Fixtures.t0) else {
                Issue.record("the transport closed")
                return
            }
            delivered += messages
        }
        #expect(delivered == [small, big, small])
    }

    @Test func drainWritesHigherPrioritiesFirstAndKeepsOrderWithinOne() {
        func item(_ tag: UInt8, _ priority: ZenohPriority) -> TransportOutbox.Item {
            .init(message: ByteBuffer(bytes: [tag]), channel: TransportChannel(isReliable: true, priority: priority))
        }
        let items = [item(1, .data), item(2, .control), item(3, .background), item(4, .data), item(5, .realTime)]
        let ordered = TransportLinkHandler.byPriority(items).map { $0.message.getInteger(at: 0, as: UInt8.self) }
        #expect(ordered == [2, 5, 1, 4, 3])
    }
}

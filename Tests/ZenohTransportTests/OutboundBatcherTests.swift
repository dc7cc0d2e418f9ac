import NIOCore
import Testing
import ZenohProtocol

@testable import ZenohTransport

@Suite("Outbound batching and fragmentation")
struct OutboundBatcherTests {
    @Test func smallMessagesShareOneFrame() throws {
        var batcher = OutboundBatcher(batchSize: 65_535, initialSN: 7, resolution: .default32)
        let messages = (0..<5).map { Fixtures.push("demo/\($0)", payload: [UInt8($0)]) }
        for message in messages { batcher.append(Fixtures.serialized(message), on: .reliable) }
        let batches = batcher.flush()
        #expect(batches.count == 1)
        #expect(try Fixtures.decode(batches[0]) == [.frame(.init(isReliable: true, sn: 7, messages: messages))])
        #expect(batches[0].messageBytes == messages.reduce(0) { $0 + Fixtures.serialized($1).readableBytes })
        #expect(batcher.flush().isEmpty)
        #expect(batcher.nextSN(on: .reliable) == 8)
        #expect(batcher.nextSN(on: .bestEffort) == 7)
    }

    @Test func channelChangeStartsANewFrameInTheSameBatch() throws {
        var batcher = OutboundBatcher(batchSize: 65_535, initialSN: 0, resolution: .default32)
        let a = Fixtures.push("a", payload: [1])
        let b = Fixtures.push("b", payload: [2])
        let c = Fixtures.push("c", payload: [3])
        batcher.append(Fixtures.serialized(a), on: .reliable)
        batcher.append(Fixtures.serialized(b), on: .bestEffort)
        batcher.append(Fixtures.serialized(c), on: .reliable)
        let batches = batcher.flush()
        #expect(batches.count == 1)
        #expect(
            try Fixtures.decode(batches[0]) == [
                .frame(.init(isReliable: true, sn: 0, messages: [a])),
                .frame(.init(isReliable: false, sn: 0, messages: [b])),
                .frame(.init(isReliable: true, sn: 1, messages: [c])),
            ])
    }

    @Test func batchSizeBoundaryIncludesThePrefix() throws {
        // Batch size 100: at most 98 bytes after the prefix; the frame header (0x25, sn 0) takes 2.
        let one = Fixtures.serialized(Fixtures.push("k", payload: []))
        let fill = 96 - 2 * one.readableBytes  // payload growth needed so that two messages fill 96 bytes
        #expect(fill > 0)
        let big = Fixtures.push("k", payload: Array(repeating: 9, count: fill))
        let bigLength = Fixtures.serialized(big).readableBytes
        let small = Fixtures.push("k", payload: [])
        let smallLength = one.readableBytes
        // Whatever the VLE length overhead, make big + small exactly 96 by trimming.
        var exact = Array(repeating: UInt8(9), count: fill - (bigLength + smallLength - 96))
        var exactMessage = Fixtures.push("k", payload: exact)
        #expect(Fixtures.serialized(exactMessage).readableBytes + smallLength == 96)

        var batcher = OutboundBatcher(batchSize: 100, initialSN: 0, resolution: .default32)
        batcher.append(Fixtures.serialized(exactMessage), on: .reliable)
        batcher.append(Fixtures.serialized(small), on: .reliable)
        var batches = batcher.flush()
        #expect(batches.map { $0.length } == [100])
        #expect(try Fixtures.decode(batches[0]) == [.frame(.init(sn: 0, messages: [exactMessage, small]))])

        // One byte more and the second message goes to a second batch with the next SN.
        exact.append(9)
        exactMessage = Fixtures.push("k", payload: exact)
        batcher.append(Fixtures.serialized(exactMessage), on: .reliable)
        batcher.append(Fixtures.serialized(small), on: .reliable)
        batches = batcher.flush()
        #expect(batches.count == 2)
        #expect(batches.allSatisfy { $0.length <= 100 })
        #expect(try Fixtures.decode(batches[0]) == [.frame(.init(sn: 1, messages: [exactMessage]))])
        #expect(try Fixtures.decode(batches[1]) == [.frame(.init(sn: 2, messages: [small]))])
    }

    @Test func oneMebibyteIsFragmentedAndReassembled() throws {
        let payload = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let message = Fixtures.push("demo/big", payload: payload, attachment: [0xAB])
        let serialized = Fixtures.serialized(message)
        let initialSN: UInt32 = 1_000
        var batcher = OutboundBatcher(batchSize: 49_152, initialSN: initialSN, resolution: .default32)
        batcher.append(Fixtures.serialized(Fixtures.push("before", payload: [1])), on: .reliable)
        batcher.append(serialized, on: .reliable)
        let batches = batcher.flush()
        #expect(batches.allSatisfy { $0.length <= 49_152 })
        #expect(try Fixtures.decode(batches[0]) == [.frame(.init(sn: initialSN, messages: [Fixtures.push("before", payload: [1])]))])

        var defragmenter = ZenohDefragmenter(markersEnabled: false)
        var expectedSN = initialSN + 1
        var reassembled: ByteBuffer?
        let fragments = batches.dropFirst()
        #expect(fragments.count == 22)
        for (index, batch) in fragments.enumerated() {
            let decoded = try Fixtures.decode(batch)
            guard decoded.count == 1, case .fragment(let fragment) = decoded[0] else {
                Issue.record("batch \(index) is not one fragment")
                return
            }
            #expect(fragment.sn == expectedSN)
            #expect(fragment.isReliable)
            #expect(fragment.hasMore == (index < fragments.count - 1))
            #expect(!fragment.isFirst && !fragment.isDrop)
            if index < fragments.count - 1 { #expect(batch.length == 49_152) }
            expectedSN += 1
            if case .complete(let bytes) = defragmenter.received(fragment) { reassembled = bytes }
        }
        let bytes = try #require(reassembled)
        #expect(bytes == serialized)
        #expect(try NetworkMessage.decodeComplete(bytes) == message)
        #expect(
            batches.reduce(0) { $0 + $1.messageBytes } == serialized.readableBytes
                + Fixtures.serialized(Fixtures.push("before", payload: [1])).readableBytes)
    }
}

@Suite("Detached payloads (no copy of large payloads)")
struct DetachedPayloadTests {
    static func message(size: Int) -> NetworkMessage {
        Fixtures.push("demo/detached", payload: (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }, attachment: [1, 2])
    }

    @Test(arguments: [0, 100, 8_191, 8_192, 65_000, 300_000])
    func headPlusDetachedPayloadIsTheWholeMessage(size: Int) {
        let message = Self.message(size: size)
        var head = ByteBuffer()
        let detached = head.writeZenohNetworkMessage(message, detachingPayloadOf: 8_192)
        #expect((detached != nil) == (size >= 8_192))
        var joined = head
        if var detached { joined.writeBuffer(&detached) }
        #expect(joined == Fixtures.serialized(message))
    }

    @Test(arguments: [8_192, 60_000, 300_000])
    func fragmentsOfADetachedPayloadAreTheSameBytesAsOfACopiedOne(size: Int) throws {
        let message = Self.message(size: size)
        var copied = OutboundBatcher(batchSize: 16_384, initialSN: 11, resolution: .default32, marksFirstFragment: true)
        copied.append(Fixtures.serialized(message), on: .reliable)
        var head = ByteBuffer()
        let detached = head.writeZenohNetworkMessage(message, detachingPayloadOf: 8_192)
        var sliced = OutboundBatcher(batchSize: 16_384, initialSN: 11, resolution: .default32, marksFirstFragment: true)
        sliced.append(head, detached: detached, on: .reliable)
        let expected = copied.flush()
        let actual = sliced.flush()
        #expect(actual.map(\.contiguous) == expected.map(\.contiguous))
        #expect(actual.map(\.messageBytes) == expected.map(\.messageBytes))
        #expect(actual.allSatisfy { $0.length <= 16_384 })
        if size > 16_384 {
            // Large pieces stay slices of the application's payload.
            #expect(actual.contains { !$0.tail.isEmpty })
        }
    }
}

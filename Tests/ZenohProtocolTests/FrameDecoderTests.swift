import NIOCore
import Testing

@testable import ZenohProtocol

@Suite("Stream framing and batches")
struct FrameDecoderTests {
    private func decodeAll(_ chunks: [ByteBuffer], maximum: Int = 65_535) throws -> [ByteBuffer] {
        let processor = NIOSingleStepByteToMessageProcessor(ZenohStreamFrameDecoder(maximumBatchLength: maximum))
        var batches: [ByteBuffer] = []
        for chunk in chunks {
            try processor.process(buffer: chunk) { batches.append($0) }
        }
        return batches
    }

    @Test("Batches are split at every possible boundary")
    func everySplit() throws {
        // KeepAlive, Close, a small Frame.
        let stream = ByteBuffer(hex: "01 00 04 02 00 03 00 09 00 25 d5 eb 85 73 9a 01 21 0d")
        let expected = [ByteBuffer(hex: "04"), ByteBuffer(hex: "03 00"), ByteBuffer(hex: "25 d5 eb 85 73 9a 01 21 0d")]
        for split in 0...stream.readableBytes {
            let first = stream.getSlice(at: 0, length: split)!
            let second = stream.getSlice(at: split, length: stream.readableBytes - split)!
            #expect(try self.decodeAll([first, second]) == expected)
        }
        // One byte at a time.
        let bytes = (0..<stream.readableBytes).map { stream.getSlice(at: $0, length: 1)! }
        #expect(try self.decodeAll(bytes) == expected)
    }

    @Test("A partial batch yields nothing until complete")
    func partial() throws {
        var decoder = ZenohStreamFrameDecoder()
        var buffer = ByteBuffer(hex: "05 00 01 02")
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readableBytes == 4)
        buffer.writeBytes([3, 4, 5])
        #expect(try decoder.decode(buffer: &buffer) == ByteBuffer(hex: "01 02 03 04 05"))
        #expect(buffer.readableBytes == 0)
    }

    @Test("A length above the negotiated maximum throws")
    func tooLong() throws {
        var decoder = ZenohStreamFrameDecoder(maximumBatchLength: 49_150)
        var ok = ByteBuffer(hex: "fe bf")
        #expect(try decoder.decode(buffer: &ok) == nil)
        var buffer = ByteBuffer(hex: "ff bf")
        #expect { try decoder.decode(buffer: &buffer) } throws: { ($0 as? ZenohDecodingError)?.code == .limitExceeded }
    }

    @Test("Leftover bytes in a batch are an error")
    func leftover() {
        // KeepAlive followed by a byte that is no transport message.
        #expect { try ZenohBatch.decode(ByteBuffer(hex: "04 1f")) } throws: {
            ($0 as? ZenohDecodingError)?.code == .unknownMessage
        }
        #expect { try NetworkMessage.decodeComplete(ByteBuffer(hex: "9a 01 21 0d 00")) } throws: {
            ($0 as? ZenohDecodingError)?.code == .trailingBytes
        }
    }

    @Test("A Frame stops at the first non-network header; the next transport message follows")
    func frameBoundary() throws {
        let batch = ByteBuffer(hex: "25 01 9a 01 21 0d 1a 02 04")
        let messages = try ZenohBatch.decode(batch)
        #expect(messages.count == 2)
        guard case .frame(let frame) = messages.first else {
            Issue.record("expected a frame")
            return
        }
        #expect(frame.messages.count == 2)
        #expect(messages.last == .keepAlive(.init()))
        #expect(ZenohBatch.encode(messages) == batch)
    }
}

@Suite("Fragment reassembly")
struct DefragmenterTests {
    private func fragment(_ sn: UInt32, _ bytes: String, more: Bool = true, first: Bool = false, drop: Bool = false)
        -> TransportMessage.Fragment
    {
        .init(hasMore: more, sn: sn, isFirst: first, isDrop: drop, payload: ByteBuffer(hex: bytes))
    }

    @Test("The captured 1 MiB put reassembles")
    func capture() throws {
        let stream = try #require(CaptureFixtures.streams.first { $0.file == "client" && $0.direction == "c2s" })
        var defragmenter = ZenohDefragmenter(markersEnabled: true)
        var completed: [ByteBuffer] = []
        for batch in try stream.batches() {
            for case .fragment(let fragment) in try ZenohBatch.decode(batch) {
                if case .complete(let message) = defragmenter.received(fragment) {
                    completed.append(message)
                }
            }
        }
        #expect(completed.map(\.readableBytes) == [1_048_591])
        #expect(!defragmenter.isReassembling)
    }

    @Test("First, Drop, gaps and size limits")
    func rules() {
        var plain = ZenohDefragmenter(markersEnabled: false)
        #expect(plain.received(self.fragment(1, "01")) == .incomplete)
        #expect(plain.received(self.fragment(2, "02", more: false)) == .complete(ByteBuffer(hex: "01 02")))
        #expect(plain.received(self.fragment(3, "03")) == .incomplete)
        #expect(plain.received(self.fragment(5, "05")) == .discarded(.sequenceGap))
        #expect(plain.received(self.fragment(6, "06", more: false)) == .complete(ByteBuffer(hex: "05 06")))

        var marked = ZenohDefragmenter(markersEnabled: true)
        #expect(marked.received(self.fragment(1, "01")) == .discarded(.missingFirst))
        #expect(marked.received(self.fragment(2, "02", more: false)) == .incomplete)
        #expect(marked.received(self.fragment(3, "03", first: true)) == .incomplete)
        #expect(marked.received(self.fragment(4, "", drop: true)) == .discarded(.dropMarker))
        #expect(marked.received(self.fragment(5, "05", first: true)) == .incomplete)
        #expect(marked.received(self.fragment(6, "06", more: false)) == .complete(ByteBuffer(hex: "05 06")))

        // Sequence numbers wrap at the transport's resolution (28 bits), not at 2^32.
        var wrapping = ZenohDefragmenter(markersEnabled: false)
        let last: UInt32 = (1 << 28) - 1
        #expect(wrapping.received(self.fragment(last, "0a")) == .incomplete)
        #expect(wrapping.received(self.fragment(0, "0b", more: false)) == .complete(ByteBuffer(hex: "0a 0b")))
        #expect(wrapping.received(self.fragment(last, "0c")) == .incomplete)
        #expect(wrapping.received(self.fragment(1, "0d")) == .discarded(.sequenceGap))

        var small = ZenohDefragmenter(maximumMessageSize: 3, markersEnabled: false)
        #expect(small.received(self.fragment(1, "01 02")) == .incomplete)
        #expect(small.received(self.fragment(2, "03 04")) == .discarded(.tooLarge))
        #expect(!small.isReassembling)
    }
}

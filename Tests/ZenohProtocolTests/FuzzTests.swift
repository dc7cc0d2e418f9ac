import NIOCore
import Testing

@testable import ZenohProtocol

/// Seeded mutation fuzzing over every captured batch: decoders must never trap, every failure
/// is a `ZenohDecodingError` (enforced by typed throws and checked below), and anything that
/// decodes must re-encode to bytes that decode to the same value.
@Suite("Mutation fuzzing")
struct FuzzTests {
    /// Small batches get many mutations; the big fragment batches fewer.
    private static let corpus: [ByteBuffer] = CaptureFixtures.batches.map(\.batch)

    private static func mutate(_ batch: ByteBuffer, using generator: inout SeededGenerator) -> ByteBuffer {
        var bytes = Array(batch.readableBytesView)
        let rounds = Int.random(in: 1...3, using: &generator)
        for _ in 0..<rounds {
            switch Int.random(in: 0..<8, using: &generator) {
            case 0, 1:  // bit flips
                guard !bytes.isEmpty else { continue }
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let index = Int.random(in: 0..<bytes.count, using: &generator)
                    bytes[index] ^= 1 << UInt8.random(in: 0...7, using: &generator)
                }
            case 2:  // truncation
                bytes.removeLast(Int.random(in: 0...bytes.count, using: &generator))
            case 3:  // insertion of random bytes
                let index = Int.random(in: 0...bytes.count, using: &generator)
                let count = Int.random(in: 1...8, using: &generator)
                bytes.insert(
                    contentsOf: (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }, at: index)
            case 4:  // deletion
                guard !bytes.isEmpty else { continue }
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes.removeSubrange(index..<min(bytes.count, index + Int.random(in: 1...4, using: &generator)))
            case 5:  // length-field corruption: a huge or shifted VLE where a small value was
                guard !bytes.isEmpty else { continue }
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                let replacements: [[UInt8]] = [
                    [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                    [0x80, 0x80, 0x04], [bytes[index] &+ 1], [bytes[index] &- 1], [0x7F], [0x00],
                ]
                bytes.replaceSubrange(index...index, with: replacements.randomElement(using: &generator)!)
            case 6:  // header bytes with random flags
                guard !bytes.isEmpty else { continue }
                let index = Int.random(in: 0..<min(bytes.count, 16), using: &generator)
                bytes[index] = (bytes[index] & 0x1F) | (UInt8.random(in: 0...7, using: &generator) << 5)
            default:  // duplicate a region
                guard bytes.count > 1 else { continue }
                let start = Int.random(in: 0..<bytes.count, using: &generator)
                let end = min(bytes.count, start + Int.random(in: 1...16, using: &generator))
                bytes.insert(contentsOf: bytes[start..<end], at: end)
            }
        }
        return ByteBuffer(bytes: bytes)
    }

    private static func check(_ batch: ByteBuffer) -> Bool {
        let messages: [TransportMessage]
        do {
            messages = try ZenohBatch.decode(batch)
        } catch {
            // Typed throws: `error` is statically a ZenohDecodingError.
            let typed: ZenohDecodingError = error
            #expect(!typed.code.description.isEmpty)
            return false
        }
        // Decoded: re-encoding must decode to the same messages.
        let reencoded = ZenohBatch.encode(messages)
        guard let again = try? ZenohBatch.decode(reencoded) else {
            Issue.record("re-encoded batch does not decode: \(batch.hexString.prefix(160))")
            return true
        }
        #expect(again == messages, "unstable round trip for \(batch.hexString.prefix(160))")
        // Fragments carry network messages: decode their payloads too.
        for case .fragment(let fragment) in messages where fragment.payload.readableBytes < 4096 {
            _ = try? NetworkMessage.decodeComplete(fragment.payload)
        }
        return true
    }

    @Test("Thousands of seeded mutations never trap", arguments: [1, 2, 3, 4] as [UInt64])
    func mutations(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var decoded = 0
        var total = 0
        for batch in Self.corpus {
            let rounds = batch.readableBytes > 4096 ? 2 : 40
            for _ in 0..<rounds {
                total += 1
                if Self.check(Self.mutate(batch, using: &generator)) {
                    decoded += 1
                }
            }
        }
        #expect(total > 5000)
        #expect(decoded > 0)
        #expect(decoded < total)
    }

    @Test("Random bytes never trap in any decoder")
    func randomBytes() {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<5000 {
            let count = Int.random(in: 0...48, using: &generator)
            let buffer = ByteBuffer(bytes: (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
            _ = Self.check(buffer)
            _ = try? NetworkMessage.decodeComplete(buffer)
            var declaration = buffer
            _ = try? Declaration.decode(from: &declaration)
            _ = try? LinkStateList.decode(buffer)
            _ = try? KeyExpr(autocanonizing: String(decoding: buffer.readableBytesView, as: UTF8.self))
        }
    }

    @Test("Mutated streams never trap the frame decoder")
    func streams() {
        var generator = SeededGenerator(seed: 99)
        for stream in CaptureFixtures.streams where stream.bytes.readableBytes < 10_000 {
            for _ in 0..<50 {
                let mutated = Self.mutate(stream.bytes, using: &generator)
                let processor = NIOSingleStepByteToMessageProcessor(ZenohStreamFrameDecoder(maximumBatchLength: 49_150))
                do {
                    try processor.process(buffer: mutated) { batch in _ = Self.check(batch) }
                } catch {
                    #expect(error is ZenohDecodingError)
                }
            }
        }
    }
}

import NIOCore
import Testing

@testable import ZenohProtocol

@Suite("Variable-length integers")
struct VLETests {
    @Test(
        "Wire examples from the reference",
        arguments: [
            ("0a", UInt64(10)), ("d0 0f", 2000), ("80 80 40", 1_048_576), ("ff 85 90 19", 52_691_711),
            ("00", 0), ("7f", 127), ("80 01", 128),
            ("c0 e0 c6 f9 a0 b8 f0 82 6b", 7_711_782_976_164_573_248),
        ]
    )
    func examples(hex: String, value: UInt64) throws {
        var buffer = ByteBuffer(hex: hex)
        #expect(try buffer.readZenohVLE(as: UInt64.self) == value)
        #expect(buffer.readableBytes == 0)
        var written = ByteBuffer()
        written.writeZenohVLE(value)
        #expect(written == ByteBuffer(hex: hex))
        #expect(ByteBuffer.zenohVLELength(of: value) == written.readableBytes)
    }

    @Test("u64 max fits in 9 bytes, the 9th carrying 8 bits")
    func maximum() throws {
        var buffer = ByteBuffer()
        #expect(buffer.writeZenohVLE(UInt64.max) == 9)
        #expect(buffer == ByteBuffer(hex: "ff ff ff ff ff ff ff ff ff"))
        #expect(try buffer.readZenohVLE(as: UInt64.self) == .max)
        // 2^56 is the smallest value that needs the 9th byte.
        var edge = ByteBuffer()
        #expect(edge.writeZenohVLE(UInt64(1) << 56) == 9)
        #expect(edge == ByteBuffer(hex: "80 80 80 80 80 80 80 80 01"))
        #expect(try edge.readZenohVLE(as: UInt64.self) == UInt64(1) << 56)
        var below = ByteBuffer()
        #expect(below.writeZenohVLE((UInt64(1) << 56) - 1) == 8)
    }

    @Test("Round trips at every width boundary")
    func roundTrips() throws {
        var values: [UInt64] = [0, 1, .max, .max - 1]
        for shift in 1..<64 {
            values += [(UInt64(1) << shift) - 1, UInt64(1) << shift, (UInt64(1) << shift) + 1]
        }
        var generator = SeededGenerator(seed: 7)
        values += (0..<500).map { _ in
            UInt64.random(in: 0...UInt64.max, using: &generator) >> (UInt64.random(in: 0...63, using: &generator))
        }
        for value in values {
            var buffer = ByteBuffer()
            buffer.writeZenohVLE(value)
            #expect(try buffer.readZenohVLE(as: UInt64.self) == value)
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test("Bounded reads throw on overflow and leave the reader index")
    func boundedOverflow() throws {
        var buffer = ByteBuffer()
        buffer.writeZenohVLE(UInt64(UInt32.max) + 1)
        let start = buffer.readerIndex
        #expect { try buffer.readZenohVLE(as: UInt32.self) } throws: { ($0 as? ZenohDecodingError)?.code == .overflow }
        #expect(buffer.readerIndex == start)
        var u16 = ByteBuffer(hex: "80 80 04")  // 65536
        #expect { try u16.readZenohVLE(as: UInt16.self) } throws: { ($0 as? ZenohDecodingError)?.code == .overflow }
        var ok16 = ByteBuffer(hex: "ff ff 03")  // 65535
        #expect(try ok16.readZenohVLE(as: UInt16.self) == .max)
        var u8 = ByteBuffer(hex: "80 02")  // 256
        #expect { try u8.readZenohVLE(as: UInt8.self) } throws: { ($0 as? ZenohDecodingError)?.code == .overflow }
    }

    @Test("Truncated integers throw .truncated", arguments: ["", "80", "ff ff", "80 80 80 80 80 80 80 80"])
    func truncation(hex: String) {
        var buffer = ByteBuffer(hex: hex)
        #expect { try buffer.readZenohVLE(as: UInt64.self) } throws: { ($0 as? ZenohDecodingError)?.code == .truncated }
        #expect(buffer.readableBytes == ByteBuffer(hex: hex).readableBytes)
    }

    @Test("A 10th byte is never read: 9 bytes always end the integer")
    func tenthByteIgnored() throws {
        var buffer = ByteBuffer(hex: "ff ff ff ff ff ff ff ff ff 01")
        #expect(try buffer.readZenohVLE(as: UInt64.self) == .max)
        #expect(buffer.readableBytes == 1)
    }

    @Test("Length-prefixed bytes are bounded and zero-copy")
    func lengthPrefixed() throws {
        var buffer = ByteBuffer(hex: "03 61 62 63 ff")
        let slice = try buffer.readZenohBytes()
        #expect(String(buffer: slice) == "abc")
        #expect(buffer.readableBytes == 1)
        var tooLong = ByteBuffer(hex: "05 61 62")
        #expect { try tooLong.readZenohBytes() } throws: { ($0 as? ZenohDecodingError)?.code == .truncated }
        var limited = ByteBuffer(hex: "03 61 62 63")
        #expect { try limited.readZenohBytes(maximumLength: 2) } throws: {
            ($0 as? ZenohDecodingError)?.code == .limitExceeded
        }
        var invalid = ByteBuffer(hex: "02 c3 28")
        #expect { try invalid.readZenohString() } throws: { ($0 as? ZenohDecodingError)?.code == .invalidUTF8 }
    }
}

/// A small deterministic generator (SplitMix64) for seeded tests.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("VLE as a NIO integer-encoding strategy")
struct VLEStrategyTests {
    @Test("writeLengthPrefixed produces the minimal length prefix, even when the data is long")
    func lengthPrefixed() throws {
        for length in [0, 5, 127, 128, 300, 20_000] {
            var buffer = ByteBuffer()
            buffer.writeLengthPrefixed(strategy: ByteBuffer.ZenohVLEStrategy()) { inner in
                inner.writeRepeatingByte(0xAB, count: length)
            }
            var expected = ByteBuffer()
            expected.writeZenohBytes([UInt8](repeating: 0xAB, count: length))
            #expect(buffer == expected)
            #expect(buffer.readEncodedInteger(as: Int.self, strategy: ByteBuffer.ZenohVLEStrategy()) == length)
        }
        var short = ByteBuffer(hex: "80")
        #expect(short.readEncodedInteger(as: UInt8.self, strategy: ByteBuffer.ZenohVLEStrategy()) == nil)
        #expect(short.readableBytes == 1)
    }
}

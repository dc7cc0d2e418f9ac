import MessagePack
import NIOCore
import Testing

@Suite("MessagePack encoding (Python msgpack.packb(use_bin_type=True) forms)")
struct MessagePackEncodingTests {
    static func bytes(_ write: (inout ByteBuffer) -> Void) -> [UInt8] {
        var buffer = ByteBuffer()
        write(&buffer)
        return Array(buffer.readableBytesView)
    }

    @Test(
        "Integers take the smallest form",
        arguments: [
            (0, [0x00]), (127, [0x7f]), (128, [0xcc, 0x80]), (255, [0xcc, 0xff]), (256, [0xcd, 0x01, 0x00]),
            (65535, [0xcd, 0xff, 0xff]), (65536, [0xce, 0x00, 0x01, 0x00, 0x00]),
            (4_294_967_295, [0xce, 0xff, 0xff, 0xff, 0xff]), (4_294_967_296, [0xcf, 0, 0, 0, 1, 0, 0, 0, 0]),
            (-1, [0xff]), (-32, [0xe0]), (-33, [0xd0, 0xdf]), (-128, [0xd0, 0x80]), (-129, [0xd1, 0xff, 0x7f]),
            (-32768, [0xd1, 0x80, 0x00]), (-32769, [0xd2, 0xff, 0xff, 0x7f, 0xff]),
            (Int(Int32.min), [0xd2, 0x80, 0, 0, 0]), (Int(Int32.min) - 1, [0xd3, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff]),
            (Int.min, [0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]),
        ] as [(Int, [UInt8])])
    func integers(value: Int, expected: [UInt8]) throws {
        #expect(Self.bytes { $0.writeMessagePackInt(value) } == expected)
        let decoded = try MessagePackDecoder().decode(ByteBuffer(bytes: expected))
        #expect(decoded.int64Value == Int64(value))
    }

    @Test("UInt64.max and the unsigned path")
    func bigUnsigned() throws {
        let expected: [UInt8] = [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        #expect(Self.bytes { $0.writeMessagePackUInt(.max) } == expected)
        #expect(try MessagePackDecoder().decode(ByteBuffer(bytes: expected)) == .uint(.max))
    }

    @Test("Strings: fixstr, str8, str16, str32")
    func strings() throws {
        for (length, header) in [
            (0, [0xa0]), (31, [0xbf]), (32, [0xd9, 32]), (255, [0xd9, 0xff]),
            (256, [0xda, 0x01, 0x00]), (65536, [0xdb, 0, 1, 0, 0]),
        ] as [(Int, [UInt8])] {
            let s = String(repeating: "a", count: length)
            let encoded = Self.bytes { $0.writeMessagePackString(s) }
            #expect(Array(encoded.prefix(header.count)) == header)
            #expect(try MessagePackDecoder().decode(ByteBuffer(bytes: encoded)) == .string(s))
        }
    }

    @Test("bin: bin8, bin16, bin32 and zero-copy decoding")
    func binary() throws {
        for (length, header) in [(0, [0xc4, 0]), (255, [0xc4, 0xff]), (256, [0xc5, 1, 0]), (65536, [0xc6, 0, 1, 0, 0])]
            as [(Int, [UInt8])]
        {
            let payload = [UInt8](repeating: 7, count: length)
            let encoded = Self.bytes { $0.writeMessagePackBinary(payload) }
            #expect(Array(encoded.prefix(header.count)) == header)
            #expect(try MessagePackDecoder().decode(ByteBuffer(bytes: encoded)).binaryValue?.readableBytes == length)
        }
        // The decoded bin shares storage with the input.
        let input = ByteBuffer(bytes: Self.bytes { $0.writeMessagePackBinary([UInt8](repeating: 1, count: 1000)) })
        let slice = try #require(try MessagePackDecoder().decode(input).binaryValue)
        let inputBase = input.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        let sliceBase = slice.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(sliceBase == inputBase + 3)
    }

    @Test("Containers: fix, 16- and 32-bit headers; maps keep order")
    func containers() throws {
        #expect(Self.bytes { $0.writeMessagePackArrayHeader(count: 15) } == [0x9f])
        #expect(Self.bytes { $0.writeMessagePackArrayHeader(count: 16) } == [0xdc, 0, 16])
        #expect(Self.bytes { $0.writeMessagePackArrayHeader(count: 65536) } == [0xdd, 0, 1, 0, 0])
        #expect(Self.bytes { $0.writeMessagePackMapHeader(count: 15) } == [0x8f])
        #expect(Self.bytes { $0.writeMessagePackMapHeader(count: 16) } == [0xde, 0, 16])
        #expect(Self.bytes { $0.writeMessagePackMapHeader(count: 65536) } == [0xdf, 0, 1, 0, 0])
        let map: MessagePackValue = .map([MessagePackPair("z", 1), MessagePackPair("a", [true, .null, 1.5])])
        let encoded = map.encoded()
        #expect(
            Array(encoded.readableBytesView) == [
                0x82, 0xa1, 0x7a, 0x01, 0xa1, 0x61, 0x93, 0xc3, 0xc0,
                0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0,
            ])
        #expect(try MessagePackDecoder().decode(encoded) == map)
    }

    @Test("Floats: float64 for doubles, float32 decodes")
    func floats() throws {
        #expect(Self.bytes { $0.writeMessagePackDouble(0.5) } == [0xcb, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0])
        #expect(Self.bytes { $0.writeMessagePackFloat(0.5) } == [0xca, 0x3f, 0x00, 0, 0])
        #expect(try MessagePackDecoder().decode(ByteBuffer(bytes: [0xca, 0x3f, 0x00, 0, 0])) == .float32(0.5))
    }
}

@Suite("MessagePack decoding limits and refusals")
struct MessagePackDecodingTests {
    func code(_ bytes: [UInt8], limits: MessagePackDecoder.Limits = .default) -> MessagePackError.Code? {
        do {
            _ = try MessagePackDecoder(limits: limits).decode(ByteBuffer(bytes: bytes))
            return nil
        } catch {
            return error.code
        }
    }

    @Test("ext and fixext are refused as unsupported", arguments: [0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8] as [UInt8])
    func ext(type: UInt8) {
        #expect(code([type, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]) == .unsupportedExtension)
    }

    @Test("Reserved byte, invalid UTF-8, trailing bytes, truncation")
    func refusals() {
        #expect(code([0xc1]) == .reservedByte)
        #expect(code([0xa2, 0xc3, 0x28]) == .invalidUTF8)
        #expect(code([0xc0, 0xc0]) == .trailingBytes)
        #expect(code([]) == .truncated)
        #expect(code([0xcd, 0x01]) == .truncated)
        #expect(code([0xc6, 0xff, 0xff, 0xff, 0xff]) == .limitExceeded)
        #expect(code([0xc6, 0x00, 0x01, 0x00, 0x00, 1, 2]) == .truncated)
        #expect(code([0xdd, 0xff, 0xff, 0xff, 0xff]) == .limitExceeded)
        #expect(code([0xdd, 0x00, 0x0f, 0xff, 0xff, 0xc0]) == .truncated)
        #expect(code([0xdf, 0x00, 0x00, 0x00, 0x02, 0xc0, 0xc0, 0xc0]) == .truncated)
    }

    @Test("Configurable limits")
    func limits() {
        let tight = MessagePackDecoder.Limits(maxDepth: 2, maxStringLength: 3, maxBinaryLength: 2, maxContainerCount: 2)
        #expect(code([0x91, 0x91, 0xc0], limits: tight) == nil)
        #expect(code([0x91, 0x91, 0x91, 0xc0], limits: tight) == .depthExceeded)
        #expect(code([0xa4, 0x61, 0x61, 0x61, 0x61], limits: tight) == .limitExceeded)
        #expect(code([0xc4, 0x03, 1, 2, 3], limits: tight) == .limitExceeded)
        #expect(code([0x93, 1, 2, 3], limits: tight) == .limitExceeded)
        #expect(code([0x92, 1, 2], limits: tight) == nil)
    }

    @Test("Default depth limit stops a 100 000-deep nest without recursing into it")
    func deep() {
        #expect(code([UInt8](repeating: 0x91, count: 100_000) + [0xc0]) == .depthExceeded)
    }

    @Test("Errors say where and what")
    func messages() {
        do {
            _ = try MessagePackDecoder().decode(ByteBuffer(bytes: [0x92, 0x01, 0xcd, 0x01]))
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 2)
            #expect(error.description == "MessagePack truncated at offset 2: need 2 bytes, 1 left")
        }
    }

    @Test("decode(from:) consumes one value and leaves the rest")
    func streaming() throws {
        var buffer = ByteBuffer(bytes: [0x01, 0xa1, 0x78, 0xc0])
        let decoder = MessagePackDecoder()
        #expect(try decoder.decode(from: &buffer) == 1)
        #expect(try decoder.decode(from: &buffer) == "x")
        #expect(try decoder.decode(from: &buffer) == .null)
        #expect(buffer.readableBytes == 0)
    }
}

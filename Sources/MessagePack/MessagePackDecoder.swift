public import NIOCore

/// Decodes MessagePack bytes into ``MessagePackValue`` trees, with every length and the nesting depth bounded.
///
/// Any input, however malformed, yields either a value or a ``MessagePackError``; nothing traps and nothing
/// allocates more than the input can justify (a container count is checked against the bytes left, since
/// every element takes at least one byte).
public struct MessagePackDecoder: Sendable {
    /// Bounds applied while decoding.
    public struct Limits: Sendable, Hashable {
        /// Maximum nesting of arrays and maps (the top-level container is depth 1).
        public var maxDepth: Int
        /// Maximum byte length of one `str`.
        public var maxStringLength: Int
        /// Maximum byte length of one `bin`.
        public var maxBinaryLength: Int
        /// Maximum element count of one array, or entry count of one map.
        public var maxContainerCount: Int

        public init(
            maxDepth: Int = 32,
            maxStringLength: Int = 1 << 20,
            maxBinaryLength: Int = 256 << 20,
            maxContainerCount: Int = 1 << 20
        ) {
            self.maxDepth = maxDepth
            self.maxStringLength = maxStringLength
            self.maxBinaryLength = maxBinaryLength
            self.maxContainerCount = maxContainerCount
        }

        /// Limits that suit LeRobot bodies: raw 4K images fit, a hostile count does not.
        public static let `default` = Limits()
    }

    public var limits: Limits

    public init(limits: Limits = .default) {
        self.limits = limits
    }

    /// Decodes exactly one value that must span the whole readable part of `buffer`.
    public func decode(_ buffer: ByteBuffer) throws(MessagePackError) -> MessagePackValue {
        var reader = Reader(buffer: buffer, limits: limits)
        let value = try reader.readValue(depth: 0)
        if reader.buffer.readableBytes != 0 {
            throw MessagePackError(
                .trailingBytes, "\(reader.buffer.readableBytes) bytes after the value", offset: reader.offset)
        }
        return value
    }

    /// Decodes one value from the front of `buffer`, advancing its reader index past it.
    public func decode(from buffer: inout ByteBuffer) throws(MessagePackError) -> MessagePackValue {
        var reader = Reader(buffer: buffer, limits: limits)
        let value = try reader.readValue(depth: 0)
        buffer = reader.buffer
        return value
    }
}

extension MessagePackDecoder {
    private struct Reader {
        var buffer: ByteBuffer
        let limits: Limits
        let start: Int

        init(buffer: ByteBuffer, limits: Limits) {
            self.buffer = buffer
            self.limits = limits
            self.start = buffer.readerIndex
        }

        var offset: Int { buffer.readerIndex - start }

        mutating func readValue(depth: Int) throws(MessagePackError) -> MessagePackValue {
            let at = offset
            guard let byte = buffer.readInteger(as: UInt8.self) else {
                throw MessagePackError(.truncated, "expected a value, input ended", offset: at)
            }
            switch byte {
            case 0x00...0x7f: return .int(Int64(byte))
            case 0x80...0x8f: return try readMap(count: Int(byte & 0x0f), depth: depth, at: at)
            case 0x90...0x9f: return try readArray(count: Int(byte & 0x0f), depth: depth, at: at)
            case 0xa0...0xbf: return try readString(length: Int(byte & 0x1f), at: at)
            case 0xc0: return .null
            case 0xc1: throw MessagePackError(.reservedByte, "byte 0xc1 is never used", offset: at)
            case 0xc2: return .bool(false)
            case 0xc3: return .bool(true)
            case 0xc4: return try readBinary(length: Int(try read(UInt8.self, at)), at: at)
            case 0xc5: return try readBinary(length: Int(try read(UInt16.self, at)), at: at)
            case 0xc6: return try readBinary(length: Int(try read(UInt32.self, at)), at: at)
            case 0xc7...0xc9, 0xd4...0xd8:
                throw MessagePackError(
                    .unsupportedExtension, "ext values are not accepted (type byte 0x\(hex(byte)))", offset: at)
            case 0xca: return .float32(Float(bitPattern: try read(UInt32.self, at)))
            case 0xcb: return .float64(Double(bitPattern: try read(UInt64.self, at)))
            case 0xcc: return .int(Int64(try read(UInt8.self, at)))
            case 0xcd: return .int(Int64(try read(UInt16.self, at)))
            case 0xce: return .int(Int64(try read(UInt32.self, at)))
            case 0xcf:
                let v = try read(UInt64.self, at)
                return v <= UInt64(Int64.max) ? .int(Int64(v)) : .uint(v)
            case 0xd0: return .int(Int64(try read(Int8.self, at)))
            case 0xd1: return .int(Int64(try read(Int16.self, at)))
            case 0xd2: return .int(Int64(try read(Int32.self, at)))
            case 0xd3: return .int(try read(Int64.self, at))
            case 0xd9: return try readString(length: Int(try read(UInt8.self, at)), at: at)
            case 0xda: return try readString(length: Int(try read(UInt16.self, at)), at: at)
            case 0xdb: return try readString(length: Int(try read(UInt32.self, at)), at: at)
            case 0xdc: return try readArray(count: Int(try read(UInt16.self, at)), depth: depth, at: at)
            case 0xdd: return try readArray(count: Int(try read(UInt32.self, at)), depth: depth, at: at)
            case 0xde: return try readMap(count: Int(try read(UInt16.self, at)), depth: depth, at: at)
            case 0xdf: return try readMap(count: Int(try read(UInt32.self, at)), depth: depth, at: at)
            default:  // 0xe0...0xff: negative fixint
                return .int(Int64(Int8(bitPattern: byte)))
            }
        }

        private mutating func read<I: FixedWidthInteger>(_: I.Type, _ at: Int) throws(MessagePackError) -> I {
            guard let v = buffer.readInteger(endianness: .big, as: I.self) else {
                throw MessagePackError(
                    .truncated, "need \(MemoryLayout<I>.size) bytes, \(buffer.readableBytes) left", offset: at)
            }
            return v
        }

        private mutating func readString(length: Int, at: Int) throws(MessagePackError) -> MessagePackValue {
            guard length <= limits.maxStringLength else {
                throw MessagePackError(
                    .limitExceeded, "str of \(length) bytes exceeds the limit of \(limits.maxStringLength)",
                    offset: at)
            }
            guard length <= buffer.readableBytes else {
                throw MessagePackError(
                    .truncated, "str of \(length) bytes, \(buffer.readableBytes) left", offset: at)
            }
            let decoded = buffer.withUnsafeReadableBytes { raw -> String? in
                let bytes = UnsafeRawBufferPointer(rebasing: raw[0..<length])
                // Keys and most values are ASCII: those are valid UTF-8 without the full validation pass.
                if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
                return String(validating: bytes, as: UTF8.self)
            }
            guard let string = decoded else {
                throw MessagePackError(.invalidUTF8, "str of \(length) bytes is not valid UTF-8", offset: at)
            }
            buffer.moveReaderIndex(forwardBy: length)
            return .string(string)
        }

        private mutating func readBinary(length: Int, at: Int) throws(MessagePackError) -> MessagePackValue {
            guard length <= limits.maxBinaryLength else {
                throw MessagePackError(
                    .limitExceeded, "bin of \(length) bytes exceeds the limit of \(limits.maxBinaryLength)",
                    offset: at)
            }
            guard let slice = buffer.readSlice(length: length) else {
                throw MessagePackError(
                    .truncated, "bin of \(length) bytes, \(buffer.readableBytes) left", offset: at)
            }
            return .binary(slice)
        }

        private mutating func checkContainer(count: Int, perItem: Int, depth: Int, kind: String, at: Int)
            throws(MessagePackError)
        {
            guard depth < limits.maxDepth else {
                throw MessagePackError(
                    .depthExceeded, "containers nest deeper than \(limits.maxDepth)", offset: at)
            }
            guard count <= limits.maxContainerCount else {
                throw MessagePackError(
                    .limitExceeded, "\(kind) of \(count) items exceeds the limit of \(limits.maxContainerCount)",
                    offset: at)
            }
            // Every item takes at least one byte per element: a count the input cannot hold is truncation,
            // found before anything is allocated.
            guard count <= buffer.readableBytes / perItem else {
                throw MessagePackError(
                    .truncated, "\(kind) of \(count) items, only \(buffer.readableBytes) bytes left", offset: at)
            }
        }

        private mutating func readArray(count: Int, depth: Int, at: Int) throws(MessagePackError)
            -> MessagePackValue
        {
            try checkContainer(count: count, perItem: 1, depth: depth, kind: "array", at: at)
            var items: [MessagePackValue] = []
            items.reserveCapacity(count)
            for _ in 0..<count {
                items.append(try readValue(depth: depth + 1))
            }
            return .array(items)
        }

        private mutating func readMap(count: Int, depth: Int, at: Int) throws(MessagePackError) -> MessagePackValue {
            try checkContainer(count: count, perItem: 2, depth: depth, kind: "map", at: at)
            var pairs: [MessagePackPair] = []
            pairs.reserveCapacity(count)
            for _ in 0..<count {
                let key = try readValue(depth: depth + 1)
                let value = try readValue(depth: depth + 1)
                pairs.append(MessagePackPair(key, value))
            }
            return .map(pairs)
        }
    }
}

@inline(never)
func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
}

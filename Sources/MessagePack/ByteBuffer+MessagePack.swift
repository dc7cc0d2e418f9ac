public import NIOCore

// Encoding matches Python `msgpack.packb(obj, use_bin_type=True)` byte for byte:
// integers take the smallest form (unsigned forms for non-negative values), Python floats are float64,
// `str8` is used for 32...255-byte strings, `bytes` are `bin`, and maps are written in the order given.
//
// Lengths above 2^32 - 1 cannot be expressed in MessagePack; writing one is a programming error and traps.

extension ByteBuffer {
    /// Writes `nil`.
    @inlinable
    @discardableResult
    public mutating func writeMessagePackNil() -> Int {
        writeInteger(UInt8(0xc0))
    }

    /// Writes `true` or `false`.
    @inlinable
    @discardableResult
    public mutating func writeMessagePackBool(_ value: Bool) -> Int {
        writeInteger(value ? UInt8(0xc3) : UInt8(0xc2))
    }

    /// Writes a signed integer in its smallest encoding (non-negative values as Python writes them: unsigned).
    @inlinable
    @discardableResult
    public mutating func writeMessagePackInt(_ value: Int) -> Int {
        writeMessagePackInt(Int64(value))
    }

    /// Writes a signed integer in its smallest encoding (non-negative values as Python writes them: unsigned).
    @inlinable
    @discardableResult
    public mutating func writeMessagePackInt(_ v: Int64) -> Int {
        if v >= 0 {
            return writeMessagePackUInt(UInt64(v))
        }
        if v >= -32 { return writeInteger(UInt8(bitPattern: Int8(v))) }
        if v >= Int64(Int8.min) { return writeInteger(UInt8(0xd0)) + writeInteger(Int8(v)) }
        if v >= Int64(Int16.min) { return writeInteger(UInt8(0xd1)) + writeInteger(Int16(v), endianness: .big) }
        if v >= Int64(Int32.min) { return writeInteger(UInt8(0xd2)) + writeInteger(Int32(v), endianness: .big) }
        return writeInteger(UInt8(0xd3)) + writeInteger(v, endianness: .big)
    }

    /// Writes a non-negative integer in its smallest encoding.
    @inlinable
    @discardableResult
    public mutating func writeMessagePackUInt(_ value: UInt64) -> Int {
        switch value {
        case 0..<0x80: writeInteger(UInt8(value))
        case 0x80...0xff: writeInteger(UInt8(0xcc)) + writeInteger(UInt8(value))
        case 0x100...0xffff: writeInteger(UInt8(0xcd)) + writeInteger(UInt16(value), endianness: .big)
        case 0x1_0000...0xffff_ffff: writeInteger(UInt8(0xce)) + writeInteger(UInt32(value), endianness: .big)
        default: writeInteger(UInt8(0xcf)) + writeInteger(value, endianness: .big)
        }
    }

    /// Writes a float64 (what Python's `float` becomes).
    @inlinable
    @discardableResult
    public mutating func writeMessagePackDouble(_ value: Double) -> Int {
        writeInteger(UInt8(0xcb)) + writeInteger(value.bitPattern, endianness: .big)
    }

    /// Writes a float32.
    @inlinable
    @discardableResult
    public mutating func writeMessagePackFloat(_ value: Float) -> Int {
        writeInteger(UInt8(0xca)) + writeInteger(value.bitPattern, endianness: .big)
    }

    /// Writes a `str`.
    @inlinable
    @discardableResult
    public mutating func writeMessagePackString(_ value: String) -> Int {
        let length = value.utf8.count
        let header: Int
        switch length {
        case 0..<32: header = writeInteger(UInt8(0xa0 | UInt8(length)))
        case 32...0xff: header = writeInteger(UInt8(0xd9)) + writeInteger(UInt8(length))
        case 0x100...0xffff: header = writeInteger(UInt8(0xda)) + writeInteger(UInt16(length), endianness: .big)
        default: header = writeInteger(UInt8(0xdb)) + writeInteger(Self.checkedLength(length), endianness: .big)
        }
        return header + writeString(value)
    }

    /// Writes the header of a `bin` of `length` bytes; the caller writes the bytes next.
    @inlinable
    @discardableResult
    public mutating func writeMessagePackBinaryHeader(length: Int) -> Int {
        switch length {
        case 0...0xff: writeInteger(UInt8(0xc4)) + writeInteger(UInt8(length))
        case 0x100...0xffff: writeInteger(UInt8(0xc5)) + writeInteger(UInt16(length), endianness: .big)
        default: writeInteger(UInt8(0xc6)) + writeInteger(Self.checkedLength(length), endianness: .big)
        }
    }

    /// Writes a `bin` holding the readable bytes of `bytes`.
    @inlinable
    @discardableResult
    public mutating func writeMessagePackBinary(_ bytes: ByteBuffer) -> Int {
        writeMessagePackBinaryHeader(length: bytes.readableBytes) + writeImmutableBuffer(bytes)
    }

    /// Writes a `bin` holding `bytes`.
    @inlinable
    @discardableResult
    public mutating func writeMessagePackBinary(_ bytes: UnsafeRawBufferPointer) -> Int {
        writeMessagePackBinaryHeader(length: bytes.count) + writeBytes(bytes)
    }

    /// Writes a `bin` holding `bytes`.
    @inlinable
    @discardableResult
    public mutating func writeMessagePackBinary(_ bytes: some Collection<UInt8>) -> Int {
        writeMessagePackBinaryHeader(length: bytes.count) + writeBytes(bytes)
    }

    /// Writes the header of an array of `count` elements; the caller writes the elements next.
    @inlinable
    @discardableResult
    public mutating func writeMessagePackArrayHeader(count: Int) -> Int {
        switch count {
        case 0..<16: writeInteger(UInt8(0x90 | UInt8(count)))
        case 16...0xffff: writeInteger(UInt8(0xdc)) + writeInteger(UInt16(count), endianness: .big)
        default: writeInteger(UInt8(0xdd)) + writeInteger(Self.checkedLength(count), endianness: .big)
        }
    }

    /// Writes the header of a map of `count` entries; the caller writes key, value, key, value, ... next.
    @inlinable
    @discardableResult
    public mutating func writeMessagePackMapHeader(count: Int) -> Int {
        switch count {
        case 0..<16: writeInteger(UInt8(0x80 | UInt8(count)))
        case 16...0xffff: writeInteger(UInt8(0xde)) + writeInteger(UInt16(count), endianness: .big)
        default: writeInteger(UInt8(0xdf)) + writeInteger(Self.checkedLength(count), endianness: .big)
        }
    }

    /// Writes a whole value tree.
    @inlinable
    @discardableResult
    public mutating func writeMessagePack(_ value: MessagePackValue) -> Int {
        switch value {
        case .null: return writeMessagePackNil()
        case .bool(let b): return writeMessagePackBool(b)
        case .int(let i): return writeMessagePackInt(i)
        case .uint(let u): return writeMessagePackUInt(u)
        case .float32(let f): return writeMessagePackFloat(f)
        case .float64(let d): return writeMessagePackDouble(d)
        case .string(let s): return writeMessagePackString(s)
        case .binary(let b): return writeMessagePackBinary(b)
        case .array(let items):
            var n = writeMessagePackArrayHeader(count: items.count)
            for item in items { n += writeMessagePack(item) }
            return n
        case .map(let pairs):
            var n = writeMessagePackMapHeader(count: pairs.count)
            for pair in pairs {
                n += writeMessagePack(pair.key)
                n += writeMessagePack(pair.value)
            }
            return n
        }
    }

    @usableFromInline
    static func checkedLength(_ length: Int) -> UInt32 {
        guard let l = UInt32(exactly: length) else {
            preconditionFailure("MessagePack cannot express a length of \(length) (max 2^32 - 1)")
        }
        return l
    }
}

extension MessagePackValue {
    /// The value encoded as MessagePack bytes.
    public func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        buffer.writeMessagePack(self)
        return buffer
    }
}

package import NIOCore

extension ByteBuffer {
    /// Reads a Zenoh variable-length integer ("zint", zenoh-protocol.md section 2).
    ///
    /// Unsigned LEB128, little-endian groups of 7 bits with bit 7 as the continuation flag, except
    /// that the 9th byte carries 8 full bits, so a `u64` never needs more than 9 bytes.
    /// Narrower targets are bounded reads: a value that does not fit throws `.overflow`.
    /// On error the reader index is left unchanged.
    package mutating func readZenohVLE<I: FixedWidthInteger & UnsignedInteger>(
        as type: I.Type = I.self
    ) throws(ZenohDecodingError) -> I {
        var value: UInt64 = 0
        var index = self.readerIndex
        var shift: UInt64 = 0
        var consumed = 0
        while true {
            guard let byte = self.getInteger(at: index, as: UInt8.self) else {
                throw .truncated("variable-length integer")
            }
            index += 1
            consumed += 1
            if consumed == ZenohLimits.maximumVLELength {
                // The 9th byte: 8 full bits, no continuation flag.
                value |= UInt64(byte) << 56
                break
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                break
            }
            shift += 7
        }
        guard let result = I(exactly: value) else {
            throw .overflow("variable-length integer \(value) for \(I.self)")
        }
        self.moveReaderIndex(to: index)
        return result
    }

    /// Writes a Zenoh variable-length integer and returns the number of bytes written (1...9).
    @discardableResult
    package mutating func writeZenohVLE<I: FixedWidthInteger & UnsignedInteger>(_ value: I) -> Int {
        var remaining = UInt64(truncatingIfNeeded: value)
        var written = 0
        while written < ZenohLimits.maximumVLELength - 1 {
            if remaining < 0x80 {
                self.writeInteger(UInt8(truncatingIfNeeded: remaining))
                return written + 1
            }
            self.writeInteger(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
            written += 1
        }
        // 8 groups of 7 bits written: the remaining 8 bits fill the 9th byte.
        self.writeInteger(UInt8(truncatingIfNeeded: remaining))
        return written + 1
    }

    /// The number of bytes `writeZenohVLE(_:)` writes for `value`.
    package static func zenohVLELength<I: FixedWidthInteger & UnsignedInteger>(of value: I) -> Int {
        var remaining = UInt64(truncatingIfNeeded: value)
        var length = 1
        while remaining >= 0x80 && length < ZenohLimits.maximumVLELength {
            remaining >>= 7
            length += 1
        }
        return length
    }
}

extension ByteBuffer {
    /// The Zenoh variable-length integer as a NIO integer-encoding strategy, for
    /// `writeLengthPrefixed(strategy:writeData:)` and `readEncodedInteger(as:strategy:)`.
    ///
    /// Always writes the minimal encoding (NIO shifts the data when the reserved byte is not
    /// enough), so what it writes is byte-identical to Rust's encoder. Reading returns nil when
    /// the bytes are truncated or the value does not fit the requested type.
    package struct ZenohVLEStrategy: NIOBinaryIntegerEncodingStrategy, Sendable {
        /// Creates the strategy.
        package init() {}

        /// Reads a zint into `IntegerType`; nil (reader index unchanged) on truncation or overflow.
        package func readInteger<IntegerType: FixedWidthInteger>(
            as: IntegerType.Type,
            from buffer: inout ByteBuffer
        ) -> IntegerType? {
            var copy = buffer
            guard let value = try? copy.readZenohVLE(as: UInt64.self), let result = IntegerType(exactly: value) else {
                return nil
            }
            buffer = copy
            return result
        }

        /// Writes a zint (negative values are written as their two's-complement `u64`).
        package func writeInteger<IntegerType: FixedWidthInteger>(_ integer: IntegerType, to buffer: inout ByteBuffer)
            -> Int
        {
            buffer.writeZenohVLE(UInt64(truncatingIfNeeded: integer))
        }
    }
}

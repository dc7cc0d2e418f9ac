package import NIOCore

/// The identifier of a Zenoh node: a non-zero 128-bit value (zenoh-protocol.md section 2).
///
/// On the wire it is the little-endian bytes of the `u128` with the high zero bytes trimmed
/// (1...16 bytes). Its text form is the lowercase hex of the `u128` without leading zeros.
public struct ZenohId: Hashable, Sendable, CustomStringConvertible {
    /// The low 64 bits.
    public var low: UInt64
    /// The high 64 bits.
    public var high: UInt64

    /// Creates an id from its two halves; returns nil for zero, which Zenoh does not allow.
    public init?(low: UInt64, high: UInt64) {
        guard low != 0 || high != 0 else {
            return nil
        }
        self.init(uncheckedLow: low, high: high)
    }

    private init(uncheckedLow low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// Creates an id from its little-endian wire bytes (1...16 bytes, not all zero).
    public init?(littleEndianBytes bytes: some Collection<UInt8>) {
        guard (1...ZenohLimits.maximumZenohIdLength).contains(bytes.count) else {
            return nil
        }
        var low: UInt64 = 0
        var high: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 {
                low |= UInt64(byte) << (UInt64(index) * 8)
            } else {
                high |= UInt64(byte) << (UInt64(index - 8) * 8)
            }
        }
        self.init(low: low, high: high)
    }

    /// A random 16-byte id.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> ZenohId {
        // A non-zero high half makes the id non-zero.
        let high = UInt64.random(in: 1...UInt64.max, using: &generator)
        return ZenohId(uncheckedLow: UInt64.random(in: 0...UInt64.max, using: &generator), high: high)
    }

    /// A random 16-byte id from the system generator.
    public static func random() -> ZenohId {
        var generator = SystemRandomNumberGenerator()
        return self.random(using: &generator)
    }

    /// The number of bytes on the wire: the `u128` without its high zero bytes (1...16).
    public var byteCount: Int {
        if self.high != 0 {
            return 16 - self.high.leadingZeroBitCount / 8
        }
        return max(1, 8 - self.low.leadingZeroBitCount / 8)
    }

    /// The little-endian wire bytes.
    public var littleEndianBytes: [UInt8] {
        (0..<self.byteCount).map { index in
            index < 8
                ? UInt8(truncatingIfNeeded: self.low >> (UInt64(index) * 8))
                : UInt8(truncatingIfNeeded: self.high >> (UInt64(index - 8) * 8))
        }
    }

    /// The lowercase hex of the `u128` without leading zeros.
    public var description: String {
        if self.high == 0 {
            return String(self.low, radix: 16)
        }
        let lowHex = String(self.low, radix: 16)
        return String(self.high, radix: 16) + String(repeating: "0", count: 16 - lowHex.count) + lowHex
    }
}

extension ByteBuffer {
    /// Reads a ZenohId of `length` bytes (the length comes from a flags byte).
    package mutating func readZenohId(length: Int) throws(ZenohDecodingError) -> ZenohId {
        guard (1...ZenohLimits.maximumZenohIdLength).contains(length) else {
            throw .invalid("ZenohId length \(length)")
        }
        let bytes = try self.readZenohSlice(length: length, "ZenohId")
        guard let id = ZenohId(littleEndianBytes: bytes.readableBytesView) else {
            throw .invalid("ZenohId is zero")
        }
        return id
    }

    /// Reads a ZenohId with a variable-length length prefix (`<u8;z8>`).
    package mutating func readZenohLengthPrefixedId() throws(ZenohDecodingError) -> ZenohId {
        let length = try self.readZenohVLE(as: UInt8.self)
        return try self.readZenohId(length: Int(length))
    }

    /// Writes the trimmed little-endian bytes of a ZenohId (no length).
    @discardableResult
    package mutating func writeZenohId(_ id: ZenohId) -> Int {
        self.writeBytes(id.littleEndianBytes)
    }

    /// Writes a ZenohId with a variable-length length prefix.
    @discardableResult
    package mutating func writeZenohLengthPrefixedId(_ id: ZenohId) -> Int {
        self.writeZenohBytes(id.littleEndianBytes)
    }
}

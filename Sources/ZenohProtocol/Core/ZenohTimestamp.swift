package import NIOCore

/// A hybrid logical clock timestamp: NTP64 time plus the ZenohId of the clock's owner.
///
/// The NTP64 time is relative to the UNIX epoch: upper 32 bits are seconds, lower 32 bits are
/// the fraction. Wire form: VLE `u64` time, then the id as `<u8;z8>` (zenoh-protocol.md section 2).
public struct ZenohTimestamp: Hashable, Sendable {
    /// The NTP64 time.
    public var time: UInt64
    /// The id of the clock that produced this timestamp.
    public var id: ZenohId

    /// Creates a timestamp.
    public init(time: UInt64, id: ZenohId) {
        self.time = time
        self.id = id
    }

    /// Whole seconds since the UNIX epoch.
    public var seconds: UInt32 { UInt32(truncatingIfNeeded: self.time >> 32) }
}

extension ByteBuffer {
    /// Reads a timestamp.
    package mutating func readZenohTimestamp() throws(ZenohDecodingError) -> ZenohTimestamp {
        let time = try self.readZenohVLE(as: UInt64.self)
        let id = try self.readZenohLengthPrefixedId()
        return ZenohTimestamp(time: time, id: id)
    }

    /// Writes a timestamp.
    @discardableResult
    package mutating func writeZenohTimestamp(_ timestamp: ZenohTimestamp) -> Int {
        self.writeZenohVLE(timestamp.time) + self.writeZenohLengthPrefixedId(timestamp.id)
    }
}

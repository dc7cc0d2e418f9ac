package import NIOCore

/// Namespace for the data ("zenoh") messages carried by Push, Request and Response
/// (zenoh-protocol.md section 9).
public enum ZenohMessage {
    /// The 5-bit data message ids.
    public enum ID: UInt8, Hashable, Sendable {
        /// PUT (0x01).
        case put = 0x01
        /// DEL (0x02).
        case del = 0x02
        /// QUERY (0x03).
        case query = 0x03
        /// REPLY (0x04).
        case reply = 0x04
        /// ERR (0x05).
        case err = 0x05
    }
}

/// How a querier consolidates replies (Query and Reply C flag).
public struct ConsolidationMode: Hashable, Sendable, CustomStringConvertible {
    /// The wire value: 0 auto, 1 none, 2 monotonic, 3 latest.
    public let rawValue: UInt8

    private init(_ rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Creates a mode from its wire value; nil for unknown values.
    public init?(rawValue: UInt64) {
        guard rawValue <= 3 else { return nil }
        self.init(UInt8(rawValue))
    }

    /// Auto (0): not written; Rust resolves it to latest before sending.
    public static let auto = Self(0)
    /// None (1).
    public static let none = Self(1)
    /// Monotonic (2).
    public static let monotonic = Self(2)
    /// Latest (3).
    public static let latest = Self(3)

    /// The name of the mode.
    public var description: String {
        ["auto", "none", "monotonic", "latest"][Int(self.rawValue)]
    }
}

/// Source information of a data message (ext 0x1, ZBuf): `flags | zid | eid | sn`.
public struct SourceInfo: Hashable, Sendable {
    /// The publishing entity.
    public var source: EntityGlobalID
    /// The entity's sequence number for this message.
    public var sn: UInt32

    /// Creates source information.
    public init(source: EntityGlobalID, sn: UInt32) {
        self.source = source
        self.sn = sn
    }

    static func decode(_ ext: ZenohExtension) throws(ZenohDecodingError) -> SourceInfo {
        var body = try ext.expectZBuf("SourceInfo")
        let source = try body.readZenohEntityGlobalID()
        let sn = try body.readZenohVLE(as: UInt32.self)
        try body.zenohExpectEmpty(after: "SourceInfo")
        return SourceInfo(source: source, sn: sn)
    }

    var extensionBody: ByteBuffer {
        var body = ByteBuffer()
        body.writeZenohEntityGlobalID(self.source)
        body.writeZenohVLE(self.sn)
        return body
    }
}

extension ByteBuffer {
    /// Reads a `<u8;z32>` payload as a zero-copy slice.
    package mutating func readZenohPayload() throws(ZenohDecodingError) -> ByteBuffer {
        try self.readZenohBytes(maximumLength: ZenohLimits.maximumZBufLength)
    }
}

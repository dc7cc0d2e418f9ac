public import NIOCore

/// The 27-byte header carried as the Zenoh attachment of every data-plane message.
///
/// Packed little-endian with no padding:
///
/// | offset | field | type |
/// |---|---|---|
/// | 0 | `schema_version` | u16 |
/// | 2 | `msg_type` | u8 (1 OBS, 2 CHUNK, 3 EVENT) |
/// | 3 | `seq_id` | u64 |
/// | 11 | `episode_id` | u32 |
/// | 15 | `client_mono_ns` | i64 |
/// | 23 | `session_epoch` | u32 |
public struct AttachmentHeader: Sendable, Hashable {
    /// The packed size. Any other length is refused.
    public static let size = 27
    /// The schema version this implementation speaks.
    public static let currentSchemaVersion: UInt16 = 1

    /// What the body is.
    public struct MessageType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// An observation, client → server.
        public static let observation = Self(rawValue: 1)
        /// An action chunk, server → client.
        public static let chunk = Self(rawValue: 2)
        /// An event.
        public static let event = Self(rawValue: 3)

        public var description: String {
            switch rawValue {
            case 1: "OBS"
            case 2: "CHUNK"
            case 3: "EVENT"
            default: "type(\(rawValue))"
            }
        }
    }

    public var schemaVersion: UInt16
    public var messageType: MessageType
    /// Per-session monotonic request id; echoed by the server.
    public var seqID: UInt64
    /// Bumped by every reset.
    public var episodeID: UInt32
    /// The client's monotonic clock, opaque to the server and echoed.
    public var clientMonoNs: Int64
    /// Bumped per (re)connect; chunks of a stale epoch are dropped.
    public var sessionEpoch: UInt32

    public init(
        schemaVersion: UInt16 = AttachmentHeader.currentSchemaVersion,
        messageType: MessageType = .observation,
        seqID: UInt64 = 0,
        episodeID: UInt32 = 0,
        clientMonoNs: Int64 = 0,
        sessionEpoch: UInt32 = 0
    ) {
        self.schemaVersion = schemaVersion
        self.messageType = messageType
        self.seqID = seqID
        self.episodeID = episodeID
        self.clientMonoNs = clientMonoNs
        self.sessionEpoch = sessionEpoch
    }

    /// Unpacks a header from all readable bytes of `bytes`, which must be exactly ``size`` long.
    public init(unpacking bytes: ByteBuffer) throws(PolicyWireError) {
        guard bytes.readableBytes == Self.size else {
            throw PolicyWireError(
                .badHeaderLength, "Bad header length: \(bytes.readableBytes) bytes (expected \(Self.size))")
        }
        let i = bytes.readerIndex
        // The length was checked, so every read below is in bounds.
        self.schemaVersion = bytes.getInteger(at: i, endianness: .little)!
        self.messageType = MessageType(rawValue: bytes.getInteger(at: i + 2)!)
        self.seqID = bytes.getInteger(at: i + 3, endianness: .little)!
        self.episodeID = bytes.getInteger(at: i + 11, endianness: .little)!
        self.clientMonoNs = bytes.getInteger(at: i + 15, endianness: .little)!
        self.sessionEpoch = bytes.getInteger(at: i + 23, endianness: .little)!
    }

    /// Appends the 27 packed bytes to `buffer`.
    public func pack(into buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: Self.size)
        buffer.writeInteger(schemaVersion, endianness: .little)
        buffer.writeInteger(messageType.rawValue)
        buffer.writeInteger(seqID, endianness: .little)
        buffer.writeInteger(episodeID, endianness: .little)
        buffer.writeInteger(clientMonoNs, endianness: .little)
        buffer.writeInteger(sessionEpoch, endianness: .little)
    }

    /// The 27 packed bytes.
    public func packed() -> ByteBuffer {
        var buffer = ByteBuffer()
        pack(into: &buffer)
        return buffer
    }
}

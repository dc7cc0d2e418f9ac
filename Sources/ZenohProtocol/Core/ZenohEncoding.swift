public import NIOCore

/// The encoding of a payload: a numeric id plus an optional schema (zenoh-protocol.md section 2).
///
/// Wire form: VLE `u32` `(id << 1) | S`, then, if S, the schema as `<u8;z8>` (at most 255 bytes).
/// The empty encoding (id 0, no schema) is not written at all.
public struct ZenohEncoding: Hashable, Sendable {
    /// The numeric id (see ``knownNames``); `0xFFFF` means "custom: the schema holds the string".
    public var id: UInt16
    /// The schema bytes, if any (usually UTF-8).
    public var schema: ByteBuffer?

    /// Creates an encoding.
    public init(id: UInt16, schema: ByteBuffer? = nil) {
        self.id = id
        self.schema = schema
    }

    /// Creates an encoding with a string schema.
    public init(id: UInt16, schema: String) {
        self.init(id: id, schema: ByteBuffer(string: schema))
    }

    /// `zenoh/bytes` (id 0, no schema): the default, never written on the wire.
    public static let zenohBytes = ZenohEncoding(id: 0)
    /// `text/plain` (id 4).
    public static let textPlain = ZenohEncoding(id: 4)
    /// `application/json` (id 5).
    public static let applicationJSON = ZenohEncoding(id: 5)
    /// The id for custom MIME types held entirely in the schema.
    public static let customID: UInt16 = 0xFFFF

    /// Whether this is the default encoding, which is omitted on the wire.
    public var isDefault: Bool { self.id == 0 && self.schema == nil }

    /// The schema as a string, if it is valid UTF-8.
    public var schemaString: String? {
        self.schema.flatMap { String(validating: $0.readableBytesView, as: UTF8.self) }
    }

    /// The well-known names by id (ids 0...52).
    public static let knownNames: [String] = [
        "zenoh/bytes", "zenoh/string", "zenoh/serialized", "application/octet-stream", "text/plain",
        "application/json", "text/json", "application/cdr", "application/cbor", "application/yaml",
        "text/yaml", "text/json5", "application/python-serialized-object", "application/protobuf",
        "application/java-serialized-object", "application/openmetrics-text", "image/png", "image/jpeg",
        "image/gif", "image/bmp", "image/webp", "application/xml", "application/x-www-form-urlencoded",
        "text/html", "text/xml", "text/css", "text/javascript", "text/markdown", "text/csv",
        "application/sql", "application/coap-payload", "application/json-patch+json", "application/json-seq",
        "application/jsonpath", "application/jwt", "application/mp4", "application/soap+xml",
        "application/yang", "audio/aac", "audio/flac", "audio/mp4", "audio/ogg", "audio/vorbis",
        "video/h261", "video/h263", "video/h264", "video/h265", "video/h266", "video/mp4", "video/ogg",
        "video/raw", "video/vp8", "video/vp9",
    ]
}

extension ByteBuffer {
    /// Reads an encoding.
    package mutating func readZenohEncoding() throws(ZenohDecodingError) -> ZenohEncoding {
        let raw = try self.readZenohVLE(as: UInt32.self)
        guard let id = UInt16(exactly: raw >> 1) else {
            throw .overflow("encoding id \(raw >> 1)")
        }
        if raw & 1 == 0 {
            return ZenohEncoding(id: id)
        }
        let schema = try self.readZenohBytes(maximumLength: ZenohLimits.maximumSchemaLength)
        return ZenohEncoding(id: id, schema: schema)
    }

    /// Writes an encoding (even the default one; callers decide whether to omit it).
    @discardableResult
    package mutating func writeZenohEncoding(_ encoding: ZenohEncoding) -> Int {
        let hasSchema = encoding.schema != nil
        var written = self.writeZenohVLE(UInt32(encoding.id) << 1 | (hasSchema ? 1 : 0))
        if let schema = encoding.schema {
            // The schema is `<u8;z8>`: longer schemas are truncated to 255 bytes.
            written += self.writeZenohBytes(
                schema.getSlice(at: schema.readerIndex, length: min(schema.readableBytes, 255)) ?? schema)
        }
        return written
    }
}

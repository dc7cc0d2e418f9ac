import NIOCore

extension ZenohEncoding: CustomStringConvertible {
    /// Maps a MIME-like string to an encoding (zenoh-protocol.md section 2).
    ///
    /// A known name gives its id; `known;rest` gives the known id with schema `rest`; anything
    /// else is sent as id `0xFFFF` with the whole string as schema. The empty string is the
    /// default `zenoh/bytes`.
    public init(mime: String) {
        if mime.isEmpty {
            self = .zenohBytes
            return
        }
        if let id = Self.knownNames.firstIndex(of: mime) {
            self.init(id: UInt16(id))
            return
        }
        if let separator = mime.firstIndex(of: ";"),
            let id = Self.knownNames.firstIndex(of: String(mime[..<separator]))
        {
            self.init(id: UInt16(id), schema: String(mime[mime.index(after: separator)...]))
            return
        }
        self.init(id: Self.customID, schema: mime)
    }

    /// The MIME-like string: the known name, followed by `;schema` when there is a schema.
    /// A custom encoding gives its schema; an unknown id gives `unknown(id)`.
    public var mime: String {
        let schema = self.schema.map { String(decoding: $0.readableBytesView, as: UTF8.self) }
        if self.id == Self.customID {
            return schema ?? ""
        }
        let name = Int(self.id) < Self.knownNames.count ? Self.knownNames[Int(self.id)] : "unknown(\(self.id))"
        return schema.map { "\(name);\($0)" } ?? name
    }

    /// Same as ``mime``.
    public var description: String { self.mime }
}

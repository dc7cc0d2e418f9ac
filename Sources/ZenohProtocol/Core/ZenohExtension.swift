public import NIOCore

/// One TLV extension (zenoh-protocol.md section 3).
///
/// Header byte: bits 0-3 id, bit 4 M (mandatory), bits 5-6 body encoding
/// (Unit, Z64, ZBuf), bit 7 Z ("another extension follows").
public struct ZenohExtension: Hashable, Sendable {
    /// The body of an extension.
    public enum Body: Hashable, Sendable {
        /// No body (encoding 0b00).
        case unit
        /// One variable-length `u64` (encoding 0b01).
        case z64(UInt64)
        /// Length-prefixed bytes `<u8;z32>` (encoding 0b10).
        case zbuf(ByteBuffer)
    }

    /// The extension id (0x0...0xF), scoped to the message type.
    public var id: UInt8
    /// Whether a receiver that does not know the extension must reject the message.
    public var isMandatory: Bool
    /// The body.
    public var body: Body

    /// Creates an extension.
    public init(id: UInt8, isMandatory: Bool = false, body: Body) {
        self.id = id & 0x0F
        self.isMandatory = isMandatory
        self.body = body
    }

    /// A Unit extension.
    public static func unit(_ id: UInt8, mandatory: Bool = false) -> Self {
        Self(id: id, isMandatory: mandatory, body: .unit)
    }

    /// A Z64 extension.
    public static func z64(_ id: UInt8, _ value: UInt64, mandatory: Bool = false) -> Self {
        Self(id: id, isMandatory: mandatory, body: .z64(value))
    }

    /// A ZBuf extension.
    public static func zbuf(_ id: UInt8, _ value: ByteBuffer, mandatory: Bool = false) -> Self {
        Self(id: id, isMandatory: mandatory, body: .zbuf(value))
    }

    /// The Z64 value, if the body is Z64.
    public var z64Value: UInt64? {
        if case .z64(let value) = self.body { return value }
        return nil
    }

    /// The ZBuf bytes, if the body is ZBuf.
    public var zbufValue: ByteBuffer? {
        if case .zbuf(let value) = self.body { return value }
        return nil
    }

    /// The header byte without the Z flag.
    var header: UInt8 {
        var header = self.id & 0x0F
        if self.isMandatory { header |= 0x10 }
        switch self.body {
        case .unit: break
        case .z64: header |= 0x20
        case .zbuf: header |= 0x40
        }
        return header
    }

    /// Returns the extension if it may be kept as "unknown", or throws if it is mandatory.
    static func unknown(_ ext: ZenohExtension, in message: String) throws(ZenohDecodingError) -> ZenohExtension {
        if ext.isMandatory {
            throw .unknownMandatory(ext.header, in: message)
        }
        return ext
    }
}

extension ByteBuffer {
    /// Reads one extension and whether another one follows.
    package mutating func readZenohExtension() throws(ZenohDecodingError) -> (ZenohExtension, more: Bool) {
        let header = try self.readZenohByte("extension header")
        let body: ZenohExtension.Body
        switch (header >> 5) & 0b11 {
        case 0b00:
            body = .unit
        case 0b01:
            body = .z64(try self.readZenohVLE(as: UInt64.self))
        case 0b10:
            body = .zbuf(try self.readZenohBytes(maximumLength: ZenohLimits.maximumZBufLength))
        default:
            throw .invalid("reserved extension encoding in header 0x\(hex(header))")
        }
        let ext = ZenohExtension(id: header & 0x0F, isMandatory: header & 0x10 != 0, body: body)
        return (ext, header & 0x80 != 0)
    }

    /// Reads the extension chain that follows a message whose Z flag is `present`.
    ///
    /// At most ``ZenohLimits/maximumExtensionCount`` extensions are accepted.
    package mutating func readZenohExtensions(present: Bool) throws(ZenohDecodingError) -> [ZenohExtension] {
        guard present else {
            return []
        }
        var extensions: [ZenohExtension] = []
        var more = true
        while more {
            guard extensions.count < ZenohLimits.maximumExtensionCount else {
                throw .limit("more than \(ZenohLimits.maximumExtensionCount) extensions")
            }
            let (ext, hasMore) = try self.readZenohExtension()
            extensions.append(ext)
            more = hasMore
        }
        return extensions
    }

    /// Writes one extension with its Z flag set to `more`.
    @discardableResult
    package mutating func writeZenohExtension(_ ext: ZenohExtension, more: Bool) -> Int {
        var written = self.writeInteger(ext.header | (more ? 0x80 : 0))
        switch ext.body {
        case .unit: break
        case .z64(let value): written += self.writeZenohVLE(value)
        case .zbuf(let bytes): written += self.writeZenohBytes(bytes)
        }
        return written
    }

    /// Writes an extension chain, setting Z on all but the last.
    @discardableResult
    package mutating func writeZenohExtensions(_ extensions: [ZenohExtension]) -> Int {
        var written = 0
        for (index, ext) in extensions.enumerated() {
            written += self.writeZenohExtension(ext, more: index < extensions.count - 1)
        }
        return written
    }
}

extension Array where Element == ZenohExtension {
    /// Merges typed extensions (in ascending id order) with retained unknown ones.
    ///
    /// A stable merge: each known extension goes before the first unknown one with a larger id,
    /// and unknown extensions keep their wire order. Zenoh writes extensions in ascending id order,
    /// so re-encoding what Rust produced is byte-exact.
    static func zenohMerged(_ known: [ZenohExtension], _ unknown: [ZenohExtension]) -> [ZenohExtension] {
        if unknown.isEmpty { return known }
        if known.isEmpty { return unknown }
        var merged: [ZenohExtension] = []
        merged.reserveCapacity(known.count + unknown.count)
        var knownIndex = 0
        var unknownIndex = 0
        while knownIndex < known.count || unknownIndex < unknown.count {
            if unknownIndex == unknown.count
                || (knownIndex < known.count && known[knownIndex].id <= unknown[unknownIndex].id)
            {
                merged.append(known[knownIndex])
                knownIndex += 1
            } else {
                merged.append(unknown[unknownIndex])
                unknownIndex += 1
            }
        }
        return merged
    }
}

extension ZenohExtension {
    /// The Z64 value of a known extension, or an error if it has another encoding.
    func expectZ64(_ what: @autoclosure () -> String) throws(ZenohDecodingError) -> UInt64 {
        guard case .z64(let value) = self.body else {
            throw .invalid("\(what()) extension is not Z64")
        }
        return value
    }

    /// The ZBuf bytes of a known extension, or an error if it has another encoding.
    func expectZBuf(_ what: @autoclosure () -> String) throws(ZenohDecodingError) -> ByteBuffer {
        guard case .zbuf(let value) = self.body else {
            throw .invalid("\(what()) extension is not ZBuf")
        }
        return value
    }

    /// Checks that a known extension is Unit.
    func expectUnit(_ what: @autoclosure () -> String) throws(ZenohDecodingError) {
        guard case .unit = self.body else {
            throw .invalid("\(what()) extension is not Unit")
        }
    }
}

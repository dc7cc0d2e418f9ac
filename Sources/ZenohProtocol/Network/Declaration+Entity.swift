import NIOCore

/// D_SUBSCRIBER and D_TOKEN: `header (N, M, Z) | entity_id (VLE u32) | wire_expr`.
public struct EntityDeclaration: Hashable, Sendable {
    /// The declarer's entity id.
    public var id: UInt32
    /// The declared key.
    public var wireExpr: WireExpr
    /// Non-mandatory extensions this implementation does not know.
    public var unknownExtensions: [ZenohExtension]

    /// Creates a subscriber or token declaration.
    public init(id: UInt32, wireExpr: WireExpr, unknownExtensions: [ZenohExtension] = []) {
        self.id = id
        self.wireExpr = wireExpr
        self.unknownExtensions = unknownExtensions
    }

    init(header: UInt8, from buffer: inout ByteBuffer, _ name: String) throws(ZenohDecodingError) {
        self.id = try buffer.readZenohVLE(as: UInt32.self)
        self.wireExpr = try buffer.readZenohWireExpr(
            hasSuffix: header & WireExprFlags.named != 0,
            isSenderMapping: header & WireExprFlags.senderMapping != 0
        )
        self.unknownExtensions = try readDeclarationExtensions(header: header, from: &buffer, name)
    }

    func write(id declarationID: Declaration.ID, to buffer: inout ByteBuffer) {
        let flags = WireExprFlags.bits(for: self.wireExpr)
        writeDeclarationHeader(declarationID, flags: flags, extensions: self.unknownExtensions, to: &buffer)
        buffer.writeZenohVLE(self.id)
        buffer.writeZenohWireExpr(self.wireExpr)
        buffer.writeZenohExtensions(self.unknownExtensions)
    }
}

/// D_QUERYABLE: `header (N, M, Z) | entity_id | wire_expr | [ext 0x1 QueryableInfo]`.
public struct QueryableDeclaration: Hashable, Sendable {
    /// QueryableInfo (ext 0x1, Z64): bit 0 complete, bits 8-23 distance.
    public struct Info: Hashable, Sendable {
        /// The raw extension value.
        public var rawValue: UInt64

        /// Creates info from its raw value.
        public init(rawValue: UInt64) {
            self.rawValue = rawValue
        }

        /// Creates info from its parts.
        public init(isComplete: Bool, distance: UInt16 = 0) {
            self.rawValue = (isComplete ? 1 : 0) | UInt64(distance) << 8
        }

        /// Whether the queryable answers completely for its key.
        public var isComplete: Bool { self.rawValue & 1 != 0 }
        /// The routing distance.
        public var distance: UInt16 { UInt16(truncatingIfNeeded: self.rawValue >> 8) }
    }

    /// The declarer's entity id.
    public var id: UInt32
    /// The declared key.
    public var wireExpr: WireExpr
    /// Completeness and distance; written only when not zero.
    public var info: Info
    /// Non-mandatory extensions this implementation does not know.
    public var unknownExtensions: [ZenohExtension]

    /// Creates a queryable declaration.
    public init(
        id: UInt32, wireExpr: WireExpr, info: Info = Info(rawValue: 0), unknownExtensions: [ZenohExtension] = []
    ) {
        self.id = id
        self.wireExpr = wireExpr
        self.info = info
        self.unknownExtensions = unknownExtensions
    }

    init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
        self.id = try buffer.readZenohVLE(as: UInt32.self)
        self.wireExpr = try buffer.readZenohWireExpr(
            hasSuffix: header & WireExprFlags.named != 0,
            isSenderMapping: header & WireExprFlags.senderMapping != 0
        )
        var info = Info(rawValue: 0)
        self.unknownExtensions = try readDeclarationExtensions(header: header, from: &buffer, "D_QUERYABLE") {
            (ext) throws(ZenohDecodingError) -> Bool in
            guard ext.id == 0x1 else { return false }
            info = Info(rawValue: try ext.expectZ64("QueryableInfo"))
            return true
        }
        self.info = info
    }

    func write(to buffer: inout ByteBuffer) {
        var known: [ZenohExtension] = []
        if self.info.rawValue != 0 { known.append(.z64(0x1, self.info.rawValue)) }
        let extensions = [ZenohExtension].zenohMerged(known, self.unknownExtensions)
        writeDeclarationHeader(
            .queryable, flags: WireExprFlags.bits(for: self.wireExpr), extensions: extensions, to: &buffer)
        buffer.writeZenohVLE(self.id)
        buffer.writeZenohWireExpr(self.wireExpr)
        buffer.writeZenohExtensions(extensions)
    }
}

/// U_SUBSCRIBER, U_QUERYABLE and U_TOKEN: `header (Z) | entity_id | [ext 0x0F WireExpr]`.
///
/// The WireExpr extension (ZBuf, mandatory, header `0x5F`) holds `flags (bit 0 suffix,
/// bit 1 sender mapping) | scope | suffix without length`. Rust sends an empty one on U_TOKEN and
/// none on U_SUBSCRIBER, so receivers must remember `entity id -> key`.
public struct EntityUndeclaration: Hashable, Sendable {
    /// The entity id being undeclared.
    public var id: UInt32
    /// The key, if the sender included the WireExpr extension.
    public var wireExpr: WireExpr?
    /// Non-mandatory extensions this implementation does not know.
    public var unknownExtensions: [ZenohExtension]

    /// Creates an undeclaration.
    public init(id: UInt32, wireExpr: WireExpr? = nil, unknownExtensions: [ZenohExtension] = []) {
        self.id = id
        self.wireExpr = wireExpr
        self.unknownExtensions = unknownExtensions
    }

    init(header: UInt8, from buffer: inout ByteBuffer, _ name: String) throws(ZenohDecodingError) {
        self.id = try buffer.readZenohVLE(as: UInt32.self)
        var wireExpr: WireExpr?
        self.unknownExtensions = try readDeclarationExtensions(header: header, from: &buffer, name) {
            (ext) throws(ZenohDecodingError) -> Bool in
            guard ext.id == 0xF else { return false }
            var body = try ext.expectZBuf("WireExpr")
            let flags = try body.readZenohByte("WireExpr flags")
            let scope = try body.readZenohVLE(as: UInt16.self)
            let suffix = flags & 0x01 != 0 ? try body.zenohUTF8String() : ""
            guard suffix.utf8.count <= ZenohLimits.maximumKeyExprLength else {
                throw .limit("undeclaration suffix of \(suffix.utf8.count) bytes")
            }
            if flags & 0x01 == 0 { try body.zenohExpectEmpty(after: "WireExpr extension") }
            wireExpr = WireExpr(scope: scope, suffix: suffix, isSenderMapping: flags & 0x02 != 0)
            return true
        }
        self.wireExpr = wireExpr
    }

    func write(id declarationID: Declaration.ID, to buffer: inout ByteBuffer) {
        var known: [ZenohExtension] = []
        if let wireExpr = self.wireExpr {
            var body = ByteBuffer()
            body.writeInteger((wireExpr.hasSuffix ? 0x01 : 0) | (wireExpr.isSenderMapping ? 0x02 : 0) as UInt8)
            body.writeZenohVLE(wireExpr.scope)
            body.writeString(wireExpr.suffix)
            known.append(.zbuf(0xF, body, mandatory: true))
        }
        let extensions = [ZenohExtension].zenohMerged(known, self.unknownExtensions)
        writeDeclarationHeader(declarationID, flags: 0, extensions: extensions, to: &buffer)
        buffer.writeZenohVLE(self.id)
        buffer.writeZenohExtensions(extensions)
    }
}

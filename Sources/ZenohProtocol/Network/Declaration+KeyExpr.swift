import NIOCore

/// D_KEYEXPR: `header (N, Z) | expr_id (VLE u16) | wire_expr`.
///
/// There is no M flag: a non-zero scope refers to the receiver's table.
public struct KeyExprDeclaration: Hashable, Sendable {
    /// The id being defined in the sender's table.
    public var id: UInt16
    /// The key expression the id stands for (Rust always sends scope 0 + the full key).
    public var wireExpr: WireExpr
    /// Non-mandatory extensions this implementation does not know.
    public var unknownExtensions: [ZenohExtension]

    /// Creates a key-expression declaration.
    public init(id: UInt16, wireExpr: WireExpr, unknownExtensions: [ZenohExtension] = []) {
        self.id = id
        self.wireExpr = wireExpr
        self.unknownExtensions = unknownExtensions
    }

    init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
        self.id = try buffer.readZenohVLE(as: UInt16.self)
        self.wireExpr = try buffer.readZenohWireExpr(
            hasSuffix: header & WireExprFlags.named != 0, isSenderMapping: false)
        self.unknownExtensions = try readDeclarationExtensions(header: header, from: &buffer, "D_KEYEXPR")
    }

    func write(to buffer: inout ByteBuffer) {
        let flags = self.wireExpr.hasSuffix ? WireExprFlags.named : 0
        writeDeclarationHeader(.keyExpr, flags: flags, extensions: self.unknownExtensions, to: &buffer)
        buffer.writeZenohVLE(self.id)
        buffer.writeZenohWireExpr(self.wireExpr)
        buffer.writeZenohExtensions(self.unknownExtensions)
    }
}

/// U_KEYEXPR: `header (Z) | expr_id`.
public struct KeyExprUndeclaration: Hashable, Sendable {
    /// The id being released.
    public var id: UInt16
    /// Non-mandatory extensions this implementation does not know.
    public var unknownExtensions: [ZenohExtension]

    /// Creates a key-expression undeclaration.
    public init(id: UInt16, unknownExtensions: [ZenohExtension] = []) {
        self.id = id
        self.unknownExtensions = unknownExtensions
    }

    init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
        self.id = try buffer.readZenohVLE(as: UInt16.self)
        self.unknownExtensions = try readDeclarationExtensions(header: header, from: &buffer, "U_KEYEXPR")
    }

    func write(to buffer: inout ByteBuffer) {
        writeDeclarationHeader(.undeclareKeyExpr, flags: 0, extensions: self.unknownExtensions, to: &buffer)
        buffer.writeZenohVLE(self.id)
        buffer.writeZenohExtensions(self.unknownExtensions)
    }
}

/// D_FINAL: `header (Z)`, no body.
public struct FinalDeclaration: Hashable, Sendable {
    /// Non-mandatory extensions this implementation does not know.
    public var unknownExtensions: [ZenohExtension]

    /// Creates a D_FINAL.
    public init(unknownExtensions: [ZenohExtension] = []) {
        self.unknownExtensions = unknownExtensions
    }

    init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
        self.unknownExtensions = try readDeclarationExtensions(header: header, from: &buffer, "D_FINAL")
    }

    func write(to buffer: inout ByteBuffer) {
        writeDeclarationHeader(.final, flags: 0, extensions: self.unknownExtensions, to: &buffer)
        buffer.writeZenohExtensions(self.unknownExtensions)
    }
}

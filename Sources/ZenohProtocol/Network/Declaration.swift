public import NIOCore

/// The body of a DECLARE (zenoh-protocol.md section 8.5).
public enum Declaration: Hashable, Sendable {
    /// D_KEYEXPR (0x00): binds an id in the sender's table to a key expression.
    case keyExpr(KeyExprDeclaration)
    /// U_KEYEXPR (0x01).
    case undeclareKeyExpr(KeyExprUndeclaration)
    /// D_SUBSCRIBER (0x02).
    case subscriber(EntityDeclaration)
    /// U_SUBSCRIBER (0x03).
    case undeclareSubscriber(EntityUndeclaration)
    /// D_QUERYABLE (0x04).
    case queryable(QueryableDeclaration)
    /// U_QUERYABLE (0x05).
    case undeclareQueryable(EntityUndeclaration)
    /// D_TOKEN (0x06): a liveliness token.
    case token(EntityDeclaration)
    /// U_TOKEN (0x07).
    case undeclareToken(EntityUndeclaration)
    /// D_FINAL (0x1A): ends the answer to the "current" part of an Interest.
    case final(FinalDeclaration)

    /// The 5-bit declaration ids.
    public enum ID: UInt8, Hashable, Sendable {
        /// D_KEYEXPR.
        case keyExpr = 0x00
        /// U_KEYEXPR.
        case undeclareKeyExpr = 0x01
        /// D_SUBSCRIBER.
        case subscriber = 0x02
        /// U_SUBSCRIBER.
        case undeclareSubscriber = 0x03
        /// D_QUERYABLE.
        case queryable = 0x04
        /// U_QUERYABLE.
        case undeclareQueryable = 0x05
        /// D_TOKEN.
        case token = 0x06
        /// U_TOKEN.
        case undeclareToken = 0x07
        /// D_FINAL.
        case final = 0x1A
    }

    /// The id of this declaration.
    public var id: ID {
        switch self {
        case .keyExpr: .keyExpr
        case .undeclareKeyExpr: .undeclareKeyExpr
        case .subscriber: .subscriber
        case .undeclareSubscriber: .undeclareSubscriber
        case .queryable: .queryable
        case .undeclareQueryable: .undeclareQueryable
        case .token: .token
        case .undeclareToken: .undeclareToken
        case .final: .final
        }
    }

    /// Decodes one declaration (header included).
    public static func decode(from buffer: inout ByteBuffer) throws(ZenohDecodingError) -> Declaration {
        let header = try buffer.readZenohByte("declaration header")
        guard let id = ID(rawValue: header & 0x1F) else {
            throw .unknownMessage("declaration", header: header)
        }
        switch id {
        case .keyExpr: return .keyExpr(try KeyExprDeclaration(header: header, from: &buffer))
        case .undeclareKeyExpr: return .undeclareKeyExpr(try KeyExprUndeclaration(header: header, from: &buffer))
        case .subscriber: return .subscriber(try EntityDeclaration(header: header, from: &buffer, "D_SUBSCRIBER"))
        case .undeclareSubscriber:
            return .undeclareSubscriber(try EntityUndeclaration(header: header, from: &buffer, "U_SUBSCRIBER"))
        case .queryable: return .queryable(try QueryableDeclaration(header: header, from: &buffer))
        case .undeclareQueryable:
            return .undeclareQueryable(try EntityUndeclaration(header: header, from: &buffer, "U_QUERYABLE"))
        case .token: return .token(try EntityDeclaration(header: header, from: &buffer, "D_TOKEN"))
        case .undeclareToken:
            return .undeclareToken(try EntityUndeclaration(header: header, from: &buffer, "U_TOKEN"))
        case .final: return .final(try FinalDeclaration(header: header, from: &buffer))
        }
    }

    func write(to buffer: inout ByteBuffer) {
        switch self {
        case .keyExpr(let value): value.write(to: &buffer)
        case .undeclareKeyExpr(let value): value.write(to: &buffer)
        case .subscriber(let value): value.write(id: .subscriber, to: &buffer)
        case .undeclareSubscriber(let value): value.write(id: .undeclareSubscriber, to: &buffer)
        case .queryable(let value): value.write(to: &buffer)
        case .undeclareQueryable(let value): value.write(id: .undeclareQueryable, to: &buffer)
        case .token(let value): value.write(id: .token, to: &buffer)
        case .undeclareToken(let value): value.write(id: .undeclareToken, to: &buffer)
        case .final(let value): value.write(to: &buffer)
        }
    }
}

/// Reads the extension chain of a declaration whose header Z flag is `present`, keeping the
/// unknown non-mandatory ones; `known` handles the ones the declaration understands.
func readDeclarationExtensions(
    header: UInt8,
    from buffer: inout ByteBuffer,
    _ name: String,
    known: (ZenohExtension) throws(ZenohDecodingError) -> Bool = { _ in false }
) throws(ZenohDecodingError) -> [ZenohExtension] {
    var unknown: [ZenohExtension] = []
    for ext in try buffer.readZenohExtensions(present: header & 0x80 != 0) {
        if try known(ext) { continue }
        unknown.append(try ZenohExtension.unknown(ext, in: name))
    }
    return unknown
}

/// Writes a declaration header (with Z when `extensions` is not empty) and returns nothing.
func writeDeclarationHeader(
    _ id: Declaration.ID, flags: UInt8, extensions: [ZenohExtension], to buffer: inout ByteBuffer
) {
    buffer.writeInteger(id.rawValue | flags | (extensions.isEmpty ? 0 : 0x80))
}

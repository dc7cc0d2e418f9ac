package import NIOCore

/// A key expression on the wire (zenoh-protocol.md section 8.1): `table[scope] + suffix`.
///
/// Wire form: `scope` (VLE bounded to `u16`) then, if the message's N flag is set, the suffix as
/// `<u8;z16>`. The M flag, carried by the enclosing message, says whose table `scope` refers to.
public struct WireExpr: Hashable, Sendable, CustomStringConvertible {
    /// The declared key-expression id; 0 means "no prefix".
    public var scope: UInt16
    /// The suffix appended to the scope's key (the whole key when scope is 0).
    public var suffix: String
    /// M flag: `true` when `scope` is an id declared by the sender of the message,
    /// `false` when it is an id declared by its receiver.
    public var isSenderMapping: Bool

    /// Creates a wire expression.
    public init(scope: UInt16 = 0, suffix: String, isSenderMapping: Bool = true) {
        self.scope = scope
        self.suffix = suffix
        self.isSenderMapping = isSenderMapping
    }

    /// Whether the N flag must be set.
    public var hasSuffix: Bool { !self.suffix.isEmpty }

    /// `scope:suffix` (or just the suffix when scope is 0).
    public var description: String {
        self.scope == 0 ? self.suffix : "\(self.scope):\(self.suffix)"
    }
}

extension ByteBuffer {
    /// Reads a wire expression whose N and M flags came from the enclosing header.
    package mutating func readZenohWireExpr(hasSuffix: Bool, isSenderMapping: Bool) throws(ZenohDecodingError)
        -> WireExpr
    {
        let scope = try self.readZenohVLE(as: UInt16.self)
        let suffix = hasSuffix ? try self.readZenohString(maximumLength: ZenohLimits.maximumKeyExprLength) : ""
        return WireExpr(scope: scope, suffix: suffix, isSenderMapping: isSenderMapping)
    }

    /// Writes a wire expression (scope, then the suffix if not empty); the flags go in the header.
    @discardableResult
    package mutating func writeZenohWireExpr(_ expr: WireExpr) -> Int {
        var written = self.writeZenohVLE(expr.scope)
        if expr.hasSuffix {
            written += self.writeZenohString(expr.suffix)
        }
        return written
    }
}

/// The header flag bits of a message that carries a wire expression (Push, Request, Response,
/// D_SUBSCRIBER, D_QUERYABLE, D_TOKEN): N in bit 5, M in bit 6.
enum WireExprFlags {
    static let named: UInt8 = 0x20
    static let senderMapping: UInt8 = 0x40

    static func bits(for expr: WireExpr) -> UInt8 {
        (expr.hasSuffix ? Self.named : 0) | (expr.isSenderMapping ? Self.senderMapping : 0)
    }
}

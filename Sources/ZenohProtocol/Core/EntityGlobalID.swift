package import NIOCore

/// The global id of an entity: the ZenohId of its session plus a session-local entity id.
///
/// Used by Response ext 0x3 (ResponderId) and by the SourceInfo extension of data messages:
/// `flags ((zid_len - 1) << 4) | zid | eid (VLE u32)`.
public struct EntityGlobalID: Hashable, Sendable {
    /// The session's id.
    public var zid: ZenohId
    /// The entity id within that session.
    public var eid: UInt32

    /// Creates an entity id.
    public init(zid: ZenohId, eid: UInt32) {
        self.zid = zid
        self.eid = eid
    }
}

extension ByteBuffer {
    /// Reads `flags | zid | eid`.
    package mutating func readZenohEntityGlobalID() throws(ZenohDecodingError) -> EntityGlobalID {
        let flags = try self.readZenohByte("entity id flags")
        let zid = try self.readZenohId(length: Int(flags >> 4) + 1)
        return EntityGlobalID(zid: zid, eid: try self.readZenohVLE(as: UInt32.self))
    }

    /// Writes `flags | zid | eid`.
    package mutating func writeZenohEntityGlobalID(_ id: EntityGlobalID) {
        self.writeInteger(UInt8(truncatingIfNeeded: (id.zid.byteCount - 1) << 4))
        self.writeZenohId(id.zid)
        self.writeZenohVLE(id.eid)
    }
}

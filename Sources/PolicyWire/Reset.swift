public import MessagePack
public import NIOCore

/// The query payload to `<service>/<client_uuid>/reset`: an episode boundary.
public struct Reset: PolicyWireMessage {
    public var clientUUID: String
    /// The episode the session moves to.
    public var episodeID: Int64

    public init(clientUUID: String = "", episodeID: Int64 = 0) {
        self.clientUUID = clientUUID
        self.episodeID = episodeID
    }

    public init(messagePack value: MessagePackValue) throws(PolicyWireError) {
        let f = try FieldReader(value, message: "Reset")
        clientUUID = try f.string("client_uuid")
        episodeID = try f.int("episode_id")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessagePackMapHeader(count: 2)
        buffer.writeMessagePackString("client_uuid")
        buffer.writeMessagePackString(clientUUID)
        buffer.writeMessagePackString("episode_id")
        buffer.writeMessagePackInt(episodeID)
    }
}

/// The reply to a reset and to a session close.
public struct ResetAck: PolicyWireMessage {
    public var ok: Bool
    public var error: String

    public init(ok: Bool = false, error: String = "") {
        self.ok = ok
        self.error = error
    }

    public init(messagePack value: MessagePackValue) throws(PolicyWireError) {
        let f = try FieldReader(value, message: "ResetAck")
        ok = try f.bool("ok")
        error = try f.string("error")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessagePackMapHeader(count: 2)
        buffer.writeMessagePackString("ok")
        buffer.writeMessagePackBool(ok)
        buffer.writeMessagePackString("error")
        buffer.writeMessagePackString(error)
    }
}

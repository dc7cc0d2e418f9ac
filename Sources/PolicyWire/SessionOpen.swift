public import MessagePack
public import NIOCore
public import OrderedCollections

/// The query payload a robot sends to `<service>/session` to open (or re-open) its session.
public struct SessionOpen: PolicyWireMessage {
    public var clientUUID: String
    public var robotType: String
    /// The robot's policy config type (`act`, `pi0`, ...); a mismatch is only a warning.
    public var policyType: String
    /// The robot's control rate.
    public var fps: Double
    /// The robot's ordered action feature names; must equal the server's, in order.
    public var actionNames: [String]
    /// Full camera feature keys after the rename map.
    public var cameraNames: [String]
    public var stateDim: Int64
    public var schemaVersion: Int64
    /// Whether the robot asks for real-time chunking.
    public var rtcEnabled: Bool
    public var task: String
    /// Free-form labels, kept in order.
    public var tags: OrderedDictionary<String, String>

    public init(
        clientUUID: String = "",
        robotType: String = "",
        policyType: String = "",
        fps: Double = 30,
        actionNames: [String] = [],
        cameraNames: [String] = [],
        stateDim: Int64 = 0,
        schemaVersion: Int64 = Int64(AttachmentHeader.currentSchemaVersion),
        rtcEnabled: Bool = false,
        task: String = "",
        tags: OrderedDictionary<String, String> = [:]
    ) {
        self.clientUUID = clientUUID
        self.robotType = robotType
        self.policyType = policyType
        self.fps = fps
        self.actionNames = actionNames
        self.cameraNames = cameraNames
        self.stateDim = stateDim
        self.schemaVersion = schemaVersion
        self.rtcEnabled = rtcEnabled
        self.task = task
        self.tags = tags
    }

    public init(messagePack value: MessagePackValue) throws(PolicyWireError) {
        let f = try FieldReader(value, message: "SessionOpen")
        clientUUID = try f.string("client_uuid")
        robotType = try f.string("robot_type")
        policyType = try f.string("policy_type")
        fps = try f.double("fps", default: 30)
        actionNames = try f.strings("action_names")
        cameraNames = try f.strings("camera_names")
        stateDim = try f.int("state_dim")
        schemaVersion = try f.int("schema_version", default: Int64(AttachmentHeader.currentSchemaVersion))
        rtcEnabled = try f.bool("rtc_enabled")
        task = try f.string("task")
        tags = [:]
        if let raw = f.value("tags") {
            guard case .map(let pairs) = raw else { throw f.wrongType("tags", expected: "a map", got: raw) }
            for pair in pairs {
                guard case .string(let key) = pair.key, case .string(let tag) = pair.value else {
                    throw f.wrongType("tags", expected: "a map of strings to strings", got: pair.value)
                }
                tags[key] = tag
            }
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessagePackMapHeader(count: 12)
        buffer.writeMessagePackString("op")
        buffer.writeMessagePackString("open")
        buffer.writeMessagePackString("client_uuid")
        buffer.writeMessagePackString(clientUUID)
        buffer.writeMessagePackString("robot_type")
        buffer.writeMessagePackString(robotType)
        buffer.writeMessagePackString("policy_type")
        buffer.writeMessagePackString(policyType)
        buffer.writeMessagePackString("fps")
        buffer.writeMessagePackDouble(fps)
        buffer.writeMessagePackString("action_names")
        buffer.writePolicyStrings(actionNames)
        buffer.writeMessagePackString("camera_names")
        buffer.writePolicyStrings(cameraNames)
        buffer.writeMessagePackString("state_dim")
        buffer.writeMessagePackInt(stateDim)
        buffer.writeMessagePackString("schema_version")
        buffer.writeMessagePackInt(schemaVersion)
        buffer.writeMessagePackString("rtc_enabled")
        buffer.writeMessagePackBool(rtcEnabled)
        buffer.writeMessagePackString("task")
        buffer.writeMessagePackString(task)
        buffer.writeMessagePackString("tags")
        buffer.writeMessagePackMapHeader(count: tags.count)
        for (key, tag) in tags {
            buffer.writeMessagePackString(key)
            buffer.writeMessagePackString(tag)
        }
    }
}

/// The payload a robot sends to `<service>/session` to end its session.
public struct SessionClose: PolicyWireMessage {
    public var clientUUID: String
    /// When non-empty, the session is closed only if its id matches.
    public var sessionID: String

    public init(clientUUID: String = "", sessionID: String = "") {
        self.clientUUID = clientUUID
        self.sessionID = sessionID
    }

    public init(messagePack value: MessagePackValue) throws(PolicyWireError) {
        let f = try FieldReader(value, message: "SessionClose")
        clientUUID = try f.string("client_uuid")
        sessionID = try f.string("session_id")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessagePackMapHeader(count: 3)
        buffer.writeMessagePackString("op")
        buffer.writeMessagePackString("close")
        buffer.writeMessagePackString("client_uuid")
        buffer.writeMessagePackString(clientUUID)
        buffer.writeMessagePackString("session_id")
        buffer.writeMessagePackString(sessionID)
    }
}

/// A query on `<service>/session`, told apart by its `op` key.
public enum SessionRequest: Sendable, Hashable {
    case open(SessionOpen)
    case close(SessionClose)

    /// Decodes a `session` query payload: a missing/empty payload or a missing `op` means "open".
    public init(decoding payload: ByteBuffer, limits: MessagePackDecoder.Limits = .default) throws(PolicyWireError) {
        guard payload.readableBytes > 0 else {
            self = .open(SessionOpen())
            return
        }
        let value: MessagePackValue
        do {
            value = try MessagePackDecoder(limits: limits).decode(payload)
        } catch {
            throw PolicyWireError(.malformedBody, "session request is not valid MessagePack: \(error)", cause: error)
        }
        let op = try FieldReader(value, message: "SessionRequest").string("op", default: "open")
        switch op {
        case "open", "": self = .open(try SessionOpen(messagePack: value))
        case "close": self = .close(try SessionClose(messagePack: value))
        default:
            throw PolicyWireError(.unknownOperation, "unknown session op '\(op)' (expected 'open' or 'close')")
        }
    }
}

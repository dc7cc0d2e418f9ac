public import MessagePack
public import NIOCore

/// The server's reply to a session open: acceptance, warnings and the capabilities the robot configures from.
public struct SessionAck: PolicyWireMessage {
    public var accepted: Bool
    /// Why the session was refused ("" when accepted).
    public var error: String
    public var warnings: [String]
    public var sessionID: String
    public var modelRepo: String
    public var modelRevision: String
    public var policyType: String
    public var actionNames: [String]
    public var expectedCameras: [String]
    public var stateDim: Int64
    public var chunkSize: Int64
    public var trainedFPS: Double
    /// Server RTC active and granted to this session.
    public var supportsRTC: Bool
    public var rtcExecutionHorizon: Int64
    public var servingMode: String
    public var warmedUp: Bool
    public var schemaVersion: Int64
    public var serverLoad: Double

    public init(
        accepted: Bool = false,
        error: String = "",
        warnings: [String] = [],
        sessionID: String = "",
        modelRepo: String = "",
        modelRevision: String = "",
        policyType: String = "",
        actionNames: [String] = [],
        expectedCameras: [String] = [],
        stateDim: Int64 = 0,
        chunkSize: Int64 = 0,
        trainedFPS: Double = 0,
        supportsRTC: Bool = false,
        rtcExecutionHorizon: Int64 = 0,
        servingMode: String = "",
        warmedUp: Bool = false,
        schemaVersion: Int64 = Int64(AttachmentHeader.currentSchemaVersion),
        serverLoad: Double = 0
    ) {
        self.accepted = accepted
        self.error = error
        self.warnings = warnings
        self.sessionID = sessionID
        self.modelRepo = modelRepo
        self.modelRevision = modelRevision
        self.policyType = policyType
        self.actionNames = actionNames
        self.expectedCameras = expectedCameras
        self.stateDim = stateDim
        self.chunkSize = chunkSize
        self.trainedFPS = trainedFPS
        self.supportsRTC = supportsRTC
        self.rtcExecutionHorizon = rtcExecutionHorizon
        self.servingMode = servingMode
        self.warmedUp = warmedUp
        self.schemaVersion = schemaVersion
        self.serverLoad = serverLoad
    }

    public init(messagePack value: MessagePackValue) throws(PolicyWireError) {
        let f = try FieldReader(value, message: "SessionAck")
        accepted = try f.bool("accepted")
        error = try f.string("error")
        warnings = try f.strings("warnings")
        sessionID = try f.string("session_id")
        modelRepo = try f.string("model_repo")
        modelRevision = try f.string("model_revision")
        policyType = try f.string("policy_type")
        actionNames = try f.strings("action_names")
        expectedCameras = try f.strings("expected_cameras")
        stateDim = try f.int("state_dim")
        chunkSize = try f.int("chunk_size")
        trainedFPS = try f.double("trained_fps")
        supportsRTC = try f.bool("supports_rtc")
        rtcExecutionHorizon = try f.int("rtc_execution_horizon")
        servingMode = try f.string("serving_mode")
        warmedUp = try f.bool("warmed_up")
        schemaVersion = try f.int("schema_version", default: Int64(AttachmentHeader.currentSchemaVersion))
        serverLoad = try f.double("server_load")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessagePackMapHeader(count: 18)
        buffer.writeMessagePackString("accepted")
        buffer.writeMessagePackBool(accepted)
        buffer.writeMessagePackString("error")
        buffer.writeMessagePackString(error)
        buffer.writeMessagePackString("warnings")
        buffer.writePolicyStrings(warnings)
        buffer.writeMessagePackString("session_id")
        buffer.writeMessagePackString(sessionID)
        buffer.writeMessagePackString("model_repo")
        buffer.writeMessagePackString(modelRepo)
        buffer.writeMessagePackString("model_revision")
        buffer.writeMessagePackString(modelRevision)
        buffer.writeMessagePackString("policy_type")
        buffer.writeMessagePackString(policyType)
        buffer.writeMessagePackString("action_names")
        buffer.writePolicyStrings(actionNames)
        buffer.writeMessagePackString("expected_cameras")
        buffer.writePolicyStrings(expectedCameras)
        buffer.writeMessagePackString("state_dim")
        buffer.writeMessagePackInt(stateDim)
        buffer.writeMessagePackString("chunk_size")
        buffer.writeMessagePackInt(chunkSize)
        buffer.writeMessagePackString("trained_fps")
        buffer.writeMessagePackDouble(trainedFPS)
        buffer.writeMessagePackString("supports_rtc")
        buffer.writeMessagePackBool(supportsRTC)
        buffer.writeMessagePackString("rtc_execution_horizon")
        buffer.writeMessagePackInt(rtcExecutionHorizon)
        buffer.writeMessagePackString("serving_mode")
        buffer.writeMessagePackString(servingMode)
        buffer.writeMessagePackString("warmed_up")
        buffer.writeMessagePackBool(warmedUp)
        buffer.writeMessagePackString("schema_version")
        buffer.writeMessagePackInt(schemaVersion)
        buffer.writeMessagePackString("server_load")
        buffer.writeMessagePackDouble(serverLoad)
    }
}

public import MessagePack
public import NIOCore

/// The reply to an empty query on `<service>/status`: what the server serves and how busy it is.
public struct ServerStatus: PolicyWireMessage {
    public var modelRepo: String
    public var modelRevision: String
    public var policyType: String
    public var actionNames: [String]
    public var expectedCameras: [String]
    public var stateDim: Int64
    public var chunkSize: Int64
    public var trainedFPS: Double
    public var supportsRTC: Bool
    public var rtcExecutionHorizon: Int64
    public var servingMode: String
    public var warmedUp: Bool
    public var minSchemaVersion: Int64
    public var maxSchemaVersion: Int64
    public var activeSessions: Int64
    public var maxSessions: Int64

    public init(
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
        minSchemaVersion: Int64 = Int64(AttachmentHeader.currentSchemaVersion),
        maxSchemaVersion: Int64 = Int64(AttachmentHeader.currentSchemaVersion),
        activeSessions: Int64 = 0,
        maxSessions: Int64 = 0
    ) {
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
        self.minSchemaVersion = minSchemaVersion
        self.maxSchemaVersion = maxSchemaVersion
        self.activeSessions = activeSessions
        self.maxSessions = maxSessions
    }

    public init(messagePack value: MessagePackValue) throws(PolicyWireError) {
        let f = try FieldReader(value, message: "Status")
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
        minSchemaVersion = try f.int("min_schema_version", default: Int64(AttachmentHeader.currentSchemaVersion))
        maxSchemaVersion = try f.int("max_schema_version", default: Int64(AttachmentHeader.currentSchemaVersion))
        activeSessions = try f.int("active_sessions")
        maxSessions = try f.int("max_sessions")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessagePackMapHeader(count: 16)
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
        buffer.writeMessagePackString("min_schema_version")
        buffer.writeMessagePackInt(minSchemaVersion)
        buffer.writeMessagePackString("max_schema_version")
        buffer.writeMessagePackInt(maxSchemaVersion)
        buffer.writeMessagePackString("active_sessions")
        buffer.writeMessagePackInt(activeSessions)
        buffer.writeMessagePackString("max_sessions")
        buffer.writeMessagePackInt(maxSessions)
    }
}

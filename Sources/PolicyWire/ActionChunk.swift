public import MessagePack
public import NIOCore

/// What the server publishes on `<service>/<client_uuid>/action` in reply to one observation.
public struct ActionChunk: PolicyWireMessage {
    /// The request's `seq_id`.
    public var seqIDEcho: UInt64
    /// The request's `client_mono_ns`, untouched.
    public var clientMonoNsEcho: Int64
    /// The request's `episode_id`.
    public var episodeIDEcho: Int64
    /// The policy output in model space (before the post-processor), float32 `[T, A]`.
    public var chunkModel: PolicyTensor?
    /// The post-processed output in robot space, float32 `[T, A]`.
    public var chunkRobot: PolicyTensor?
    /// Time the observation waited in its mailbox before the worker took it.
    public var queueWaitMs: Double
    /// Pre-processing + prediction + post-processing time.
    public var inferenceMs: Double
    /// Observations of this session superseded since the previous reply.
    public var supersededSeqs: Int64
    /// Active sessions / max sessions.
    public var serverLoad: Double

    public init(
        seqIDEcho: UInt64 = 0,
        clientMonoNsEcho: Int64 = 0,
        episodeIDEcho: Int64 = 0,
        chunkModel: PolicyTensor? = nil,
        chunkRobot: PolicyTensor? = nil,
        queueWaitMs: Double = 0,
        inferenceMs: Double = 0,
        supersededSeqs: Int64 = 0,
        serverLoad: Double = 0
    ) {
        self.seqIDEcho = seqIDEcho
        self.clientMonoNsEcho = clientMonoNsEcho
        self.episodeIDEcho = episodeIDEcho
        self.chunkModel = chunkModel
        self.chunkRobot = chunkRobot
        self.queueWaitMs = queueWaitMs
        self.inferenceMs = inferenceMs
        self.supersededSeqs = supersededSeqs
        self.serverLoad = serverLoad
    }

    public init(messagePack value: MessagePackValue) throws(PolicyWireError) {
        let f = try FieldReader(value, message: "ActionChunk")
        seqIDEcho = try f.uint("seq_id_echo")
        clientMonoNsEcho = try f.int("client_mono_ns_echo")
        episodeIDEcho = try f.int("episode_id_echo")
        chunkModel = try f.tensor("chunk_model")
        chunkRobot = try f.tensor("chunk_robot")
        queueWaitMs = try f.double("queue_wait_ms")
        inferenceMs = try f.double("inference_ms")
        supersededSeqs = try f.int("superseded_seqs")
        serverLoad = try f.double("server_load")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessagePackMapHeader(count: 9)
        buffer.writeMessagePackString("seq_id_echo")
        buffer.writeMessagePackUInt(seqIDEcho)
        buffer.writeMessagePackString("client_mono_ns_echo")
        buffer.writeMessagePackInt(clientMonoNsEcho)
        buffer.writeMessagePackString("episode_id_echo")
        buffer.writeMessagePackInt(episodeIDEcho)
        buffer.writeMessagePackString("chunk_model")
        buffer.writePolicyTensor(chunkModel)
        buffer.writeMessagePackString("chunk_robot")
        buffer.writePolicyTensor(chunkRobot)
        buffer.writeMessagePackString("queue_wait_ms")
        buffer.writeMessagePackDouble(queueWaitMs)
        buffer.writeMessagePackString("inference_ms")
        buffer.writeMessagePackDouble(inferenceMs)
        buffer.writeMessagePackString("superseded_seqs")
        buffer.writeMessagePackInt(supersededSeqs)
        buffer.writeMessagePackString("server_load")
        buffer.writeMessagePackDouble(serverLoad)
    }
}

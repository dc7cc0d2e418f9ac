public import PolicyWire

/// One request to a policy: the robot's observation after the wire, plus the RTC inputs when RTC is on.
public struct PolicyRequest: Sendable {
    /// `observation.state`, float32.
    public var state: [Float]
    /// Camera images by full feature key, in the robot's order.
    public var images: [(key: String, image: RGBImage)]
    /// `observation.environment_state`, float32, for policies that take one (Diffusion Policy); nil otherwise.
    public var environmentState: [Float]?
    public var task: String
    /// Present when RTC is active for the session.
    public var rtc: RTCInputs?

    public init(
        state: [Float], images: [(key: String, image: RGBImage)] = [], task: String = "", rtc: RTCInputs? = nil,
        environmentState: [Float]? = nil
    ) {
        self.state = state
        self.images = images
        self.environmentState = environmentState
        self.task = task
        self.rtc = rtc
    }
}

/// Real-time-chunking inputs: the delay and the left-over prefix padded to the execution horizon.
public struct RTCInputs: Sendable, Hashable {
    public var delaySteps: Int
    /// The model-space leftover (`prefix_model`), `[horizon × actionDim]`, row-major, zero-padded past `validRows`.
    /// `validRows == 0`: the robot sent no prefix, and generation is not guided.
    public var prefix: [Float]
    public var validRows: Int
    public var executionHorizon: Int
    /// The robot-space leftover (`prefix_robot`) fitted the same way, when the robot sent one: policies trained on
    /// relative actions re-anchor it against the current state instead of using `prefix`.
    public var robotPrefix: [Float]?

    public init(delaySteps: Int, prefix: [Float], validRows: Int, executionHorizon: Int, robotPrefix: [Float]? = nil) {
        self.delaySteps = delaySteps
        self.prefix = prefix
        self.validRows = validRows
        self.executionHorizon = executionHorizon
        self.robotPrefix = robotPrefix
    }
}

/// A predicted chunk in both spaces: `model` (policy output) and `robot` (after the post-processor),
/// each `[rows × columns]` row-major.
public struct PolicyOutput: Sendable, Hashable {
    public var chunkModel: [Float]
    public var chunkRobot: [Float]
    public var rows: Int
    public var columns: Int

    public init(chunkModel: [Float], chunkRobot: [Float], rows: Int, columns: Int) {
        self.chunkModel = chunkModel
        self.chunkRobot = chunkRobot
        self.rows = rows
        self.columns = columns
    }
}

/// Per-session processor state (normalizer statistics in use, observation history, ...). Each robot gets its
/// own; the policy weights are shared.
public protocol PolicySessionState: AnyObject, Sendable {
    /// Called at an episode boundary.
    func reset()
}

/// A policy that predicts action chunks: the seam between the server and what runs the network.
public protocol ChunkPolicy: AnyObject, Sendable {
    var config: PolicyConfig { get }
    /// Whether prefix-conditioned (RTC) generation is available: true only for RTC-capable families
    /// (`PolicyServingClass.supportsRTC(policyType:)`) and the mock; the server trusts it.
    var supportsRTC: Bool { get }
    /// Fresh processors for a new session.
    func makeSessionState() -> any PolicySessionState
    /// Predicts one chunk. Called by the single inference worker only.
    func predictChunk(_ request: PolicyRequest, session: any PolicySessionState) throws(PolicyRuntimeError) -> PolicyOutput
    /// Resets the policy's own state (exclusive serving only).
    func resetPolicy()
}

/// A chunk policy that can run several robots' requests as one batch (a graph with a dynamic batch axis).
public protocol BatchedChunkPolicy: ChunkPolicy {
    /// Whether requests with RTC inputs can share a batch (each row guided by its own prefix and delay). When false
    /// the server runs RTC requests one at a time.
    var batchesRTC: Bool { get }

    /// Predicts one chunk per request in one run; each request keeps its own session's processors. The results
    /// equal what `predictChunk` gives for each request alone.
    func predictChunks(_ requests: [(PolicyRequest, any PolicySessionState)]) throws(PolicyRuntimeError) -> [PolicyOutput]
}

extension BatchedChunkPolicy {
    public var batchesRTC: Bool { false }
}

public import MessagePack
public import NIOCore
public import OrderedCollections

/// What a robot sends on `<service>/<client_uuid>/obs`: its state, camera images and the RTC hints.
public struct Observation: PolicyWireMessage {
    /// Joint state, float32 `[S]`, or nil.
    public var state: PolicyTensor?
    /// Camera images by full policy feature key (`observation.images.front`), in the robot's order.
    public var images: OrderedDictionary<String, WireImage>
    /// The task instruction ("" = the session's or the server's default).
    public var task: String
    /// Steps the robot will have executed before this request's chunk arrives (RTC).
    public var inferenceDelaySteps: Int64
    /// Left-over actions in model space, float32 `[≤H, A]`, or nil.
    public var prefixModel: PolicyTensor?
    /// Left-over actions in robot space, float32 `[≤H, A]`, or nil.
    public var prefixRobot: PolicyTensor?
    /// True on the first observation of an episode.
    public var episodeStart: Bool
    /// `observation.environment_state`, float32 `[E]`, or nil (only policies that take one read it). Sent only when
    /// set, so observations without it encode as before.
    public var environmentState: PolicyTensor?

    public init(
        state: PolicyTensor? = nil,
        images: OrderedDictionary<String, WireImage> = [:],
        task: String = "",
        inferenceDelaySteps: Int64 = 0,
        prefixModel: PolicyTensor? = nil,
        prefixRobot: PolicyTensor? = nil,
        episodeStart: Bool = false,
        environmentState: PolicyTensor? = nil
    ) {
        self.environmentState = environmentState
        self.state = state
        self.images = images
        self.task = task
        self.inferenceDelaySteps = inferenceDelaySteps
        self.prefixModel = prefixModel
        self.prefixRobot = prefixRobot
        self.episodeStart = episodeStart
    }

    public init(messagePack value: MessagePackValue) throws(PolicyWireError) {
        let f = try FieldReader(value, message: "Observation")
        state = try f.tensor("state")
        images = [:]
        if let raw = f.value("images") {
            guard case .map(let pairs) = raw else { throw f.wrongType("images", expected: "a map", got: raw) }
            for pair in pairs {
                guard case .string(let key) = pair.key else {
                    throw f.wrongType("images", expected: "a map with string keys", got: pair.key)
                }
                images[key] = try WireImage(messagePack: pair.value, field: "Observation.images['\(key)']")
            }
        }
        task = try f.string("task")
        inferenceDelaySteps = try f.int("inference_delay_steps")
        prefixModel = try f.tensor("prefix_model")
        prefixRobot = try f.tensor("prefix_robot")
        episodeStart = try f.bool("episode_start")
        environmentState = try f.tensor("environment_state")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeMessagePackMapHeader(count: environmentState == nil ? 7 : 8)
        buffer.writeMessagePackString("state")
        buffer.writePolicyTensor(state)
        buffer.writeMessagePackString("images")
        buffer.writeMessagePackMapHeader(count: images.count)
        for (key, image) in images {
            buffer.writeMessagePackString(key)
            image.encode(into: &buffer)
        }
        buffer.writeMessagePackString("task")
        buffer.writeMessagePackString(task)
        buffer.writeMessagePackString("inference_delay_steps")
        buffer.writeMessagePackInt(inferenceDelaySteps)
        buffer.writeMessagePackString("prefix_model")
        buffer.writePolicyTensor(prefixModel)
        buffer.writeMessagePackString("prefix_robot")
        buffer.writePolicyTensor(prefixRobot)
        buffer.writeMessagePackString("episode_start")
        buffer.writeMessagePackBool(episodeStart)
        if let environmentState {
            buffer.writeMessagePackString("environment_state")
            buffer.writePolicyTensor(environmentState)
        }
    }
}

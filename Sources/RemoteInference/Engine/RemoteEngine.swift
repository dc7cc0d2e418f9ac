public import Logging
import NIOCore
public import PolicyWire
import Synchronization
import Zenoh

/// The weightless edge engine (`--inference.type=remote`): keeps a local buffer of future actions filled
/// from a remote policy server over Zenoh, so the control loop never waits on the network.
///
/// ```swift
/// let engine = try RemoteEngine(configuration: configuration, robot: robot, policy: policy, logger: logger) { reason in
///     shutdown.set()   // DEAD: the rollout stops, with the return to the initial position
/// }
/// engine.reset()
/// try await engine.start()          // fails before the robot moves if the handshake or validation fails
/// engine.notifyObservation(observation)   // control thread: never I/O, never blocks
/// let action = engine.action()            // control thread: nil = send nothing (hold)
/// await engine.stop()
/// ```
///
/// The control thread only touches state behind one lock; the worker task publishes observations (one
/// request in flight), waits for chunks, re-handshakes with backoff, and runs the fail-safe machine.
public final class RemoteEngine: Sendable {
    public let configuration: RemoteInferenceConfiguration
    public let robot: RobotDescription
    public let policy: PolicyDescription
    /// The client uuid on the wire.
    public let clientUUID: String
    /// The service's keys (`@lerobot/<model>/<revision>/<task>/...`).
    public let keys: ServiceKeys
    let logger: Logger
    let core: Mutex<EngineCore>
    let resources = Mutex(Resources())
    /// Chunks (and interruptions) for the worker; bounded, drop-oldest, as LeRobot's reply queue of 4.
    let replies = Inbox<Delivery>(capacity: 4)
    /// Wakes an idle worker (new observation, buffer below the threshold, resume, reset).
    let wake = Inbox<Void>(capacity: 1)
    let onDeath: @Sendable (String) -> Void

    enum Delivery: Sendable {
        case chunk(AttachmentHeader, ByteBuffer, receivedAt: Double)
        case interrupt
    }

    struct Resources: ~Copyable {
        var zenoh: ZenohSession?
        var publisher: ZenohPublisher?
        var declarations: [any ZenohDeclaration] = []
        var worker: Task<Void, Never>?
        var sessionID = ""
        /// `repo@revision` of the first acknowledged server; a reconnect must find the same.
        var identity: String?
    }

    /// Builds an engine; nothing is connected until ``start()``.
    ///
    /// - Parameter onDeath: called once, from the worker, when the engine goes DEAD (the reason is shown to
    ///   the operator); the rollout sets its shutdown event there.
    public init(
        configuration: RemoteInferenceConfiguration, robot: RobotDescription, policy: PolicyDescription,
        logger: Logger, onDeath: @escaping @Sendable (String) -> Void = { _ in }
    ) throws(RemoteInferenceError) {
        try configuration.validate()
        guard robot.fps > 0 else {
            throw RemoteInferenceError(.invalidConfiguration, "--fps must be > 0, got \(robot.fps)")
        }
        self.configuration = configuration
        self.robot = robot
        self.policy = policy
        self.logger = logger
        self.onDeath = onDeath
        do {
            let uuid = configuration.clientUUID.isEmpty ? Self.randomHex() : configuration.clientUUID
            self.clientUUID = try ServiceKeys.segment(uuid, what: "client uuid")
            let model = configuration.serviceModelID.isEmpty ? (policy.path.isEmpty ? "model" : policy.path) : configuration.serviceModelID
            let task = configuration.serviceTask.isEmpty ? robot.task : configuration.serviceTask
            self.keys = try ServiceKeys(modelID: model, revision: configuration.serviceRevision, task: task)
        } catch {
            throw RemoteInferenceError(.invalidConfiguration, "--inference.service_model_id / service_task / client_uuid: \(error.message)")
        }
        self.core = Mutex(EngineCore(configuration: configuration, fps: robot.fps, now: MonotonicClock.seconds))
    }

    // MARK: Control thread (no I/O, never blocks beyond a short lock)

    /// Publishes the latest observation (latest-only slot); the worker sends it when a chunk is due.
    public func notifyObservation(_ observation: RobotObservation) {
        let wakeUp = core.withLock { core -> Bool in
            core.observation = observation
            return core.needsRequest
        }
        if wakeUp { wake.deposit(()) }
    }

    /// Empties the observation slot: no request goes out until the next ``notifyObservation(_:)`` (a camera
    /// without a fresh frame must not have its last frame sent again). The buffer is kept.
    public func withdrawObservation() {
        core.withLock { $0.observation = nil }
    }

    /// The next action, in `robot.orderedActionKeys` order, or nil: send nothing this tick (`hold`).
    public func action() -> [Float]? {
        let now = MonotonicClock.seconds
        let (action, wantsRequest) = core.withLock { $0.nextAction(now: now) }
        if wantsRequest { wake.deposit(()) }
        return action
    }

    /// An episode boundary: clears the buffer and the observation slot, bumps the episode; the worker tells
    /// the server. A chunk still in flight for the old episode is dropped when it lands.
    public func reset() {
        core.withLock { $0.reset() }
        replies.deposit(.interrupt)
        wake.deposit(())
    }

    /// Stops publishing observations (the buffer is kept); a pause never burns the offline budget.
    public func pause() {
        core.withLock { $0.isActive = false }
    }

    public func resume() {
        core.withLock { $0.isActive = true }
        wake.deposit(())
    }

    /// The link state now.
    public var state: LinkState { core.withLock { $0.state } }
    /// Actions buffered now.
    public var queueDepth: Int { core.withLock { $0.queueDepth } }
    /// The counters and latency summary.
    public var stats: EngineStats { core.withLock { $0.snapshotStats } }
    /// Why the engine went DEAD; nil while alive.
    public var deathReason: String? { core.withLock { $0.deathReason } }
    /// LeRobot's `ready`: a session is open, the server reported its warm-up done, and the engine is not DEAD.
    public var isReady: Bool { core.withLock { $0.buffer != nil && $0.isServerWarmedUp && $0.state != .dead } }
    /// LeRobot's `failed`: DEAD.
    public var isFailed: Bool { state == .dead }
    /// Whether chunks are merged with RTC (replace) or appended.
    public var isRTCActive: Bool { core.withLock { $0.rtcActive } }
    /// The current session epoch on the wire (bumped by every reconnect attempt).
    public var epoch: UInt32 { core.withLock { $0.epoch } }
    /// The current episode id on the wire.
    public var episode: UInt32 { core.withLock { $0.episode } }

    // MARK: Death

    /// Goes DEAD (once): clears the buffer, logs, and signals the rollout.
    func die(_ reason: String) {
        let now = MonotonicClock.seconds
        guard core.withLock({ $0.die(reason, now: now) }) else { return }
        wake.deposit(())
        logger.error("Remote inference is DEAD: \(reason)")
        onDeath(reason)
    }

    static func randomHex() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format2(UInt8.random(in: 0...255, using: &generator))) }.joined()
    }

    private static func format2(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}

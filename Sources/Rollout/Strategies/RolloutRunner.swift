import Cameras
import Foundation
public import Logging
import RemoteInference
import Synchronization

/// One rollout: pre-flight (config-only policy, robot, features), the engine, the strategy's control loop
/// on its own thread, and the teardown (engine first, then the return to the initial position).
///
/// The robot, the teleoperator and everything the loop changes live in one ``RolloutSession``, behind a
/// `Mutex` that hands it from phase to phase: pre-flight on the caller's task, the loop on the control
/// thread (which holds it for the whole loop), the teardown on a thread of its own.
public final class RolloutRunner: Sendable {
    public let settings: RolloutSettings
    public let shutdown: ShutdownEvent
    public let commands: OperatorCommands
    let logger: Logger
    let status: StatusReporter
    private let session: Mutex<RolloutSession>

    public init(
        settings: RolloutSettings, robot: sending any Robot, teleop: sending (any Teleoperator)? = nil,
        shutdown: ShutdownEvent, commands: OperatorCommands = OperatorCommands(), status: StatusReporter, logger: Logger
    ) {
        self.settings = settings
        self.shutdown = shutdown
        self.commands = commands
        self.status = status
        self.logger = logger
        self.session = Mutex(
            RolloutSession(
                settings: settings, robot: robot, teleop: teleop, shutdown: shutdown, commands: commands, status: status,
                logger: logger))
    }

    /// Runs the whole rollout. Throws (before the robot moves) when pre-flight or the handshake fails.
    public func run() async throws -> RolloutReport {
        let policy: PolicyDescription
        do {
            policy = try await PolicyDescription.load(path: settings.policyPath, revision: settings.policyRevision)
        } catch {
            throw RolloutError(.invalidOption, error.message)
        }
        let description = try session.withLock { try $0.prepare(policy) }
        let engine: RemoteEngine
        do {
            engine = try RemoteEngine(
                configuration: settings.inference, robot: description, policy: policy, logger: logger,
                onDeath: { [shutdown] _ in shutdown.set() })
            engine.reset()
            try await engine.start()
        } catch {
            session.withLock { $0.disconnect() }
            throw RolloutError(.invalidOption, error.message)
        }
        await onThread("control-loop") { [self] in session.withLock { $0.controlLoop(engine) } }
        status.finish()
        await engine.stop()
        // The glide back to the initial pose is 3 s of paced commands: on a thread, not on the cooperative pool.
        return await onThread("teardown") { [self] in session.withLock { $0.finish(engine) } }
    }

    /// Runs `body` on a new thread and waits for its result.
    private func onThread<T: Sendable>(_ name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (done: CheckedContinuation<T, Never>) in
            let thread = Thread { done.resume(returning: body()) }
            thread.name = name
            thread.start()
        }
    }
}

/// What one rollout owns and changes: the robot and teleoperator, the action-column mapping, the report.
/// Used by one thread at a time (``RolloutRunner`` hands it over).
struct RolloutSession {
    let settings: RolloutSettings
    let robot: any Robot
    /// `--teleop.type`: drives the robot while CORRECTING (dagger) and in episodic reset phases.
    let teleop: (any Teleoperator)?
    let shutdown: ShutdownEvent
    let commands: OperatorCommands
    let status: StatusReporter
    let logger: Logger
    var teleopLink: TeleopLink?
    /// The last command the loop sent to the robot (motor order); dagger's PAUSED resends it.
    var lastMotorCommand: [Float]?
    var orderedKeys: [String] = []
    /// For each ordered action column, the robot motor it drives.
    var columnToMotor: [Int] = []
    var initialPosition: [Float] = []
    /// The camera fault in force (said once when it starts and once when it clears).
    var cameraFault: CameraFault?
    var report: RolloutReport

    init(
        settings: RolloutSettings, robot: any Robot, teleop: (any Teleoperator)?, shutdown: ShutdownEvent,
        commands: OperatorCommands, status: StatusReporter, logger: Logger
    ) {
        self.settings = settings
        self.robot = robot
        self.teleop = teleop
        self.shutdown = shutdown
        self.commands = commands
        self.status = status
        self.logger = logger
        self.report = RolloutReport(strategy: settings.strategy.rawValue, targetHz: settings.fps)
    }

    /// Connects the robot (and its cameras) and the teleop, and checks the policy's features against them.
    /// On failure everything connected is disconnected again.
    mutating func prepare(_ policy: PolicyDescription) throws -> RobotDescription {
        try robot.connect()
        if let cameras = robot as? CameraRobot {
            report.cameraPaths = cameras.deliveryDescriptions
            for path in cameras.deliveryDescriptions { status.line("Camera \(path)") }
        }
        initialPosition = robot.observe().positions
        do {
            if let teleop {
                try teleop.connect()
                teleopLink = TeleopLink(robot: robot, teleop: teleop)
            }
            let (keys, warning) = RobotDescription.orderedActionKeys(policy: policy, robotActionKeys: robot.actionKeys)
            if let warning { logger.warning("\(warning)") }
            orderedKeys = keys
            columnToMotor = keys.map { key in robot.actionKeys.firstIndex(of: key) ?? 0 }
            let cameraKeys = robot.cameras.map(\.featureKey)
            try RobotDescription.checkCameras(policy: policy, cameraKeys: cameraKeys, renameMap: settings.renameMap)
            return RobotDescription(
                robotType: robot.robotType, fps: settings.fps, orderedActionKeys: orderedKeys,
                stateDim: robot.actionKeys.count, cameraKeys: cameraKeys, renameMap: settings.renameMap, task: settings.task)
        } catch {
            disconnect()
            if let error = error as? RemoteInferenceError { throw RolloutError(.invalidOption, error.message) }
            throw error
        }
    }

    /// Records the engine's end state, glides back to the initial pose (when asked), disconnects.
    mutating func finish(_ engine: RemoteEngine) -> RolloutReport {
        report.engine = engine.stats
        report.finalState = engine.state
        report.deadReason = engine.deathReason
        if settings.returnToInitialPosition, !initialPosition.isEmpty {
            returnToInitialPosition(seconds: 3, rate: 50)
            report.returnedToInitialPosition = true
        }
        disconnect()
        return report
    }

    func disconnect() {
        robot.disconnect()
        teleop?.disconnect()
    }

    /// Linear glide from the current pose to the initial one (LeRobot: 3 s at 50 Hz, raw `.pos` commands).
    func returnToInitialPosition(seconds: Double, rate: Double) {
        let start = robot.observe().positions
        TeleopLink.paced(steps: max(Int(seconds * rate), 1), rate: rate, includingStart: false) { s in
            robot.send(HandOver.interpolate(start, initialPosition, s))
        }
    }
}

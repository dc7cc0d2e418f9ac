import Foundation
public import Logging
import RemoteInference

/// One rollout: pre-flight (config-only policy, robot, features), the engine, the strategy's control loop
/// on its own thread, and the teardown (engine first, then the return to the initial position).
public final class RolloutRunner: @unchecked Sendable {
    public let settings: RolloutSettings
    public let robot: any Robot
    public let shutdown: ShutdownEvent
    public let commands: OperatorCommands
    /// `--teleop.type`: drives the robot while CORRECTING (dagger) and in episodic reset phases.
    public let teleop: (any Teleoperator)?
    var teleopLink: TeleopLink?
    /// The last command the loop sent to the robot (motor order); dagger's PAUSED resends it.
    var lastMotorCommand: [Float]?
    let logger: Logger
    let status: StatusReporter
    var engine: RemoteEngine?
    var orderedKeys: [String] = []
    /// For each ordered action column, the robot motor it drives.
    var columnToMotor: [Int] = []
    var initialPosition: [Float] = []
    var report: RolloutReport

    public init(
        settings: RolloutSettings, robot: any Robot, teleop: (any Teleoperator)? = nil, shutdown: ShutdownEvent,
        commands: OperatorCommands = OperatorCommands(), status: StatusReporter, logger: Logger
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

    /// Runs the whole rollout. Throws (before the robot moves) when pre-flight or the handshake fails.
    public func run() async throws -> RolloutReport {
        let policy: PolicyDescription
        do {
            policy = try await PolicyDescription.load(path: settings.policyPath, revision: settings.policyRevision)
        } catch {
            throw RolloutError(.invalidOption, error.message)
        }
        try robot.connect()
        if let cameras = robot as? CameraRobot {
            report.cameraPaths = cameras.deliveryDescriptions
            for path in cameras.deliveryDescriptions { status.line("Camera \(path)") }
        }
        initialPosition = robot.observe().positions
        do {
            if let teleop {
                try teleop.connect()
                teleopLink = TeleopLink(robot: robot, teleop: teleop) { [unowned self] sent in self.noteSent(sent) }
            }
            try preflight(policy)
            let engine = try RemoteEngine(
                configuration: settings.inference, robot: description(), policy: policy, logger: logger,
                onDeath: { [shutdown] _ in shutdown.set() })
            self.engine = engine
            engine.reset()
            try await engine.start()
        } catch let error as RemoteInferenceError {
            robot.disconnect()
            teleop?.disconnect()
            throw RolloutError(.invalidOption, error.message)
        } catch {
            robot.disconnect()
            teleop?.disconnect()
            throw error
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                self.controlLoop()
                done.resume()
            }
            thread.name = "control-loop"
            thread.start()
        }
        status.finish()
        await teardown()
        return report
    }

    func preflight(_ policy: PolicyDescription) throws {
        let (keys, warning) = RobotDescription.orderedActionKeys(policy: policy, robotActionKeys: robot.actionKeys)
        if let warning { logger.warning("\(warning)") }
        orderedKeys = keys
        columnToMotor = keys.map { key in robot.actionKeys.firstIndex(of: key) ?? 0 }
        try RobotDescription.checkCameras(
            policy: policy, cameraKeys: robot.cameras.map(\.featureKey), renameMap: settings.renameMap)
    }

    func description() -> RobotDescription {
        RobotDescription(
            robotType: robot.robotType, fps: settings.fps, orderedActionKeys: orderedKeys, stateDim: robot.actionKeys.count,
            cameraKeys: robot.cameras.map(\.featureKey), renameMap: settings.renameMap, task: settings.task)
    }

    /// Engine first (closes the session), then the glide back to the initial pose, then the robot.
    func teardown() async {
        if let engine {
            await engine.stop()
            report.engine = engine.stats
            report.finalState = engine.state
            report.deadReason = engine.deathReason
        }
        if settings.returnToInitialPosition, !initialPosition.isEmpty {
            // 3 s of paced commands: on a thread of its own, not on the cooperative pool.
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread { [self] in
                    returnToInitialPosition(seconds: 3, rate: 50)
                    done.resume()
                }.start()
            }
            report.returnedToInitialPosition = true
        }
        robot.disconnect()
        teleop?.disconnect()
    }

    /// Linear glide from the current pose to the initial one (LeRobot: 3 s at 50 Hz, raw `.pos` commands).
    func returnToInitialPosition(seconds: Double, rate: Double) {
        let start = robot.observe().positions
        let steps = max(Int(seconds * rate), 1)
        let period = 1 / rate
        var next = MonotonicClock.seconds
        for step in 1...steps {
            let s = Float(step) / Float(steps)
            robot.send(zip(start, initialPosition).map { $0 * (1 - s) + $1 * s })
            next += period
            let wait = next - MonotonicClock.seconds
            if wait > 0 { usleep(useconds_t(wait * 1e6)) }
        }
    }
}

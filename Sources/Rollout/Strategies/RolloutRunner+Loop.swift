import Foundation
import Logging
import PolicyWire
import RemoteInference

/// The control loop's state across ticks.
struct LoopState {
    var interpolator: ActionInterpolator
    /// The last policy command (column order), for the action-step statistics.
    var lastAction: [Float]?
    var dagger = DaggerPhases()
    var episodic: EpisodicPhases
    var warnedNoTeleop = false
}

extension RolloutSession {
    /// The strategy's loop, on the control thread: deadline-paced ticks until shutdown or `--duration`.
    mutating func controlLoop(_ engine: RemoteEngine) {
        let interval = 1 / (settings.fps * Double(settings.interpolationMultiplier))
        let start = MonotonicClock.seconds
        var scheduler = TickScheduler(period: interval, start: start)
        var state = LoopState(
            interpolator: ActionInterpolator(multiplier: settings.interpolationMultiplier),
            episodic: EpisodicPhases(
                numEpisodes: settings.numEpisodes, episodeTime: settings.episodeTime, resetTime: settings.resetTime, start: start))

        let duration = settings.duration

        if settings.strategy != .base {
            // Episodic and dagger begin with an episode boundary (LeRobot's strategies do the same).
            engine.reset()
            state.interpolator.reset()
        }
        engine.resume()
        if settings.strategy == .episodic {
            status.line("Episode 1/\(settings.numEpisodes)")
        }
        loop: while !shutdown.isSet {
            let now = MonotonicClock.seconds
            if duration > 0 && now - start >= duration { break loop }
            scheduler.tickStarted(at: now)
            var phase: String?
            switch settings.strategy {
            case .base:
                policyTick(engine, &state.interpolator, &state.lastAction)
            case .episodic:
                guard let name = episodicTick(engine, &state, now: now) else { break loop }
                phase = name
            case .dagger:
                phase = daggerTick(engine, &state)
            }
            let stats = engine.stats
            status.tick(
                now: MonotonicClock.seconds, state: engine.state, queueDepth: engine.queueDepth, lastLatency: stats.lastLatency,
                overruns: scheduler.overruns, phase: phase)
            let sleep = scheduler.tickEnded(at: MonotonicClock.seconds)
            if sleep > 0 { usleep(useconds_t(sleep * 1e6)) }
        }
        engine.pause()
        report.seconds = MonotonicClock.seconds - start
        report.ticks = scheduler.ticks
        report.overruns = scheduler.overruns
        report.tickLatenessP50 = scheduler.latenessPercentile(0.5)
        report.tickLatenessP99 = scheduler.latenessPercentile(0.99)
        if settings.strategy == .episodic {
            report.episodes = max(report.episodes, state.episodic.recorded + (state.episodic.phase == .reset ? 1 : 0))
        }
    }

    /// LeRobot's `send_next_action`: notify and pull a policy action when the interpolator needs one, then
    /// send the next interpolated command (or nothing: the arm holds).
    mutating func policyTick(_ engine: RemoteEngine, _ interpolator: inout ActionInterpolator, _ lastAction: inout [Float]?) {
        let frame = robot.observe()
        noteCameras(frame.cameraFault, engine)
        if interpolator.needsNewAction {
            // Without a fresh frame of every camera no observation goes out: the buffer plays on, then the fallback.
            if frame.cameraFault == nil {
                engine.notifyObservation(RobotObservation(
                    state: frame.positions,
                    cameras: frame.cameras.map { .init(key: "observation.images.\($0.name)", image: $0.image) }))
            } else {
                engine.withdrawObservation()
            }
            if let action = engine.action() { interpolator.add(action) }
        }
        if let command = interpolator.next() {
            send(command)
            if let lastAction { report.noteActionStep(from: lastAction, to: command) }
            lastAction = command
        } else {
            report.ticksWithoutAction += 1
        }
    }

    /// A camera fault is said once when it starts and once when it clears; a camera that has stopped for good
    /// ends the rollout once the buffered actions have played out (the arm then holds per `--inference.fallback`).
    mutating func noteCameras(_ fault: CameraFault?, _ engine: RemoteEngine) {
        guard let fault else {
            if cameraFault != nil {
                status.line("Cameras fresh again: observations resume")
                cameraFault = nil
            }
            return
        }
        report.cameraFaultTicks += 1
        if !fault.isSame(as: cameraFault) {
            status.line("\(fault.message): no observation is sent until it recovers; the buffer plays on, then --inference.fallback")
            if fault.isTerminal {
                report.cameraError = fault.message
                status.line("The camera has stopped: the rollout ends once the buffered actions have played out")
            }
        }
        cameraFault = fault
        if fault.isTerminal, engine.queueDepth == 0 { shutdown.set() }
    }

    /// Maps ordered action columns to motors and commands the robot (a motor no column names gets NaN:
    /// its goal is left unchanged).
    mutating func send(_ command: [Float]) {
        var positions = [Float](repeating: .nan, count: robot.actionKeys.count)
        for (column, motor) in columnToMotor.enumerated() where column < command.count && motor < positions.count {
            positions[motor] = command[column]
        }
        sendMotors(positions)
    }

    /// Commands the robot in motor order and remembers it (dagger's PAUSED resends it).
    mutating func sendMotors(_ positions: [Float]) {
        robot.send(positions)
        lastMotorCommand = positions
        report.actionsSent += 1
    }

    /// Performs hand-over steps: through the teleop link, or the return to the initial position without one.
    mutating func perform(_ steps: [HandOver.Step]) {
        let initial = initialPosition
        for step in steps {
            if teleopLink != nil {
                throughLink { $0.perform(step, initialPosition: initial) }
            } else if step == .returnToInitialPosition {
                returnToInitialPosition(seconds: 1, rate: 50)
            }
        }
    }

    /// Runs `body` on the teleop link and counts what it sent to the robot. Returns false without a link.
    @discardableResult
    mutating func throughLink(_ body: (TeleopLink) -> Void) -> Bool {
        guard let link = teleopLink else { return false }
        let before = link.commandsSent
        body(link)
        if link.commandsSent > before {
            report.actionsSent += link.commandsSent - before
            lastMotorCommand = link.lastCommand
        }
        return true
    }
}

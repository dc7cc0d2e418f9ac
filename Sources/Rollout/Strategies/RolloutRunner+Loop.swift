import Foundation
import Logging
import PolicyWire
import RemoteInference

extension RolloutSession {
    /// The strategy's loop, on the control thread: deadline-paced ticks until shutdown or `--duration`.
    mutating func controlLoop(_ engine: RemoteEngine) {
        let playback = PolicyPlayback(multiplier: settings.interpolationMultiplier)
        switch settings.strategy {
        case .base:
            run(BaseStrategy(playback: playback), engine)
        case .dagger:
            run(DaggerStrategy(playback: playback), engine)
        case .episodic:
            let phases = EpisodicPhases(
                numEpisodes: settings.numEpisodes, episodeTime: settings.episodeTime, resetTime: settings.resetTime,
                start: MonotonicClock.seconds)
            run(EpisodicStrategy(playback: playback, phases: phases), engine)
        }
    }

    /// The shared loop: pacing, the strategy's tick, the status line, the statistics.
    mutating func run(_ strategy: consuming some RolloutStrategy, _ engine: RemoteEngine) {
        var strategy = strategy
        let interval = 1 / (settings.fps * Double(settings.interpolationMultiplier))
        let start = MonotonicClock.seconds
        var scheduler = TickScheduler(period: interval, start: start)
        let duration = settings.duration
        strategy.begin(&self, engine, now: start)
        while !shutdown.isSet {
            let now = MonotonicClock.seconds
            if duration > 0 && now - start >= duration { break }
            scheduler.tickStarted(at: now)
            guard case .running(let phase) = strategy.tick(&self, engine, now: now) else { break }
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
        strategy.end(&self)
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

    /// The teleop's command to the robot, counted; false without a teleop or when it had none.
    mutating func forwardTeleop() -> Bool {
        var sent: [Float]?
        throughLink { sent = $0.forward() }
        guard let sent else { return false }
        report.teleopTicks += 1
        report.teleopLastCommand = sent
        return true
    }
}

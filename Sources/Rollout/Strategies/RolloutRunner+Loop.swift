import Foundation
import Logging
import RemoteInference

extension RolloutRunner {
    /// The strategy's loop, on the control thread: deadline-paced ticks until shutdown or `--duration`.
    func controlLoop() {
        guard let engine else { return }
        let interval = 1 / (settings.fps * Double(settings.interpolationMultiplier))
        let start = MonotonicClock.seconds
        var scheduler = TickScheduler(period: interval, start: start)
        var interpolator = ActionInterpolator(multiplier: settings.interpolationMultiplier)
        var dagger = DaggerPhases()
        var lastAction: [Float]?
        var warnedNoTeleop = false
        var episode = 0
        var episodeStart = start
        var inResetPhase = false
        var resetPhaseEnds = 0.0

        func expired(_ now: Double) -> Bool { settings.duration > 0 && now - start >= settings.duration }

        if settings.strategy != .base {
            // Episodic and dagger begin with an episode boundary (LeRobot's strategies do the same).
            engine.reset()
            interpolator.reset()
        }
        engine.resume()
        if settings.strategy == .episodic {
            status.line("Episode 1/\(settings.numEpisodes)")
        }
        loop: while !shutdown.isSet {
            let now = MonotonicClock.seconds
            if expired(now) { break loop }
            scheduler.tickStarted(at: now)
            var phase: String?
            switch settings.strategy {
            case .base:
                policyTick(engine, &interpolator, &lastAction)
            case .episodic:
                if inResetPhase {
                    phase = "reset"
                    if now >= resetPhaseEnds {
                        inResetPhase = false
                        episode += 1
                        engine.reset()
                        interpolator.reset()
                        engine.resume()
                        episodeStart = now
                        status.line("Episode \(episode + 1)/\(settings.numEpisodes)")
                    }
                } else {
                    phase = "episode \(episode + 1)"
                    policyTick(engine, &interpolator, &lastAction)
                    if MonotonicClock.seconds - episodeStart >= settings.episodeTime {
                        report.episodes = episode + 1
                        if episode + 1 >= settings.numEpisodes { break loop }
                        status.line("Reset phase (\(settings.resetTime) s)")
                        if settings.resetToInitialPosition { returnToInitialPosition(seconds: 1, rate: 50) }
                        inResetPhase = true
                        resetPhaseEnds = MonotonicClock.seconds + settings.resetTime
                    }
                }
            case .dagger:
                if let event = commands.take() {
                    let effect = dagger.handle(event)
                    switch effect {
                    case .pauseEngine: engine.pause()
                    case .resumeAutonomy:
                        interpolator.reset()
                        engine.reset()
                        engine.resume()
                        lastAction = nil
                    case .startCorrection, .endCorrection, .none: break
                    }
                    if effect != .none { status.line("dagger: \(dagger.phase.rawValue)") }
                }
                phase = dagger.phase.rawValue
                switch dagger.phase {
                case .autonomous:
                    policyTick(engine, &interpolator, &lastAction)
                case .paused:
                    if let lastAction { send(lastAction) } else { report.ticksWithoutAction += 1 }
                case .correcting:
                    if !warnedNoTeleop {
                        status.line("No teleoperator in this build: the arm holds while correcting")
                        warnedNoTeleop = true
                    }
                    report.ticksWithoutAction += 1
                }
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
        if settings.strategy == .episodic { report.episodes = max(report.episodes, episode + (inResetPhase ? 1 : 0)) }
    }

    /// LeRobot's `send_next_action`: notify and pull a policy action when the interpolator needs one, then
    /// send the next interpolated command (or nothing: the arm holds).
    func policyTick(_ engine: RemoteEngine, _ interpolator: inout ActionInterpolator, _ lastAction: inout [Float]?) {
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
    func noteCameras(_ fault: CameraFault?, _ engine: RemoteEngine) {
        guard let fault else {
            if report.cameraFault != nil, report.cameraError == nil {
                status.line("Cameras fresh again: observations resume")
                report.cameraFault = nil
            }
            return
        }
        report.cameraFaultTicks += 1
        if report.cameraFault != fault.message {
            report.cameraFault = fault.message
            status.line("\(fault.message): no observation is sent until it recovers; the buffer plays on, then --inference.fallback")
            logger.warning("\(fault.message)")
        }
        if fault.isTerminal {
            if report.cameraError == nil {
                report.cameraError = fault.message
                status.line("The camera has stopped: the rollout ends once the buffered actions have played out")
            }
            if engine.queueDepth == 0 { shutdown.set() }
        }
    }

    /// Maps ordered action columns to motors and commands the robot (a motor no column names gets NaN:
    /// its goal is left unchanged).
    func send(_ command: [Float]) {
        var positions = [Float](repeating: .nan, count: robot.actionKeys.count)
        for (column, motor) in columnToMotor.enumerated() where column < command.count && motor < positions.count {
            positions[motor] = command[column]
        }
        robot.send(positions)
        report.actionsSent += 1
    }
}

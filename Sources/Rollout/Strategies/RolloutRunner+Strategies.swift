import Foundation
import PolicyWire
import RemoteInference

extension RolloutSession {
    /// One dagger tick: the pending key transition and its hand-over, then the phase's work. Returns the phase name.
    mutating func daggerTick(_ engine: RemoteEngine, _ state: inout LoopState) -> String {
        if let event = commands.take() {
            let effect = state.dagger.handle(event)
            let steps = HandOver.dagger(effect, actuated: teleop?.isActuated, lastAction: lastMotorCommand)
            switch effect {
            case .pauseEngine:
                engine.pause()
            case .resumeAutonomy:
                state.interpolator.reset()
                engine.reset()
                engine.resume()
                state.lastAction = nil
            case .startCorrection:
                // A teleop without a pose of its own starts from the follower's.
                teleop?.align(to: lastMotorCommand ?? robot.observe().positions)
            case .endCorrection, .none:
                break
            }
            if effect != .none { status.line("dagger: \(state.dagger.phase.rawValue)") }
            perform(steps)
            if effect == .resumeAutonomy { lastMotorCommand = nil }
        }
        switch state.dagger.phase {
        case .autonomous:
            policyTick(engine, &state.interpolator, &state.lastAction)
        case .paused:
            if let lastMotorCommand { sendMotors(lastMotorCommand) } else { report.ticksWithoutAction += 1 }
        case .correcting:
            if teleopLink != nil {
                _ = robot.observe()
                if !forwardTeleop() { report.ticksWithoutAction += 1 }
            } else {
                if !state.warnedNoTeleop {
                    status.line("No teleoperator (--teleop.type): the arm holds while correcting")
                    state.warnedNoTeleop = true
                }
                report.ticksWithoutAction += 1
            }
        }
        return state.dagger.phase.rawValue
    }

    /// One episodic tick: key flags, the phase clock, then the policy or the teleop. Returns the phase name, or
    /// nil when all episodes are recorded.
    mutating func episodicTick(_ engine: RemoteEngine, _ state: inout LoopState, now: Double) -> String? {
        for event in commands.takeEpisodic() { state.episodic.handle(event) }
        switch state.episodic.tick(now: now) {
        case .none:
            break
        case .beginReset:
            report.episodes = state.episodic.recorded + 1
            status.line("Reset phase (\(settings.resetTime) s)")
            perform(HandOver.episodicReset(
                actuated: teleop?.isActuated, followerPose: robot.observe().positions,
                resetToInitialPosition: settings.resetToInitialPosition))
            state.episodic.started(at: MonotonicClock.seconds)
        case .beginEpisode(let index, let rerecord):
            report.episodes = state.episodic.recorded
            if rerecord {
                status.line("Re-recording episode \(index + 1)/\(settings.numEpisodes)")
                if teleop == nil, settings.resetToInitialPosition { returnToInitialPosition(seconds: 1, rate: 50) }
            }
            engine.reset()
            state.interpolator.reset()
            engine.resume()
            status.line("Episode \(index + 1)/\(settings.numEpisodes)")
            state.episodic.started(at: MonotonicClock.seconds)
        case .finish:
            report.episodes = state.episodic.recorded
            return nil
        }
        switch state.episodic.phase {
        case .policy:
            policyTick(engine, &state.interpolator, &state.lastAction)
            return "episode \(state.episodic.recorded + 1)"
        case .reset:
            _ = robot.observe()
            _ = forwardTeleop()
            return "reset"
        }
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

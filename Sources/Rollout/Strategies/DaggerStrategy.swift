import PolicyWire
import RemoteInference

/// `dagger`: the policy drives until the operator pauses (space); in the pause the operator may take over
/// (tab) through the teleoperator, and hands back the same way (edge-semantics §4.5).
struct DaggerStrategy: RolloutStrategy {
    var playback: PolicyPlayback
    var phases = DaggerPhases()
    var warnedNoTeleop = false

    mutating func begin(_ session: inout RolloutSession, _ engine: RemoteEngine, now: Double) {
        // Dagger begins with an episode boundary, as LeRobot's strategy does.
        engine.reset()
        playback.restart()
        engine.resume()
    }

    /// The pending key transition and its hand-over, then the phase's work.
    mutating func tick(_ session: inout RolloutSession, _ engine: RemoteEngine, now: Double) -> StrategyTick {
        if let event = session.commands.take() {
            let effect = phases.handle(event)
            let steps = HandOver.dagger(effect, actuated: session.teleop?.isActuated, lastAction: session.lastMotorCommand)
            switch effect {
            case .pauseEngine:
                engine.pause()
            case .resumeAutonomy:
                playback.restart()
                engine.reset()
                engine.resume()
            case .startCorrection:
                // A teleop without a pose of its own starts from the follower's.
                session.teleop?.align(to: session.lastMotorCommand ?? session.robot.observe().positions)
            case .endCorrection, .none:
                break
            }
            if effect != .none { session.status.line("dagger: \(phases.phase.rawValue)") }
            session.perform(steps)
            if effect == .resumeAutonomy { session.lastMotorCommand = nil }
        }
        switch phases.phase {
        case .autonomous:
            playback.tick(&session, engine)
        case .paused:
            if let held = session.lastMotorCommand { session.sendMotors(held) } else { session.report.ticksWithoutAction += 1 }
        case .correcting:
            if session.teleopLink != nil {
                _ = session.robot.observe()
                if !session.forwardTeleop() { session.report.ticksWithoutAction += 1 }
            } else {
                if !warnedNoTeleop {
                    session.status.line("No teleoperator (--teleop.type): the arm holds while correcting")
                    warnedNoTeleop = true
                }
                session.report.ticksWithoutAction += 1
            }
        }
        return .running(phase: phases.phase.rawValue)
    }
}

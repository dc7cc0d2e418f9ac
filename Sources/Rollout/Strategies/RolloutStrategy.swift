import PolicyWire
import RemoteInference

/// A rollout strategy over the shared control loop: the loop paces the ticks, reports status and stops on
/// shutdown or `--duration`; the strategy decides what each tick does. Strategies run on the control thread
/// with the session lent to them for the call.
protocol RolloutStrategy {
    /// Before the first tick.
    mutating func begin(_ session: inout RolloutSession, _ engine: RemoteEngine, now: Double)
    /// One tick: the phase shown in the status line, or `.finished` to end the run.
    mutating func tick(_ session: inout RolloutSession, _ engine: RemoteEngine, now: Double) -> StrategyTick
    /// After the last tick (the engine is already paused).
    mutating func end(_ session: inout RolloutSession)
}

enum StrategyTick: Equatable {
    case running(phase: String?)
    case finished
}

extension RolloutStrategy {
    mutating func end(_ session: inout RolloutSession) {}
}

/// The tick every strategy shares while the policy drives: LeRobot's `send_next_action`. Notifies and pulls a
/// policy action when the interpolator needs one, then sends the next interpolated command (or nothing: the
/// arm holds).
struct PolicyPlayback {
    var interpolator: ActionInterpolator
    /// The last policy command (column order), for the action-step statistics.
    var lastAction: [Float]?

    init(multiplier: Int) {
        interpolator = ActionInterpolator(multiplier: multiplier)
    }

    /// Forgets the interpolation and the last command (an episode boundary, or autonomy resumed).
    mutating func restart() {
        interpolator.reset()
        lastAction = nil
    }

    mutating func tick(_ session: inout RolloutSession, _ engine: RemoteEngine) {
        let frame = session.robot.observe()
        session.noteCameras(frame.cameraFault, engine)
        if interpolator.needsNewAction {
            // Without a fresh frame of every camera no observation goes out: the buffer plays on, then the fallback.
            if frame.cameraFault == nil {
                engine.notifyObservation(
                    RobotObservation(
                        state: frame.positions,
                        cameras: frame.cameras.map { .init(key: "observation.images.\($0.name)", image: $0.image) }))
            } else {
                engine.withdrawObservation()
            }
            if let action = engine.action() { interpolator.add(action) }
        }
        if let command = interpolator.next() {
            session.send(command)
            if let lastAction { session.report.noteActionStep(from: lastAction, to: command) }
            lastAction = command
        } else {
            session.report.ticksWithoutAction += 1
        }
    }
}

/// `base`: the policy drives for the whole run.
struct BaseStrategy: RolloutStrategy {
    var playback: PolicyPlayback

    mutating func begin(_ session: inout RolloutSession, _ engine: RemoteEngine, now: Double) {
        engine.resume()
    }

    mutating func tick(_ session: inout RolloutSession, _ engine: RemoteEngine, now: Double) -> StrategyTick {
        playback.tick(&session, engine)
        return .running(phase: nil)
    }
}

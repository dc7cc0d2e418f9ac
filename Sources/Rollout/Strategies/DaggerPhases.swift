/// The dagger strategy's phases and the only valid transitions (edge-semantics §4.5); anything else is
/// ignored. Pure: the strategy performs the side effects the transition names.
public struct DaggerPhases: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable {
        case autonomous = "AUTONOMOUS"
        case paused = "PAUSED"
        case correcting = "CORRECTING"
    }

    public enum Event: Sendable, Hashable {
        case pauseResume
        case correction
    }

    /// What the strategy must do after a transition.
    public enum Effect: Sendable, Hashable {
        case none
        /// AUTONOMOUS → PAUSED: pause the engine.
        case pauseEngine
        /// → AUTONOMOUS: reset the interpolator and the engine, resume it, forget the last action.
        case resumeAutonomy
        /// PAUSED → CORRECTING: the operator drives the robot.
        case startCorrection
        /// CORRECTING → PAUSED: the correction ends (one intervention episode).
        case endCorrection
    }

    public private(set) var phase: Phase = .autonomous

    public init() {}

    public mutating func handle(_ event: Event) -> Effect {
        switch (phase, event) {
        case (.autonomous, .pauseResume):
            phase = .paused
            return .pauseEngine
        case (.paused, .pauseResume):
            phase = .autonomous
            return .resumeAutonomy
        case (.paused, .correction):
            phase = .correcting
            return .startCorrection
        case (.correcting, .correction):
            phase = .paused
            return .endCorrection
        default:
            return .none
        }
    }

    /// Back to AUTONOMOUS (the strategy's run start).
    public mutating func reset() { phase = .autonomous }

    /// The stdin command for an event: `space`/`p`/`pause`/`resume` toggles pause, `tab`/`c`/`correction`
    /// toggles correction; nil for anything else (`q`/`esc` stop the rollout and are handled by the caller).
    public static func event(forCommand line: String) -> Event? {
        switch line.trimmingSpaces().lowercased() {
        case "", "space", "p", "pause", "resume": return .pauseResume
        case "tab", "c", "correction", "correct": return .correction
        default: return nil
        }
    }
}

/// What a key press means, with LeRobot's bindings (edge-semantics §4.5):
/// - dagger (`DAggerKeyboardConfig`): space = pause_resume, tab = correction, Enter = upload, Esc = stop;
/// - episodic (`init_keyboard_listener`): → ends the episode or the reset phase early, ← re-records the
///   episode (here: restarts it), Esc stops the session;
/// - with `--teleop.type=keyboard`, the joint-jog keys of ``KeyboardJog`` (letters only, so that they never
///   collide with the keys above).
public enum OperatorAction: Sendable, Hashable {
    case dagger(DaggerPhases.Event)
    case episodic(EpisodicPhases.Event)
    /// Enter in dagger: LeRobot pushes the dataset; this build records none, so it only says so.
    case upload
    /// Esc: stop the rollout (the shutdown event).
    case stop
    /// Jog `joint` (motor index) by `direction` (+1 / −1) steps.
    case jog(joint: Int, direction: Int)
}

public enum KeyBindings {
    /// The action of `key` for `strategy`; nil when the key means nothing there. `jog`: the keyboard
    /// teleop's letters are live.
    public static func action(for key: Key, strategy: RolloutSettings.Strategy, jog: Bool) -> OperatorAction? {
        if key == .escape { return .stop }
        switch (strategy, key) {
        case (.dagger, .space): return .dagger(.pauseResume)
        case (.dagger, .tab): return .dagger(.correction)
        case (.dagger, .enter): return .upload
        case (.episodic, .right): return .episodic(.exitEarly)
        case (.episodic, .left): return .episodic(.rerecord)
        case (_, .character(let c)) where jog:
            return KeyboardJog.binding(c).map { .jog(joint: $0.joint, direction: $0.direction) }
        default: return nil
        }
    }
}

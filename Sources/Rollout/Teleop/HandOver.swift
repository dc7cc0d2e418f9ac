/// The teleoperator hand-overs of LeRobot's dagger and episodic strategies (edge-semantics §4.5), as a pure
/// plan of steps the control loop performs in order.
public enum HandOver {
    public enum Step: Sendable, Hashable {
        /// Leader torque on (true) or off.
        case leaderTorque(Bool)
        /// `teleop_smooth_move_to`: torque on, then the leader moves linearly from its pose to `target` (2 s at
        /// 30 Hz, 61 goal writes; NaN targets keep the leader's value).
        case moveLeader(to: [Float])
        /// `follower_smooth_move_to`: the follower slides from `from` to the teleop's current pose (1 s at 30 Hz,
        /// 31 sends including t = 0). The keyboard jog is first aligned to `from`.
        case slideFollower(from: [Float])
        /// No teleop: back to the initial position over 1 s (episodic `reset_to_initial_position`).
        case returnToInitialPosition
    }

    /// The steps of a dagger transition. `lastAction`: the follower's last command (motor order), nil when
    /// none was sent since the last AUTONOMOUS start.
    public static func dagger(_ effect: DaggerPhases.Effect, actuated: Bool?, lastAction: [Float]?) -> [Step] {
        guard let actuated else { return [] }
        switch effect {
        case .pauseEngine:
            // AUTONOMOUS → PAUSED: the leader is driven to the follower so the operator takes over without a jerk.
            guard actuated, let lastAction else { return [] }
            return [.moveLeader(to: lastAction)]
        case .startCorrection:
            // PAUSED → CORRECTING: a leader is released to the operator's hand; a non-actuated teleop cannot be
            // driven, so the follower is slid to it instead.
            if actuated { return [.leaderTorque(false)] }
            return lastAction.map { [.slideFollower(from: $0)] } ?? []
        case .endCorrection:
            // CORRECTING → PAUSED: the leader holds its pose again.
            return actuated ? [.leaderTorque(true)] : []
        case .resumeAutonomy:
            // → AUTONOMOUS: the leader is released before the policy resumes.
            return actuated ? [.leaderTorque(false)] : []
        case .none:
            return []
        }
    }

    /// The steps at the start of an episodic reset phase: with an actuated leader, move it to the follower's
    /// pose and release it; with another teleop, slide the follower to the teleop; without one, return to the
    /// initial position if `resetToInitialPosition`.
    public static func episodicReset(actuated: Bool?, followerPose: [Float], resetToInitialPosition: Bool) -> [Step] {
        switch actuated {
        case true?: [.moveLeader(to: followerPose), .leaderTorque(false)]
        case false?: [.slideFollower(from: followerPose)]
        case nil: resetToInitialPosition ? [.returnToInitialPosition] : []
        }
    }

    /// One point of a linear move: `from·(1 − t) + to·t`; a NaN target keeps `from` (LeRobot interpolates only
    /// the keys the target has).
    public static func interpolate(_ from: [Float], _ to: [Float], _ t: Float) -> [Float] {
        zip(from, to).map { a, b in b.isNaN ? a : (a.isNaN ? b : a * (1 - t) + b * t) }
    }
}

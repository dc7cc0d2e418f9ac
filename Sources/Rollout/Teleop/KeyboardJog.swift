import Synchronization

/// `--teleop.type=keyboard` for an SO arm: a joint jog. LeRobot's `keyboard` teleop returns the set of keys
/// held (`{key: None}`), which an SO follower ignores (it takes only `<motor>.pos` keys), so it cannot move the
/// arm; a terminal also reports presses, not releases. Ours therefore jogs joint targets instead: each press
/// (and each auto-repeat while held) moves one joint by ``step`` (degrees; gripper percent).
///
/// | joint | + | − |
/// |---|---|---|
/// | shoulder_pan | q | a |
/// | shoulder_lift | w | s |
/// | elbow_flex | e | d |
/// | wrist_flex | r | f |
/// | wrist_roll | t | g |
/// | gripper | y | h |
///
/// It has no pose of its own: at each hand-over it starts from the follower's (``align(to:)``). Not actuated.
/// The keys arrive from the terminal thread; the control thread reads ``action()``.
public final class KeyboardJog: Teleoperator, Sendable {
    public let teleopType = "keyboard"
    public let step: Float
    private let pose = Mutex<[Float]>([])

    static let plus: [Character] = ["q", "w", "e", "r", "t", "y"]
    static let minus: [Character] = ["a", "s", "d", "f", "g", "h"]

    public init(step: Float = 2) { self.step = step }

    /// The joint and direction a letter jogs, if any.
    public static func binding(_ c: Character) -> (joint: Int, direction: Int)? {
        if let joint = plus.firstIndex(of: c) { return (joint, 1) }
        if let joint = minus.firstIndex(of: c) { return (joint, -1) }
        return nil
    }

    /// One jog step; ignored before the first hand-over (there is no pose to move yet).
    public func jog(joint: Int, direction: Int) {
        pose.withLock { pose in
            guard joint < pose.count, pose[joint].isFinite else { return }
            let value = pose[joint] + Float(direction) * step
            pose[joint] = joint == 5 ? min(max(value, 0), 100) : value
        }
    }

    public func connect() throws(RolloutError) {}
    public func action() -> [Float] { pose.withLock { $0 } }
    public func align(to followerPose: [Float]) { pose.withLock { $0 = followerPose } }
    public func disconnect() {}
}

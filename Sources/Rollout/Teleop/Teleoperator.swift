/// A teleoperator (LeRobot's `Teleoperator`, `--teleop.type`): what drives the follower while the operator
/// corrects (dagger) or resets the scene (episodic). Used from the control thread only.
public protocol Teleoperator: AnyObject {
    /// `--teleop.type`.
    var teleopType: String { get }
    /// An actuated leader (LeRobot: non-empty `feedback_features` and `enable_torque`/`disable_torque`): it can
    /// be moved to the follower's pose before the operator takes it.
    var isActuated: Bool { get }
    func connect() throws(RolloutError)
    /// The operator's command: goal positions in the follower's `.pos` order (``SimulatedArm/actionKeys``);
    /// NaN leaves that motor's goal unchanged.
    func action() -> [Float]
    /// Actuated leaders: torque on / off (the operator cannot move / can move the arm by hand).
    func enableTorque()
    func disableTorque()
    /// Actuated leaders: command goal positions (`send_feedback`), in the same order as ``action()``.
    func sendFeedback(_ positions: [Float])
    /// A teleop with no pose of its own (the keyboard jog) starts from the follower's pose here, at each
    /// hand-over; leaders ignore it.
    func align(to followerPose: [Float])
    func disconnect()
}

extension Teleoperator {
    public var isActuated: Bool { false }
    public func enableTorque() {}
    public func disableTorque() {}
    public func sendFeedback(_ positions: [Float]) {}
    public func align(to followerPose: [Float]) {}
}

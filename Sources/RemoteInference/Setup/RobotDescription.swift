/// What the engine needs to know about the robot and the rollout: identity, rate, the features it sends
/// and the order of the action columns.
public struct RobotDescription: Sendable, Hashable {
    /// `robot_type` in the session open (`so100_follower`, `sim`, ...).
    public var robotType: String
    /// Policy actions per second (`--fps`).
    public var fps: Double
    /// The order in which chunk columns map to motors (`ordered_action_keys`).
    public var orderedActionKeys: [String]
    /// Length of `observation.state`.
    public var stateDim: Int
    /// Full camera feature keys as the robot names them (`observation.images.front`), before the rename map.
    public var cameraKeys: [String]
    /// `--rename_map`: full observation key → the key the policy expects.
    public var renameMap: [String: String]
    /// The language instruction (`--task`).
    public var task: String

    public init(
        robotType: String, fps: Double, orderedActionKeys: [String], stateDim: Int, cameraKeys: [String],
        renameMap: [String: String] = [:], task: String = ""
    ) {
        self.robotType = robotType
        self.fps = fps
        self.orderedActionKeys = orderedActionKeys
        self.stateDim = stateDim
        self.cameraKeys = cameraKeys
        self.renameMap = renameMap
        self.task = task
    }

    /// Camera keys after the rename map: what the server sees.
    public var wireCameraKeys: [String] { cameraKeys.map { renameMap[$0] ?? $0 } }

    /// LeRobot's action ordering (edge-semantics §4.3.4): the policy's `action_feature_names` when it has the
    /// robot's `.pos` keys exactly (as a set, same count), else the robot's own order. Returns the order and a
    /// warning when it fell back.
    public static func orderedActionKeys(policy: PolicyDescription, robotActionKeys: [String]) -> (keys: [String], warning: String?) {
        let names = policy.actionFeatureNames
        if names.isEmpty {
            return (robotActionKeys, "policy config has no action_feature_names; using the robot's action order")
        }
        guard names.count == robotActionKeys.count, Set(names) == Set(robotActionKeys) else {
            return (
                robotActionKeys,
                "policy action_feature_names \(names) do not match the robot's action keys \(robotActionKeys); using the robot's order"
            )
        }
        return (names, nil)
    }

    /// LeRobot's visual-feature check (edge-semantics §4.3.5), only without a rename map: the policy's visual
    /// features and the robot's cameras must be one a subset of the other.
    public static func checkCameras(policy: PolicyDescription, cameraKeys: [String], renameMap: [String: String])
        throws(RemoteInferenceError)
    {
        guard renameMap.isEmpty else { return }
        let expected = Set(policy.visualFeatures)
        let provided = Set(cameraKeys)
        guard expected.isSubset(of: provided) || provided.isSubset(of: expected) else {
            throw RemoteInferenceError(
                .visualMismatch,
                "Visual feature mismatch between the policy and --robot.cameras: policy expects \(policy.visualFeatures.sorted()), "
                    + "robot provides \(cameraKeys.sorted()) (fix --robot.cameras or pass --rename_map)")
        }
    }
}

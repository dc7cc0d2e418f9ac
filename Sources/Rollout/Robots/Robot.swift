public import Cameras
public import RemoteInference

/// What the rollout reads from a robot each tick: `.pos` joint values in `actionKeys` order, and the latest
/// frame of each camera.
public struct RobotFrame: Sendable {
    public var positions: [Float]
    /// Camera frames by camera name (`front`), in the configured order.
    public var cameras: [(name: String, image: CameraImage)]
    /// A camera that could not give a fresh frame (the frame then lacks it): no observation is sent this tick.
    public var cameraFault: CameraFault?

    public init(positions: [Float], cameras: [(name: String, image: CameraImage)] = [], cameraFault: CameraFault? = nil) {
        self.positions = positions
        self.cameras = cameras
        self.cameraFault = cameraFault
    }
}

/// A robot the control loop drives (LeRobot's `Robot`, position-controlled): connect, read, command,
/// disconnect. Used from the control thread only.
public protocol Robot: AnyObject {
    /// `robot_type` in the session open.
    var robotType: String { get }
    /// `<motor>.pos`, in motor order.
    var actionKeys: [String] { get }
    /// The configured cameras.
    var cameras: [CameraConfiguration] { get }
    func connect() throws(RolloutError)
    func observe() -> RobotFrame
    /// Commands goal positions (in `actionKeys` order).
    func send(_ positions: [Float])
    func disconnect()
}

public import Cameras
import RemoteInference

/// A robot with real cameras (`type: opencv`): the arm's own reading plus the newest frame of each camera, each
/// camera read by its own ``CameraReader`` thread. MJPEG pass-through frames go on as the camera's JPEG bytes.
///
/// The arm is any ``Robot`` (an SO follower, or the simulated arm with its `type: sim` cameras); camera frames
/// are merged into its observation in `--robot.cameras` order.
public final class CameraRobot: Robot {
    public let arm: any Robot
    public let readers: [CameraReader]
    /// Every configured camera, `sim` ones included, in flag order.
    public let cameras: [CameraConfiguration]
    /// LeRobot's `read_latest(max_age_ms)`: an older frame is a fault.
    public let maxAgeMs: Double

    public init(arm: any Robot, cameras: [CameraConfiguration], readers: [CameraReader], maxAgeMs: Double = 500) {
        self.arm = arm
        self.cameras = cameras
        self.readers = readers
        self.maxAgeMs = maxAgeMs
    }

    public var robotType: String { arm.robotType }
    public var actionKeys: [String] { arm.actionKeys }

    /// The arm, then each camera (warm-up included); a camera that cannot start stops everything started.
    public func connect() throws(RolloutError) {
        try arm.connect()
        for (index, reader) in readers.enumerated() {
            do {
                try reader.connect()
            } catch {
                for started in readers[..<index] { started.disconnect() }
                arm.disconnect()
                throw RolloutError(.robot, error.message)
            }
        }
    }

    public func observe() -> RobotFrame {
        var frame = arm.observe()
        var images: [String: CameraImage] = [:]
        for (name, image) in frame.cameras { images[name] = image }
        for reader in readers {
            let camera = reader.configuration
            do {
                let latest = try reader.readLatest(maxAgeMs: maxAgeMs)
                if let jpeg = latest.jpeg {
                    images[camera.name] = .jpeg(jpeg, width: camera.width, height: camera.height)
                } else if let image = latest.image {
                    images[camera.name] = .pixels(image)
                }
            } catch {
                let fault = CameraFault(camera: camera.name, code: error.code, message: error.message)
                if frame.cameraFault == nil || fault.isTerminal { frame.cameraFault = fault }
            }
        }
        frame.cameras = cameras.compactMap { camera in images[camera.name].map { (camera.name, $0) } }
        return frame
    }

    public func send(_ positions: [Float]) { arm.send(positions) }

    public func disconnect() {
        for reader in readers { reader.disconnect() }
        arm.disconnect()
    }

    /// Each camera's delivery path, for the status line (`front: MJPEG pass-through (camera JPEG forwarded)`).
    public var deliveryDescriptions: [String] { readers.map(\.deliveryDescription) }
}

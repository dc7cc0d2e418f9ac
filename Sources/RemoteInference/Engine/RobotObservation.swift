public import PolicyWire

/// The latest processed robot observation handed to the engine: joint state and camera frames by full
/// feature key (`observation.images.front`, before the rename map). Images stay raw here; the engine's
/// worker JPEG-encodes them off the control thread.
public struct RobotObservation: Sendable {
    public struct Camera: Sendable {
        public var key: String
        public var image: RGBImage

        public init(key: String, image: RGBImage) {
            self.key = key
            self.image = image
        }
    }

    /// `observation.state` values, in the robot's motor order.
    public var state: [Float]
    public var cameras: [Camera]

    public init(state: [Float], cameras: [Camera] = []) {
        self.state = state
        self.cameras = cameras
    }
}

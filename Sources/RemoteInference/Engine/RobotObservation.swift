public import NIOCore
public import PolicyWire

/// A camera frame as the robot hands it over: pixels (encoded on the worker at `jpeg_quality`), or the
/// camera's own JPEG bytes (MJPEG pass-through: forwarded as they are, never decoded or re-encoded on the robot).
public enum CameraImage: Sendable {
    case pixels(RGBImage)
    /// The camera's JPEG bytes of a `width`×`height` RGB image.
    case jpeg(ByteBuffer, width: Int, height: Int)

    public var width: Int {
        switch self {
        case .pixels(let image): image.width
        case .jpeg(_, let width, _): width
        }
    }

    public var height: Int {
        switch self {
        case .pixels(let image): image.height
        case .jpeg(_, _, let height): height
        }
    }
}

/// The latest processed robot observation handed to the engine: joint state and camera frames by full
/// feature key (`observation.images.front`, before the rename map). Pixels stay raw here; the engine's
/// worker JPEG-encodes them off the control thread (camera JPEG bytes go out as they are).
public struct RobotObservation: Sendable {
    public struct Camera: Sendable {
        public var key: String
        public var image: CameraImage

        public init(key: String, image: CameraImage) {
            self.key = key
            self.image = image
        }

        public init(key: String, image: RGBImage) {
            self.init(key: key, image: .pixels(image))
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

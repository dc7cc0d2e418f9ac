/// One entry of `--robot.cameras`, as LeRobot's `OpenCVCameraConfig` defines it:
/// `{type: opencv, index_or_path: 0, width: 640, height: 480, fps: 30}`.
///
/// `width` and `height` describe the image delivered to the policy: with `rotation` ±90 the camera captures
/// `height`×`width` and the reader rotates it.
public struct CameraConfiguration: Sendable, Hashable {
    /// `opencv` (a real device, file or stream, read through FFmpeg) or `sim` (a simulated camera).
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case opencv
        case sim
    }

    public enum ColorMode: String, Sendable, Hashable, CaseIterable {
        case rgb
        case bgr
    }

    /// Clockwise rotation in degrees, as LeRobot's `Cv2Rotation` (`-90` is `ROTATE_90_COUNTERCLOCKWISE`).
    public enum Rotation: Int, Sendable, Hashable, CaseIterable {
        case none = 0
        case clockwise90 = 90
        case upsideDown = 180
        case counterClockwise90 = -90

        /// Whether the capture size is the delivered size transposed.
        public var swapsSides: Bool { self == .clockwise90 || self == .counterClockwise90 }
    }

    /// LeRobot's `backend` (OpenCV `cv2.CAP_*`). We read everything through FFmpeg, so only the backends whose
    /// behaviour that matches are accepted: `ANY` (0), `V4L2` (200, devices only) and `FFMPEG` (1900).
    public enum Backend: String, Sendable, Hashable, CaseIterable {
        case any = "ANY"
        case v4l2 = "V4L2"
        case ffmpeg = "FFMPEG"

        /// OpenCV's integer for this backend.
        public var openCVValue: Int {
            switch self {
            case .any: 0
            case .v4l2: 200
            case .ffmpeg: 1900
            }
        }
    }

    /// The camera's name (`front`): its feature key is `observation.images.<name>`.
    public var name: String
    public var type: Kind
    /// A device index (`0` is `/dev/video0`), a `/dev/video*` path, a video file or a stream URL.
    public var indexOrPath: String
    /// Delivered width, after rotation.
    public var width: Int
    /// Delivered height, after rotation.
    public var height: Int
    public var fps: Double
    public var colorMode: ColorMode
    public var rotation: Rotation
    /// Seconds of frames read and discarded at connect (auto-exposure settles).
    public var warmupS: Double
    /// The four-character pixel format asked of a device (`MJPG`, `YUYV`), or nil to let negotiation choose.
    public var fourcc: String?
    public var backend: Backend
    /// Our extension (not in LeRobot): `mjpeg_passthrough: false` decodes MJPEG on the robot and re-encodes it for the
    /// wire, as LeRobot's robots do, instead of forwarding the camera's JPEG bytes.
    public var mjpegPassthrough: Bool

    public init(
        name: String, type: Kind = .opencv, indexOrPath: String, width: Int, height: Int, fps: Double,
        colorMode: ColorMode = .rgb, rotation: Rotation = .none, warmupS: Double = 1, fourcc: String? = nil,
        backend: Backend = .any, mjpegPassthrough: Bool = true
    ) {
        self.name = name
        self.type = type
        self.indexOrPath = indexOrPath
        self.width = width
        self.height = height
        self.fps = fps
        self.colorMode = colorMode
        self.rotation = rotation
        self.warmupS = warmupS
        self.fourcc = fourcc
        self.backend = backend
        self.mjpegPassthrough = mjpegPassthrough
    }

    /// `observation.images.<name>`.
    public var featureKey: String { "observation.images.\(name)" }

    /// What the camera is asked to capture, before rotation.
    public var captureSize: (width: Int, height: Int) {
        rotation.swapsSides ? (height, width) : (width, height)
    }

    /// Where frames come from, resolved from `indexOrPath`.
    public var input: CameraInput { CameraInput(indexOrPath) }

    /// `camera 'front' (/dev/video0)`, the prefix of every runtime message.
    public var label: String { "camera '\(name)' (\(input.path))" }
}

/// Where a camera's frames come from.
public enum CameraInput: Sendable, Hashable {
    /// A V4L2 device such as `/dev/video0`.
    case device(String)
    /// A video file; it stands in for a live camera and is paced at its own frame rate.
    case file(String)
    /// A network stream (`rtsp://`, `http://`, `tcp://`, ...); live, not paced.
    case stream(String)

    /// `0` → `/dev/video0`; `/dev/video*` → a device; `scheme://...` → a stream; anything else → a file.
    public init(_ indexOrPath: String) {
        if let index = Int(indexOrPath), index >= 0 {
            self = .device("/dev/video\(index)")
        } else if indexOrPath.hasPrefix("/dev/") {
            self = .device(indexOrPath)
        } else if indexOrPath.hasPrefix("file:") {
            self = .file(String(indexOrPath.dropFirst(5)))
        } else if indexOrPath.contains("://") {
            self = .stream(indexOrPath)
        } else {
            self = .file(indexOrPath)
        }
    }

    /// The device path, file path or URL.
    public var path: String {
        switch self {
        case .device(let path), .file(let path), .stream(let path): path
        }
    }
}

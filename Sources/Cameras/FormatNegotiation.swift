/// One pixel format, size and its frame rates, as a V4L2 device offers them.
public struct DeviceFormat: Sendable, Hashable {
    /// The V4L2 four-character code (`MJPG`, `YUYV`, ...).
    public var fourcc: String
    public var width: Int
    public var height: Int
    /// Frame rates offered at this size, in the device's order.
    public var fps: [Double]

    public init(fourcc: String, width: Int, height: Int, fps: [Double]) {
        self.fourcc = fourcc
        self.width = width
        self.height = height
        self.fps = fps
    }
}

/// What a device was asked for and what it will be opened with.
public struct NegotiatedFormat: Sendable, Hashable {
    public var fourcc: String
    public var width: Int
    public var height: Int
    public var fps: Double
}

/// Chooses a device format for a camera, purely: the request against the formats the device offers.
public enum FormatNegotiation {
    /// Two frame rates agree when within this fraction (29.97 answers a request for 30).
    public static let fpsTolerance = 0.01

    /// The format to open `configuration`'s device with, from `offered` (in the device's preference order).
    ///
    /// The exact capture size (after rotation) is required, and a rate within ``fpsTolerance``. With a `fourcc`
    /// only that format is acceptable; without one MJPEG is preferred (it allows pass-through), then the device's
    /// first. Otherwise the refusal lists what the device offers.
    public static func choose(for configuration: CameraConfiguration, offered: [DeviceFormat]) throws(CameraError)
        -> NegotiatedFormat
    {
        let (width, height) = configuration.captureSize
        let wanted = configuration.fourcc
        let fitting = offered.filter { format in
            format.width == width && format.height == height
                && (wanted == nil || format.fourcc == wanted)
                && format.fps.contains { fpsMatches($0, configuration.fps) }
        }
        let pick = fitting.first { $0.fourcc == "MJPG" } ?? fitting.first
        if let pick, let rate = pick.fps.first(where: { fpsMatches($0, configuration.fps) }) {
            return NegotiatedFormat(fourcc: pick.fourcc, width: width, height: height, fps: rate)
        }
        let asked = (wanted.map { "\($0) " } ?? "") + "\(width)×\(height) at \(formatFPS(configuration.fps)) fps"
        let fields = wanted == nil ? "width/height/fps" : "fourcc/width/height/fps"
        let offers = offered.isEmpty ? "it offers no video capture format" : "it offers \(describe(offered))"
        throw CameraError(
            .formatMismatch,
            "\(configuration.label) cannot deliver \(asked): \(offers) (--robot.cameras \(configuration.name).\(fields))")
    }

    /// Checks what FFmpeg reports for an opened input against the request: the exact capture size, and a rate
    /// within ``fpsTolerance`` when the input reports one (raw network MJPEG has no rate: `fps` is nil).
    public static func check(_ info: StreamInfo, for configuration: CameraConfiguration) throws(CameraError) {
        let (width, height) = configuration.captureSize
        guard info.width == width, info.height == height else {
            throw CameraError(
                .formatMismatch,
                "\(configuration.label) delivers \(info.width)×\(info.height), but --robot.cameras asks "
                    + "\(width)×\(height)"
                    + (configuration.rotation.swapsSides ? " (rotation \(configuration.rotation.rawValue) swaps width and height)" : ""))
        }
        if let fps = info.fps, !fpsMatches(fps, configuration.fps) {
            throw CameraError(
                .formatMismatch,
                "\(configuration.label) delivers \(formatFPS(fps)) fps, but --robot.cameras asks "
                    + "\(configuration.name).fps=\(formatFPS(configuration.fps))")
        }
    }

    static func fpsMatches(_ offered: Double, _ requested: Double) -> Bool {
        abs(offered - requested) <= fpsTolerance * requested
    }

    /// `MJPG 640×480@30, 320×240@30; YUYV 640×480@30`: formats grouped by fourcc, in the device's order.
    static func describe(_ offered: [DeviceFormat]) -> String {
        var order: [String] = []
        var sizes: [String: [String]] = [:]
        for format in offered {
            if sizes[format.fourcc] == nil { order.append(format.fourcc) }
            let rates = format.fps.map(formatFPS).joined(separator: "/")
            sizes[format.fourcc, default: []].append("\(format.width)×\(format.height)@\(rates)")
        }
        return order.map { "\($0) \(sizes[$0]!.joined(separator: ", "))" }.joined(separator: "; ")
    }

    /// `30`, `29.97`, `7.5`.
    static func formatFPS(_ fps: Double) -> String {
        let rounded = (fps * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}

/// Names of pixel formats in V4L2 (fourcc) and FFmpeg (`input_format`) terms.
public enum PixelFormatName {
    private static let table: [(fourcc: String, ffmpeg: String)] = [
        ("MJPG", "mjpeg"), ("JPEG", "mjpeg"), ("YUYV", "yuyv422"), ("YUY2", "yuyv422"), ("UYVY", "uyvy422"),
        ("NV12", "nv12"), ("YU12", "yuv420p"), ("I420", "yuv420p"), ("RGB3", "rgb24"), ("BGR3", "bgr24"),
        ("GREY", "gray"), ("H264", "h264"),
    ]

    /// The fourccs `--robot.cameras ...fourcc` accepts.
    public static var knownFourCCs: [String] { table.map(\.fourcc) }

    /// FFmpeg's v4l2 `input_format` for a fourcc (`MJPG` → `mjpeg`, `YUYV` → `yuyv422`).
    public static func ffmpegName(ofFourCC fourcc: String) -> String? {
        table.first { $0.fourcc == fourcc.uppercased() }?.ffmpeg
    }
}

public import NIOCore
public import PolicyWire

/// The newest frame of one camera.
///
/// Exactly one of ``jpeg`` and ``image`` is set: pass-through frames carry the camera's own JPEG bytes (with
/// the standard Huffman tables inserted when the camera left them out), decoded frames carry pixels.
public struct CameraFrame: Sendable {
    /// The camera's name.
    public let camera: String
    /// When the frame was read, in monotonic seconds (`CLOCK_MONOTONIC`).
    public let timestamp: Double
    /// 0 for the first frame read after connect (warm-up frames included), then 1, 2, ...
    public let sequence: UInt64
    /// MJPEG pass-through: the camera's JPEG, at the delivered size, RGB. Not decoded on the read thread.
    public let jpeg: ByteBuffer?
    /// Decode path: pixels at the delivered size, rotated; channels in BGR order when `color_mode` is bgr.
    public let image: RGBImage?

    init(camera: String, timestamp: Double, sequence: UInt64, jpeg: ByteBuffer?, image: RGBImage?) {
        self.camera = camera
        self.timestamp = timestamp
        self.sequence = sequence
        self.jpeg = jpeg
        self.image = image
    }

    /// The frame's pixels: ``image`` as it is, or ``jpeg`` decoded now with libjpeg-turbo (on the caller's
    /// thread, only when someone needs pixels).
    public func rgb() throws(CameraError) -> RGBImage {
        if let image { return image }
        guard let jpeg else { throw CameraError(.decodeFailed, "camera '\(camera)': frame holds no image") }
        do throws(PolicyWireError) {
            return try JPEGDecoder().decode(jpeg)
        } catch {
            throw CameraError(.decodeFailed, "camera '\(camera)': cannot decode its JPEG frame: \(error.message)")
        }
    }
}

/// Rotation and channel order applied to decoded frames, in Swift (pure, tested against rotated references).
enum FrameTransform {
    /// `image` rotated clockwise by `rotation` and, for `.bgr`, with red and blue swapped.
    static func apply(
        _ image: RGBImage, rotation: CameraConfiguration.Rotation, colorMode: CameraConfiguration.ColorMode
    ) -> RGBImage {
        if rotation == .none && colorMode == .rgb { return image }
        let (w, h) = (image.width, image.height)
        let (outW, outH) = rotation.swapsSides ? (h, w) : (w, h)
        let swap = colorMode == .bgr
        let source = image.pixels
        let pixels = [UInt8](unsafeUninitializedCapacity: w * h * 3) { out, initialized in
            for y in 0..<h {
                for x in 0..<w {
                    let (ox, oy): (Int, Int)
                    switch rotation {
                    case .none: (ox, oy) = (x, y)
                    case .clockwise90: (ox, oy) = (h - 1 - y, x)
                    case .upsideDown: (ox, oy) = (w - 1 - x, h - 1 - y)
                    case .counterClockwise90: (ox, oy) = (y, w - 1 - x)
                    }
                    let from = (y * w + x) * 3
                    let to = (oy * outW + ox) * 3
                    out[to] = source[from + (swap ? 2 : 0)]
                    out[to + 1] = source[from + 1]
                    out[to + 2] = source[from + (swap ? 0 : 2)]
                }
            }
            initialized = w * h * 3
        }
        // Same byte count and sides within bounds: cannot fail.
        return try! RGBImage(width: outW, height: outH, pixels: pixels)
    }
}

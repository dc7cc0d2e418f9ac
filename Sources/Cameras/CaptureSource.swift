public import NIOCore
public import PolicyWire

/// What an opened input reports about its video stream.
public struct StreamInfo: Sendable, Hashable {
    public var width: Int
    public var height: Int
    /// Frames per second, or nil when the input does not know (raw MJPEG over the network).
    public var fps: Double?
    /// FFmpeg's codec name: `mjpeg`, `rawvideo`, `h264`, ...
    public var codec: String
    /// FFmpeg's pixel format name: `yuvj422p`, `yuyv422`, `rgb24`, ... (`unknown` when not reported).
    public var pixelFormat: String

    public init(width: Int, height: Int, fps: Double?, codec: String, pixelFormat: String) {
        self.width = width
        self.height = height
        self.fps = fps
        self.codec = codec
        self.pixelFormat = pixelFormat
    }

    /// Packets are whole JPEG images.
    public var isMJPEG: Bool { codec == "mjpeg" }
}

/// How a source hands frames over.
public enum CaptureDelivery: Sendable, Hashable {
    /// MJPEG packets as they arrived, never decoded.
    case passThrough
    /// Decoded and converted to RGB24 at the stream's size.
    case decode
}

/// One frame from a source: the camera's JPEG bytes (pass-through) or RGB pixels at the capture size.
public enum CapturedPacket: Sendable {
    case jpeg(ByteBuffer)
    case image(RGBImage)
}

/// The seam between a ``CameraReader`` and where frames come from. ``FFmpegSource`` is the real one.
///
/// `open`, `next` and `close` are called from one thread at a time (the reader's); `interrupt` may be called
/// from any thread and must make a blocked `next` return soon.
public protocol CaptureSource: AnyObject, Sendable {
    /// Opens the input and reports its stream.
    func open() throws(CameraError) -> StreamInfo
    /// Blocks until the next frame. `.readFailed` is one bad frame; `.ended` means no frame will ever come.
    func next(_ delivery: CaptureDelivery) throws(CaptureFailure) -> CapturedPacket
    /// Makes a blocked or later `next` fail with `.ended` soon.
    func interrupt()
    /// Releases the input. Idempotent.
    func close()
}

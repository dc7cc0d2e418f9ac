/// Why a camera could not be configured, opened or read.
///
/// Messages name the camera and its input (`camera 'front' (/dev/video0): ...`) or, for configuration
/// errors, the flag and field at fault (`--robot.cameras: front.rotation ...`).
public struct CameraError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of failure; bounded, so safe as a metric label.
    public enum Code: String, Sendable, Hashable, CustomStringConvertible {
        /// A `--robot.cameras` field is missing, unknown or out of range.
        case invalidConfiguration = "invalid configuration"
        /// The device, file or stream could not be opened (missing, no permission, no video stream...).
        case cannotOpen = "cannot open"
        /// The device is opened by another program (EBUSY).
        case busy
        /// The input cannot deliver the requested size, frame rate or pixel format.
        case formatMismatch = "format mismatch"
        /// The camera stopped: too many consecutive read errors, or its stream ended.
        case ended
        /// No frame arrived in time (at connect, or a frame older than `maxAgeMs`).
        case timeout
        /// The camera has not delivered a frame yet.
        case noFrame = "no frame"
        /// `readLatest` was called before `connect` or after `disconnect`.
        case notConnected = "not connected"
        /// A frame could not be decoded to pixels.
        case decodeFailed = "decode failed"

        public var description: String { rawValue }
    }

    public var code: Code
    /// A sentence a robot operator can act on.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// `camera 'front' (/dev/video0): <what>`.
    static func camera(_ code: Code, _ configuration: CameraConfiguration, _ what: String) -> CameraError {
        CameraError(code, "\(configuration.label): \(what)")
    }
}

/// A read that did not produce a frame, as a ``CaptureSource`` reports it.
public enum CaptureFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// This frame failed (a corrupt packet, a decode error); later reads may succeed.
    case readFailed(String)
    /// The stream is over (end of file, the server closed the connection, the source was interrupted).
    case ended(String)

    public var description: String {
        switch self {
        case .readFailed(let message), .ended(let message): message
        }
    }
}

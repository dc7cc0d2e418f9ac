/// The pure core of one camera's background reader: events in (with monotonic time in seconds), actions out.
///
/// It keeps only the newest frame. Ten consecutive read errors end the camera (a success resets the count);
/// a stream that ends ends it too. `CameraReader` owns the thread and the source and performs the actions.
public struct CameraReaderState<Frame: Sendable>: Sendable {
    /// Consecutive read errors that end a camera.
    public static var maxConsecutiveErrors: Int { 10 }

    public enum Phase: Sendable, Hashable {
        case running
        /// The camera stopped by itself; the error says why.
        case ended(CameraError)
        /// `disconnect` was called.
        case stopped
    }

    /// What the read loop must do next.
    public enum Action: Sendable, Hashable {
        case keepReading
        /// Log this error (the `count`th in a row), then keep reading.
        case warnAndKeepReading(count: Int, message: String)
        /// Leave the loop; log `error` when there is one.
        case stopReading(CameraError?)
    }

    /// `camera 'front' (/dev/video0)`, the prefix of messages.
    public let label: String
    public private(set) var phase: Phase = .running
    public private(set) var latest: (frame: Frame, at: Double)?
    public private(set) var consecutiveErrors = 0
    public private(set) var lastError: String?
    public private(set) var framesRead: UInt64 = 0

    public init(label: String) { self.label = label }

    /// A frame was read at `now`: it replaces the previous one.
    public mutating func frameArrived(_ frame: Frame, at now: Double) -> Action {
        guard phase == .running else { return .stopReading(nil) }
        latest = (frame, now)
        framesRead += 1
        consecutiveErrors = 0
        return .keepReading
    }

    /// One read failed (a corrupt packet, a decode error).
    public mutating func readFailed(_ message: String) -> Action {
        guard phase == .running else { return .stopReading(nil) }
        consecutiveErrors += 1
        lastError = message
        if consecutiveErrors >= Self.maxConsecutiveErrors {
            return end(
                CameraError(
                    .ended,
                    "\(label): \(consecutiveErrors) consecutive read errors, camera stopped; last: \(message)"))
        }
        return .warnAndKeepReading(count: consecutiveErrors, message: message)
    }

    /// The source will deliver no more frames.
    public mutating func sourceEnded(_ message: String) -> Action {
        guard phase == .running else { return .stopReading(nil) }
        return end(CameraError(.ended, "\(label): stream ended (\(message))"))
    }

    /// `disconnect` was called. Returns whether the camera was still running.
    public mutating func stopRequested() -> Bool {
        defer { phase = .stopped }
        return phase == .running
    }

    /// LeRobot's `read_latest`: the newest frame if it is at most `maxAgeMs` old at `now`.
    public func latestFrame(at now: Double, maxAgeMs: Double) -> Result<Frame, CameraError> {
        switch phase {
        case .ended(let error): return .failure(error)
        case .stopped: return .failure(CameraError(.notConnected, "\(label): not connected (call connect first)"))
        case .running: break
        }
        guard let latest else { return .failure(CameraError(.noFrame, "\(label): has not captured any frame yet")) }
        let ageMs = (now - latest.at) * 1000
        guard ageMs <= maxAgeMs else {
            let shown = (ageMs * 10).rounded() / 10
            return .failure(
                CameraError(.timeout, "\(label): latest frame is too old: \(shown) ms (max allowed: \(maxAgeMs) ms)"))
        }
        return .success(latest.frame)
    }

    private mutating func end(_ error: CameraError) -> Action {
        phase = .ended(error)
        return .stopReading(error)
    }
}

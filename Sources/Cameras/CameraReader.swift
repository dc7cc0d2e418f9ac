public import Logging
import PolicyWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One camera: a background thread pulls frames from its ``CaptureSource`` and keeps only the newest.
///
/// The thread and the source are owned here; what to do with each read is decided by ``CameraReaderState``
/// under a `Mutex`, and done after the lock is released. Several readers run side by side, one thread each.
public final class CameraReader: Sendable {
    /// How a camera's frames reach the policy.
    public enum DeliveryPath: Sendable, Hashable {
        /// MJPEG packets forwarded as they came (Huffman tables inserted when missing), never decoded here.
        case passThrough
        /// Decoded and converted to RGB on the read thread.
        case decode(from: String)
    }

    struct Shared: Sendable {
        var state: CameraReaderState<CameraFrame>
        var source: (any CaptureSource)?
        var thread: pthread_t?
        var delivery: DeliveryPath?
    }

    public let configuration: CameraConfiguration
    /// The longest wait for the first frame after warm-up, in seconds.
    public let firstFrameTimeout: Double
    private let makeSource: @Sendable (NegotiatedFormat?) -> any CaptureSource
    private let probe: (any VideoDeviceProbe)?
    private let logger: Logger
    let shared: Mutex<Shared>

    /// A camera read through ``FFmpegSource``; devices are negotiated with `probe` first (nil: let the device
    /// pick its format for the requested size and rate).
    public convenience init(
        configuration: CameraConfiguration, probe: (any VideoDeviceProbe)? = V4L2Probe(),
        firstFrameTimeout: Double = 10, logger: Logger = Logger(label: "lerobot.cameras")
    ) {
        self.init(
            configuration: configuration, probe: probe, firstFrameTimeout: firstFrameTimeout, logger: logger,
            makeSource: { FFmpegSource(configuration: configuration, deviceFormat: $0) })
    }

    /// A camera read from `source` (any input, a test double included); no device negotiation.
    public convenience init(
        configuration: CameraConfiguration, source: any CaptureSource, firstFrameTimeout: Double = 10,
        logger: Logger = Logger(label: "lerobot.cameras")
    ) {
        self.init(
            configuration: configuration, probe: nil, firstFrameTimeout: firstFrameTimeout, logger: logger,
            makeSource: { _ in source })
    }

    private init(
        configuration: CameraConfiguration, probe: (any VideoDeviceProbe)?, firstFrameTimeout: Double,
        logger: Logger, makeSource: @escaping @Sendable (NegotiatedFormat?) -> any CaptureSource
    ) {
        self.configuration = configuration
        self.probe = probe
        self.firstFrameTimeout = firstFrameTimeout
        self.logger = logger
        self.makeSource = makeSource
        var stopped = CameraReaderState<CameraFrame>(label: configuration.label)
        _ = stopped.stopRequested()
        self.shared = Mutex(Shared(state: stopped))
    }

    deinit { disconnect() }

    /// Opens the input, checks its size and rate, starts the read thread, reads and discards frames for
    /// `warmup_s`, and returns once a frame has arrived (or throws after ``firstFrameTimeout`` more seconds).
    public func connect() throws(CameraError) {
        let running = shared.withLock { $0.thread != nil && $0.state.phase == .running }
        if running { return }
        disconnect()  // a camera that ended by itself: join its thread, then open afresh
        var negotiated: NegotiatedFormat?
        if case .device(let path) = configuration.input, let probe {
            do throws(CameraError) {
                negotiated = try FormatNegotiation.choose(for: configuration, offered: try probe.formats(of: path))
            } catch  where error.code == .formatMismatch {
                throw error
            } catch {
                throw CameraError(error.code, "\(configuration.label): \(error.message)")
            }
        }
        let source = makeSource(negotiated)
        let info = try source.open()
        let delivery: DeliveryPath
        do throws(CameraError) {
            try FormatNegotiation.check(info, for: configuration)
            let passThrough =
                info.isMJPEG && configuration.mjpegPassthrough && configuration.rotation == .none
                && configuration.colorMode == .rgb
            delivery = passThrough ? .passThrough : .decode(from: info.codec == "rawvideo" ? info.pixelFormat : info.codec)
        } catch {
            source.close()
            throw error
        }
        shared.withLock {
            $0 = Shared(state: CameraReaderState(label: configuration.label), source: source, delivery: delivery)
        }
        startThread(source: source, delivery: delivery == .passThrough ? .passThrough : .decode)
        logger.debug("\(deliveryDescription)")
        try waitForFirstFrame()
    }

    private func waitForFirstFrame() throws(CameraError) {
        let start = MonotonicClock.seconds
        while true {
            let now = MonotonicClock.seconds
            let outcome = shared.withLock { $0.state.latestFrame(at: now, maxAgeMs: .infinity) }
            switch outcome {
            case .success where now - start >= configuration.warmupS: return
            case .failure(let error) where error.code != .noFrame:
                disconnect()
                throw error
            default: break
            }
            if now - start > configuration.warmupS + firstFrameTimeout {
                disconnect()
                throw .camera(.timeout, configuration, "no frame within \(firstFrameTimeout) s of connecting")
            }
            MonotonicClock.sleep(0.005)
        }
    }

    /// LeRobot's `read_latest`: the newest frame, if one has arrived and it is at most `maxAgeMs` old.
    /// Throws when the camera has ended (too many errors, end of stream) or is not connected.
    public func readLatest(maxAgeMs: Double = 500) throws(CameraError) -> CameraFrame {
        let now = MonotonicClock.seconds
        return try shared.withLock { $0.state.latestFrame(at: now, maxAgeMs: maxAgeMs) }.get()
    }

    /// Stops and joins the read thread and closes the source. Idempotent.
    public func disconnect() {
        let (thread, source) = shared.withLock { shared in
            _ = shared.state.stopRequested()
            defer { (shared.thread, shared.source) = (nil, nil) }
            return (shared.thread, shared.source)
        }
        source?.interrupt()
        if let thread {
            // The last reference may be dropped on the read thread itself: it cannot join itself.
            if pthread_equal(thread, pthread_self()) != 0 { pthread_detach(thread) } else { pthread_join(thread, nil) }
        }
        source?.close()
    }

    /// Pass-through or decode; nil before the first connect.
    public var deliveryPath: DeliveryPath? { shared.withLock { $0.delivery } }

    /// `front: MJPEG pass-through (camera JPEG forwarded)`, `front: decode (yuyv422 → RGB, rotation 90)`.
    public var deliveryDescription: String {
        switch deliveryPath {
        case nil: return "\(configuration.name): not connected"
        case .passThrough: return "\(configuration.name): MJPEG pass-through (camera JPEG forwarded)"
        case .decode(let from):
            var steps = ["\(from) → RGB"]
            if configuration.rotation != .none { steps.append("rotation \(configuration.rotation.rawValue)") }
            if configuration.colorMode == .bgr { steps.append("BGR channel order") }
            return "\(configuration.name): decode (\(steps.joined(separator: ", ")))"
        }
    }

    /// Logs what the state machine asked for, and returns whether the loop goes on.
    func perform(_ action: CameraReaderState<CameraFrame>.Action) -> Bool {
        switch action {
        case .keepReading: return true
        case .warnAndKeepReading(let count, let message):
            logger.warning("\(configuration.label): read error \(count) in a row: \(message)")
            return true
        case .stopReading(let error):
            if let error { logger.error("\(error.message)") }
            return false
        }
    }
}

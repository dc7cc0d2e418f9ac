import CFFmpeg
import PolicyWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A ``CaptureSource`` on FFmpeg: V4L2 devices (libavdevice), video files and network streams (libavformat),
/// decoded with libavcodec and converted to RGB24 with libswscale.
///
/// A file stands in for a live camera: its frames are paced at the file's frame rate, and its end is the end of
/// the stream (no loop). Network streams are read as they come. Every blocking FFmpeg call is bounded by an
/// interrupt callback (a deadline, and ``interrupt()``) plus `rw_timeout`/`timeout` for network protocols.
/// V4L2 reads are blocking ioctls FFmpeg does not interrupt; a dead device is caught by the reader's max age.
///
/// The FFmpeg handles live in one ``FFmpegInput`` behind a `Mutex` (the reader thread holds it while it reads;
/// `close` waits for that read); ``interrupt()`` only touches the atomics of ``InterruptControl``.
public final class FFmpegSource: CaptureSource, Sendable {
    private let control: InterruptControl
    private let input: Mutex<FFmpegInput>

    /// `deviceFormat` is what negotiation chose for a device (size, rate, fourcc); nil for files and streams,
    /// or to let the device pick its format for the configured size and rate. `readTimeout`: the longest wait
    /// for one frame before the stream counts as dead; `openTimeout`: for probing a file or reaching a server.
    public init(
        configuration: CameraConfiguration, deviceFormat: NegotiatedFormat? = nil, readTimeout: Double = 5,
        openTimeout: Double = 10
    ) {
        let control = InterruptControl()
        self.control = control
        self.input = Mutex(
            FFmpegInput(
                configuration: configuration, deviceFormat: deviceFormat, readTimeout: readTimeout, openTimeout: openTimeout,
                control: control))
    }

    deinit { close() }

    public func open() throws(CameraError) -> StreamInfo { try input.withLock { input throws(CameraError) in try input.open() } }

    public func next(_ delivery: CaptureDelivery) throws(CaptureFailure) -> CapturedPacket {
        try input.withLock { input throws(CaptureFailure) in try input.next(delivery) }
    }

    public func interrupt() { control.stopped.store(true, ordering: .relaxed) }

    public func close() { input.withLock { $0.close() } }
}

/// The FFmpeg handles of one input and what reading them needs; owned by ``FFmpegSource``'s lock.
struct FFmpegInput {
    let configuration: CameraConfiguration
    let deviceFormat: NegotiatedFormat?
    let readTimeout: Double
    let openTimeout: Double
    let control: InterruptControl
    var format: UnsafeMutablePointer<AVFormatContext>?
    var decoder: UnsafeMutablePointer<AVCodecContext>?
    var scaler: OpaquePointer?
    var packet: UnsafeMutablePointer<AVPacket>?
    var frame: UnsafeMutablePointer<AVFrame>?
    var streamIndex: Int32 = -1
    var timeBase = AVRational(num: 1, den: 1)
    var pacing: (clock: Double, seconds: Double)?
    var draining = false

    private static let registered: Bool = {
        avdevice_register_all()
        av_log_set_level(AV_LOG_FATAL)
        return true
    }()

    mutating func open() throws(CameraError) -> StreamInfo {
        _ = Self.registered
        close()
        control.stopped.store(false, ordering: .relaxed)
        let input = configuration.input
        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        var inputFormat: UnsafePointer<AVInputFormat>?
        switch input {
        case .device:
            inputFormat = av_find_input_format("v4l2")
            let (width, height) = configuration.captureSize
            av_dict_set(&options, "video_size", "\(width)x\(height)", 0)
            av_dict_set(&options, "framerate", FormatNegotiation.formatFPS(deviceFormat?.fps ?? configuration.fps), 0)
            if let fourcc = deviceFormat?.fourcc ?? configuration.fourcc,
                let name = PixelFormatName.ffmpegName(ofFourCC: fourcc)
            {
                av_dict_set(&options, "input_format", name, 0)
            }
        case .stream:
            let micros = String(Int(readTimeout * 1_000_000))
            av_dict_set(&options, "rw_timeout", micros, 0)
            av_dict_set(&options, "timeout", micros, 0)
        case .file:
            break
        }
        var context = avformat_alloc_context()
        context?.pointee.interrupt_callback = AVIOInterruptCB(
            callback: interruptCallback, opaque: Unmanaged.passUnretained(control).toOpaque())
        control.setDeadline(after: openTimeout)
        let opened = avformat_open_input(&context, input.path, inputFormat, &options)
        guard opened >= 0, let context else { throw openError(opened) }
        format = context
        do throws(CameraError) {
            return try prepare(context)
        } catch {
            close()
            throw error
        }
    }

    /// Finds the video stream, opens its decoder and reports it.
    private mutating func prepare(_ context: UnsafeMutablePointer<AVFormatContext>) throws(CameraError) -> StreamInfo {
        control.setDeadline(after: openTimeout)
        guard avformat_find_stream_info(context, nil) >= 0 else {
            throw .camera(.cannotOpen, configuration, "cannot read the stream information")
        }
        let index = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        guard index >= 0, let stream = context.pointee.streams[Int(index)], let parameters = stream.pointee.codecpar
        else { throw .camera(.cannotOpen, configuration, "has no video stream") }
        streamIndex = index
        timeBase = stream.pointee.time_base
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id),
            let decoder = avcodec_alloc_context3(codec)
        else { throw .camera(.cannotOpen, configuration, "no decoder for \(codecName(parameters))") }
        self.decoder = decoder
        avcodec_parameters_to_context(decoder, parameters)
        decoder.pointee.thread_count = 1  // one thread per camera: the reader's
        guard avcodec_open2(decoder, codec, nil) >= 0 else {
            throw .camera(.cannotOpen, configuration, "cannot open the \(codecName(parameters)) decoder")
        }
        packet = av_packet_alloc()
        frame = av_frame_alloc()
        let rate = stream.pointee.avg_frame_rate
        // Raw MJPEG over the network has no timing: its demuxers report a made-up 25 fps.
        let demuxer = context.pointee.iformat.map { String(cString: $0.pointee.name) } ?? ""
        let timed: Bool
        if case .stream = configuration.input { timed = !["mjpeg", "mpjpeg"].contains(demuxer) } else { timed = true }
        let pixelFormat = av_get_pix_fmt_name(AVPixelFormat(parameters.pointee.format)).map { String(cString: $0) }
        return StreamInfo(
            width: Int(parameters.pointee.width), height: Int(parameters.pointee.height),
            fps: timed && rate.num > 0 && rate.den > 0 ? Double(rate.num) / Double(rate.den) : nil,
            codec: codecName(parameters), pixelFormat: pixelFormat ?? "unknown")
    }

    private func codecName(_ parameters: UnsafeMutablePointer<AVCodecParameters>) -> String {
        String(cString: avcodec_get_name(parameters.pointee.codec_id))
    }

    private func openError(_ code: Int32) -> CameraError {
        let path = configuration.input.path
        if code == cffmpeg_averror(EBUSY) {
            return .camera(.busy, configuration, "\(path) is busy: another program is using it (close it and retry)")
        }
        if code == cffmpeg_averror(EACCES) {
            return .camera(.cannotOpen, configuration, "cannot open \(path): permission denied (is this user in the 'video' group?)")
        }
        if code == cffmpeg_averror_exit() {
            return .camera(.cannotOpen, configuration, "cannot open \(path): no answer within \(openTimeout) s")
        }
        return .camera(.cannotOpen, configuration, "cannot open \(path): \(Self.describe(code))")
    }

    /// FFmpeg's sentence for an error code (`No such file or directory`).
    static func describe(_ code: Int32) -> String {
        var text = [CChar](repeating: 0, count: 256)
        av_strerror(code, &text, text.count)
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    mutating func close() {
        if scaler != nil { sws_freeContext(scaler) }
        scaler = nil
        if frame != nil { av_frame_free(&frame) }
        if packet != nil { av_packet_free(&packet) }
        if decoder != nil { avcodec_free_context(&decoder) }
        if format != nil { avformat_close_input(&format) }
        pacing = nil
        draining = false
    }
}

/// The interrupt callback's state: a stop flag and a deadline (monotonic nanoseconds) for the current call.
final class InterruptControl: Sendable {
    let stopped = Atomic<Bool>(false)
    let deadline = Atomic<Int64>(.max)

    func setDeadline(after seconds: Double) {
        deadline.store(Int64((MonotonicClock.seconds + seconds) * 1e9), ordering: .relaxed)
    }

    var shouldInterrupt: Bool {
        stopped.load(ordering: .relaxed) || Int64(MonotonicClock.seconds * 1e9) > deadline.load(ordering: .relaxed)
    }
}

/// FFmpeg calls this during blocking I/O; non-zero aborts the call with AVERROR_EXIT.
private let interruptCallback: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { opaque in
    guard let opaque else { return 0 }
    return Unmanaged<InterruptControl>.fromOpaque(opaque).takeUnretainedValue().shouldInterrupt ? 1 : 0
}

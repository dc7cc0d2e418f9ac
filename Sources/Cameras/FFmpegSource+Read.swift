import CFFmpeg
import NIOCore
import PolicyWire
import Synchronization

extension FFmpegInput {
    mutating func next(_ delivery: CaptureDelivery) throws(CaptureFailure) -> CapturedPacket {
        guard let format, let decoder, let packet, let frame else {
            throw .ended("\(configuration.label) is not open")
        }
        while true {
            if control.stopped.load(ordering: .relaxed) { throw .ended("stopped") }
            if delivery == .decode, let image = try receiveFrame(decoder, frame) { return .image(image) }
            if draining { throw .ended(endMessage) }
            control.setDeadline(after: readTimeout)
            let status = av_read_frame(format, packet)
            if status == cffmpeg_averror_eof() {
                guard delivery == .decode else { throw .ended(endMessage) }
                draining = true
                avcodec_send_packet(decoder, nil)  // flush: frames still inside the decoder come out next
                continue
            }
            if status == cffmpeg_averror_exit() {
                if control.stopped.load(ordering: .relaxed) { throw .ended("stopped") }
                throw .ended("no data for \(readTimeout) s")
            }
            guard status >= 0 else { throw .readFailed("cannot read a packet: \(Self.describe(status))") }
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == streamIndex else { continue }
            pace(packet)
            switch delivery {
            case .passThrough:
                guard let data = packet.pointee.data, packet.pointee.size > 0 else {
                    throw .readFailed("empty packet")
                }
                return .jpeg(ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: Int(packet.pointee.size))))
            case .decode:
                let sent = avcodec_send_packet(decoder, packet)
                guard sent >= 0 else { throw .readFailed("cannot decode a frame: \(Self.describe(sent))") }
            }
        }
    }

    private var endMessage: String {
        if case .file = configuration.input { return "end of file" }
        return "the input has no more frames"
    }

    /// The next decoded frame as RGB24 at its size, or nil when the decoder needs another packet.
    private mutating func receiveFrame(_ decoder: UnsafeMutablePointer<AVCodecContext>, _ frame: UnsafeMutablePointer<AVFrame>)
        throws(CaptureFailure) -> RGBImage?
    {
        let status = avcodec_receive_frame(decoder, frame)
        if status == cffmpeg_averror(EAGAIN) { return nil }
        if status == cffmpeg_averror_eof() { throw .ended(endMessage) }
        guard status >= 0 else { throw .readFailed("cannot decode a frame: \(Self.describe(status))") }
        defer { av_frame_unref(frame) }
        if frame.pointee.decode_error_flags != 0 || frame.pointee.flags & AV_FRAME_FLAG_CORRUPT != 0 {
            throw .readFailed("the decoder reports a corrupt frame")
        }
        let (width, height) = (Int(frame.pointee.width), Int(frame.pointee.height))
        let expected = configuration.captureSize
        guard width == expected.width, height == expected.height else {
            throw .readFailed("frame is \(width)×\(height), expected \(expected.width)×\(expected.height)")
        }
        scaler = sws_getCachedContext(
            scaler, Int32(width), Int32(height), AVPixelFormat(frame.pointee.format), Int32(width), Int32(height),
            AV_PIX_FMT_RGB24, SWS_BICUBIC, nil, nil, nil)
        guard let scaler else { throw .readFailed("cannot convert \(pixelFormatName(frame)) to RGB") }
        var failed = false
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { out, initialized in
            var planes: [UnsafeMutablePointer<UInt8>?] = [out.baseAddress, nil, nil, nil]
            var strides: [Int32] = [Int32(width * 3), 0, 0, 0]
            let rows = withUnsafePointer(to: &frame.pointee.data) { data in
                withUnsafePointer(to: &frame.pointee.linesize) { lines in
                    data.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { source in
                        lines.withMemoryRebound(to: Int32.self, capacity: 8) { sourceStrides in
                            sws_scale(scaler, source, sourceStrides, 0, Int32(height), &planes, &strides)
                        }
                    }
                }
            }
            failed = rows != Int32(height)
            if failed { out.initialize(repeating: 0) }
            initialized = width * height * 3
        }
        guard !failed, let image = try? RGBImage(width: width, height: height, pixels: pixels) else {
            throw .readFailed("cannot convert \(pixelFormatName(frame)) to RGB")
        }
        return image
    }

    private func pixelFormatName(_ frame: UnsafeMutablePointer<AVFrame>) -> String {
        av_get_pix_fmt_name(AVPixelFormat(frame.pointee.format)).map { String(cString: $0) } ?? "unknown"
    }

    /// Files stand in for live cameras: sleep until this packet's presentation time, counted from the first.
    private mutating func pace(_ packet: UnsafeMutablePointer<AVPacket>) {
        guard case .file = configuration.input else { return }
        var timestamp = packet.pointee.pts
        if timestamp == cffmpeg_nopts_value() { timestamp = packet.pointee.dts }
        guard timestamp != cffmpeg_nopts_value(), timeBase.den != 0 else { return }
        let seconds = Double(timestamp) * Double(timeBase.num) / Double(timeBase.den)
        let now = MonotonicClock.seconds
        guard let start = pacing, seconds >= start.seconds else {
            pacing = (now, seconds)
            return
        }
        let due = start.clock + (seconds - start.seconds)
        // Sleep in short steps so that `interrupt()` is honoured within 50 ms.
        while MonotonicClock.seconds < due, !control.stopped.load(ordering: .relaxed) {
            MonotonicClock.sleep(min(0.05, due - MonotonicClock.seconds))
        }
    }
}

import CFFmpeg

#if canImport(Glibc)
import Glibc
#endif

/// The device-side seam: which formats a video device offers. ``V4L2Probe`` is the real one; tests give tables.
public protocol VideoDeviceProbe: Sendable {
    /// Every (pixel format, size) the device offers with its frame rates, in the device's order. Errors carry
    /// the device path, not a camera name (the reader adds it).
    func formats(of device: String) throws(CameraError) -> [DeviceFormat]
}

/// Asks a V4L2 device what it can capture: VIDIOC_ENUM_FMT, VIDIOC_ENUM_FRAMESIZES, VIDIOC_ENUM_FRAMEINTERVALS.
///
/// This machine has no `/dev/video*`: this code has never met a real device (see docs/cameras.md). Stepwise and
/// continuous size ranges are reported as their smallest and largest size; rate ranges as their two ends.
public struct V4L2Probe: VideoDeviceProbe {
    public init() {}

    public func formats(of device: String) throws(CameraError) -> [DeviceFormat] {
        #if os(Linux)
        let fd = Glibc.open(device, O_RDWR | O_NONBLOCK)
        guard fd >= 0 else {
            let code = errno
            let reason = String(cString: strerror(code))
            switch code {
            case EBUSY: throw CameraError(.busy, "\(device) is busy: another program is using it (close it and retry)")
            case EACCES:
                throw CameraError(.cannotOpen, "cannot open \(device): \(reason) (is this user in the 'video' group?)")
            default: throw CameraError(.cannotOpen, "cannot open \(device): \(reason)")
            }
        }
        defer { Glibc.close(fd) }
        var capability = v4l2_capability()
        guard cffmpeg_v4l2_querycap(fd, &capability) == 0 else {
            throw CameraError(.cannotOpen, "\(device) is not a V4L2 video device: \(String(cString: strerror(errno)))")
        }
        var result: [DeviceFormat] = []
        for pixelFormat in pixelFormats(fd) {
            for (width, height) in sizes(fd, pixelFormat) {
                let rates = frameRates(fd, pixelFormat, width, height)
                result.append(DeviceFormat(fourcc: fourcc(pixelFormat), width: width, height: height, fps: rates))
            }
        }
        return result
        #else
        throw CameraError(.cannotOpen, "cannot open \(device): V4L2 devices need Linux")
        #endif
    }

    #if os(Linux)
    /// At most this many entries per enumeration (a broken driver cannot loop us forever).
    private static let enumerationLimit: UInt32 = 256

    private func pixelFormats(_ fd: Int32) -> [UInt32] {
        var formats: [UInt32] = []
        for index in 0..<Self.enumerationLimit {
            var description = v4l2_fmtdesc()
            description.index = index
            description.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
            guard cffmpeg_v4l2_enum_fmt(fd, &description) == 0 else { break }
            formats.append(description.pixelformat)
        }
        return formats
    }

    private func sizes(_ fd: Int32, _ pixelFormat: UInt32) -> [(Int, Int)] {
        var sizes: [(Int, Int)] = []
        for index in 0..<Self.enumerationLimit {
            var size = v4l2_frmsizeenum()
            size.index = index
            size.pixel_format = pixelFormat
            guard cffmpeg_v4l2_enum_framesizes(fd, &size) == 0 else { break }
            if size.type == V4L2_FRMSIZE_TYPE_DISCRETE.rawValue {
                sizes.append((Int(size.discrete.width), Int(size.discrete.height)))
            } else {
                sizes.append((Int(size.stepwise.min_width), Int(size.stepwise.min_height)))
                sizes.append((Int(size.stepwise.max_width), Int(size.stepwise.max_height)))
                break
            }
        }
        return sizes
    }

    private func frameRates(_ fd: Int32, _ pixelFormat: UInt32, _ width: Int, _ height: Int) -> [Double] {
        var rates: [Double] = []
        func rate(_ fraction: v4l2_fract) -> Double? {
            fraction.numerator > 0 ? Double(fraction.denominator) / Double(fraction.numerator) : nil
        }
        for index in 0..<Self.enumerationLimit {
            var interval = v4l2_frmivalenum()
            interval.index = index
            interval.pixel_format = pixelFormat
            interval.width = UInt32(width)
            interval.height = UInt32(height)
            guard cffmpeg_v4l2_enum_frameintervals(fd, &interval) == 0 else { break }
            if interval.type == V4L2_FRMIVAL_TYPE_DISCRETE.rawValue {
                if let fps = rate(interval.discrete) { rates.append(fps) }
            } else {
                // A range of intervals: the shortest interval is the highest rate.
                rates += [rate(interval.stepwise.min), rate(interval.stepwise.max)].compactMap { $0 }
                break
            }
        }
        return rates
    }

    private func fourcc(_ code: UInt32) -> String {
        let bytes = (0..<4).map { UInt8(truncatingIfNeeded: code >> (8 * $0)) }
        return String(decoding: bytes, as: UTF8.self).trimmingSuffix(" ")
    }
    #endif
}

extension String {
    fileprivate func trimmingSuffix(_ character: Character) -> String {
        var text = self
        while text.last == character { text.removeLast() }
        return text
    }
}

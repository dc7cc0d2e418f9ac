#if canImport(Glibc)
import Glibc

/// A POSIX serial port in raw 8N1 mode (the SO arms' bus runs at 1 000 000 baud).
public final class SerialPort: SerialLink {
    private var descriptor: Int32

    /// `flag` names the port's flag in errors (`--robot.port`, `--teleop.port`).
    public init(path: String, baudRate: Int = 1_000_000, flag: String = "--robot.port") throws(RolloutError) {
        descriptor = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw RolloutError(.robot, "\(flag): cannot open \(path): \(String(cString: strerror(errno)))")
        }
        var options = termios()
        guard tcgetattr(descriptor, &options) == 0 else {
            Glibc.close(descriptor)
            throw RolloutError(.robot, "\(flag): \(path) is not a serial port")
        }
        cfmakeraw(&options)
        options.c_cflag |= tcflag_t(CLOCAL) | tcflag_t(CREAD)
        options.c_cflag &= ~(tcflag_t(CSTOPB) | tcflag_t(PARENB) | tcflag_t(CRTSCTS))
        let speed: speed_t
        switch baudRate {
        case 1_000_000: speed = speed_t(B1000000)
        case 500_000: speed = speed_t(B500000)
        case 115_200: speed = speed_t(B115200)
        default:
            Glibc.close(descriptor)
            throw RolloutError(.robot, "\(flag): unsupported baud rate \(baudRate)")
        }
        cfsetispeed(&options, speed)
        cfsetospeed(&options, speed)
        guard tcsetattr(descriptor, TCSANOW, &options) == 0 else {
            Glibc.close(descriptor)
            throw RolloutError(.robot, "\(flag): cannot configure \(path): \(String(cString: strerror(errno)))")
        }
    }

    public func write(_ bytes: [UInt8]) throws(RolloutError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EAGAIN { continue }
                throw RolloutError(.robot, "serial write failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    public func read(count: Int, timeout: Double) throws(RolloutError) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: count)
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        let deadline = Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9 + timeout
        while result.count < count {
            clock_gettime(CLOCK_MONOTONIC, &spec)
            let remaining = deadline - (Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9)
            guard remaining > 0 else {
                throw RolloutError(.robot, "serial read timed out after \(result.count) of \(count) bytes")
            }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(max(1, remaining * 1000))) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, count - result.count) }
            if n > 0 { result += buffer[0..<n] }
        }
        return result
    }

    public func discardInput() {
        tcflush(descriptor, TCIFLUSH)
    }

    public func close() {
        if descriptor >= 0 {
            Glibc.close(descriptor)
            descriptor = -1
        }
    }

    deinit { close() }
}
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's monotonic clock (never a wall clock: instants never cross machines).
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary origin (the `client_mono_ns` of the wire header).
    public static var nanoseconds: Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    /// Seconds since the same origin.
    public static var seconds: Double { Double(nanoseconds) / 1e9 }

    /// Sleeps for `seconds` (nothing when not positive), resuming after signals.
    public static func sleep(_ seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
    }
}

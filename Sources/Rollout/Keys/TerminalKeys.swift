import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The terminal's settings before raw mode, restored on every exit path: by ``TerminalKeys/restore()`` in
/// the shutdown path and by an `atexit` handler (error exits, a second signal, exit codes).
private let savedTerminal = Mutex<(fd: Int32, state: termios)?>(nil)

private func restoreSavedTerminal() {
    savedTerminal.withLock { saved in
        if let (fd, state) = saved {
            var state = state
            tcsetattr(fd, TCSANOW, &state)
        }
        saved = nil
    }
}

/// Keys as LeRobot users press them, from a terminal on stdin: non-canonical mode without echo (signals
/// stay on: Ctrl-C is still SIGINT), read on a thread of its own and decoded by ``KeyDecoder``.
public final class TerminalKeys: Sendable {
    private let fd: Int32
    private let running = Atomic<Bool>(true)
    /// How long a lone ESC waits for the rest of an arrow's sequence before it counts as Escape.
    static let escapeTimeoutMs: Int32 = 50

    /// Switches `fd` to raw key mode and starts reading; nil when `fd` is not a terminal.
    public init?(fd: Int32 = 0, onKey: @escaping @Sendable (Key) -> Void) {
        guard isatty(fd) != 0, Self.enterRawMode(fd) else { return nil }
        self.fd = fd
        let thread = Thread { [self] in self.readKeys(onKey) }
        thread.name = "terminal-keys"
        thread.start()
    }

    static func enterRawMode(_ fd: Int32) -> Bool {
        var state = termios()
        guard tcgetattr(fd, &state) == 0 else { return false }
        let first = savedTerminal.withLock { saved in
            defer { if saved == nil { saved = (fd, state) } }
            return saved == nil
        }
        if first { atexit { restoreSavedTerminal() } }
        var raw = state
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ECHONL)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        return tcsetattr(fd, TCSANOW, &raw) == 0
    }

    /// Puts the terminal back as it was (idempotent).
    public static func restore() { restoreSavedTerminal() }

    /// Stops the reader thread (within one poll interval) and restores the terminal.
    public func stop() {
        running.store(false, ordering: .releasing)
        Self.restore()
    }

    private func readKeys(_ onKey: @Sendable (Key) -> Void) {
        var decoder = KeyDecoder()
        var buffer = [UInt8](repeating: 0, count: 64)
        while running.load(ordering: .acquiring) {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Self.escapeTimeoutMs)
            if ready == 0 {
                decoder.flush().forEach(onKey)
                continue
            }
            guard ready > 0 else {
                if errno == EINTR { continue }
                break
            }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }  // end of input: the terminal went away
            decoder.feed(Array(buffer[0..<n])).forEach(onKey)
        }
    }
}

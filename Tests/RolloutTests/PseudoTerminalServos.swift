import Foundation
import Rollout
import Synchronization

#if canImport(Glibc)
import Glibc

/// The simulated servos behind a real pseudo-terminal: the follower talks to the pty's device through
/// ``SerialPort`` (termios raw mode, poll-based reads), a thread answers on the other end.
final class PseudoTerminalServos: Sendable {
    let master: Int32
    let devicePath: String
    /// The servos and whether the serving thread goes on; the thread answers under this lock.
    private let state = Mutex((servos: SimulatedServoBus(), running: true))

    /// libc's pty functions, which the Glibc module does not import (they need _XOPEN_SOURCE).
    static func libc<T>(_ name: String, as type: T.Type) -> T {
        unsafeBitCast(dlsym(UnsafeMutableRawPointer(bitPattern: 0), name)!, to: type)
    }

    /// A new pseudo-terminal: the master and its device's path.
    static func openMaster() throws -> (master: Int32, path: String) {
        let openpt = Self.libc("posix_openpt", as: (@convention(c) (Int32) -> Int32).self)
        let grant = Self.libc("grantpt", as: (@convention(c) (Int32) -> Int32).self)
        let unlock = Self.libc("unlockpt", as: (@convention(c) (Int32) -> Int32).self)
        let name = Self.libc("ptsname", as: (@convention(c) (Int32) -> UnsafeMutablePointer<CChar>?).self)
        let master = openpt(O_RDWR | O_NOCTTY)
        guard master >= 0, grant(master) == 0, unlock(master) == 0, let path = name(master) else {
            throw RolloutError(.robot, "no pseudo-terminal available")
        }
        return (master, String(cString: path))
    }

    /// A master and its slave, opened (the slave in the terminal's default, canonical mode).
    static func openPair() throws -> (master: Int32, slave: Int32) {
        let (master, path) = try openMaster()
        let slave = open(path, O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw RolloutError(.robot, "cannot open \(path)") }
        return (master, slave)
    }

    init() throws {
        (master, devicePath) = try Self.openMaster()
        var options = termios()
        tcgetattr(master, &options)
        cfmakeraw(&options)
        tcsetattr(master, TCSANOW, &options)
        Thread { [self] in self.serve() }.start()
    }

    private func readExactly(_ count: Int) -> [UInt8]? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while bytes.count < count {
            var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard state.withLock({ $0.running }) else { return nil }
            guard poll(&poller, 1, 50) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { Glibc.read(master, $0.baseAddress, count - bytes.count) }
            if n <= 0 { return nil }
            bytes += buffer[0..<n]
        }
        return bytes
    }

    private func serve() {
        while let header = readExactly(4) {
            guard header[0] == 0xFF, header[1] == 0xFF, let rest = readExactly(Int(header[3])) else { continue }
            let reply = state.withLock { state in
                try? state.servos.write(header + rest)
                defer { state.servos.pending = [] }
                return state.servos.pending
            }
            if !reply.isEmpty { _ = reply.withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) } }
        }
    }

    /// The servos, under the lock the serving thread answers under.
    func withServos<T: Sendable>(_ body: (SimulatedServoBus) -> T) -> T { state.withLock { body($0.servos) } }

    func stop() {
        state.withLock { $0.running = false }
        Glibc.close(master)
    }
}
#endif

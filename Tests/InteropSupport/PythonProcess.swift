public import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A long-running Python helper (`python/zenoh_tool.py …`) whose stdout lines a test reads as they come.
///
/// stdin stays open while the process runs: the helper stops when it is closed (``stop()``), so no process
/// outlives its test. ``kill()`` sends SIGKILL, for crash tests.
public final class PythonProcess: Sendable {
    private let process = Process()
    private let stdinPipe = Pipe()
    private let stdoutPipe = Pipe()
    /// What the helper printed, and whether its output ended.
    private let printed = Mutex<(lines: [String], ended: Bool)>(([], false))
    /// Broadcast after every change of `printed`; waiters check `printed` while holding it, so none is missed.
    private let changed = NSCondition()
    public let commandLine: String

    /// Starts `python/<script> <arguments>` in the project virtualenv.
    public init(_ script: String, _ arguments: [String]) throws {
        process.executableURL = try PythonRunner.interpreter
        process.arguments = [PythonRunner.packageRoot.appendingPathComponent("python/\(script)").path] + arguments
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stdoutPipe
        commandLine = "\(script) \(arguments.joined(separator: " "))"
        let handle = stdoutPipe.fileHandleForReading
        let thread = Thread { [weak self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                guard let self else { return }
                var complete: [String] = []
                if chunk.isEmpty {
                    if !pending.isEmpty { complete.append(String(decoding: pending, as: UTF8.self)) }
                } else {
                    pending.append(chunk)
                    while let newline = pending.firstIndex(of: 0x0a) {
                        complete.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                        pending.removeSubrange(pending.startIndex...newline)
                    }
                }
                self.printed.withLock { printed in
                    printed.lines += complete
                    if chunk.isEmpty { printed.ended = true }
                }
                self.changed.lock()
                self.changed.broadcast()
                self.changed.unlock()
                if chunk.isEmpty { return }
            }
        }
        try process.run()
        thread.start()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// Every line printed so far.
    public var output: [String] { printed.withLock { $0.lines } }

    /// Waits until a line satisfying `predicate` has been printed (searching from line `from`), or throws
    /// after `timeout` seconds with everything the process printed.
    @discardableResult
    public func waitForLine(
        from start: Int = 0, timeout: TimeInterval = 15, _ predicate: (String) -> Bool
    ) throws -> (index: Int, line: String) {
        let deadline = Date().addingTimeInterval(timeout)
        changed.lock()
        defer { changed.unlock() }
        var index = start
        while true {
            let (lines, ended) = printed.withLock { $0 }
            while index < lines.count {
                if predicate(lines[index]) { return (index, lines[index]) }
                index += 1
            }
            if ended || !changed.wait(until: deadline) {
                throw PythonRunner.Failure(
                    description: "\(commandLine): no expected line within \(timeout) s"
                        + (ended ? " (process ended)" : "") + "; output:\n" + lines.joined(separator: "\n"))
            }
        }
    }

    /// The same wait for async code: it blocks a dispatch thread, never one of the cooperative pool's few
    /// threads (on a 2-core machine a blocked pool starves every other test).
    @discardableResult
    public func awaitLine(
        from start: Int = 0, timeout: TimeInterval = 15, _ predicate: @escaping @Sendable (String) -> Bool
    ) async throws -> (index: Int, line: String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    continuation.resume(returning: try self.waitForLine(from: start, timeout: timeout, predicate))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Waits for `READY`.
    public func waitUntilReady(timeout: TimeInterval = 20) throws {
        try waitForLine(timeout: timeout) { $0 == "READY" }
    }

    /// Parses every JSON-object line printed so far.
    public func jsonLines() -> [[String: Any]] {
        output.compactMap { line in
            guard line.hasPrefix("{"), let data = line.data(using: .utf8) else { return nil }
            return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        }
    }

    /// Writes one command line to the helper's stdin.
    public func send(_ line: String) {
        try? stdinPipe.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Closes stdin (the helper exits cleanly) and waits for the process.
    public func stop() {
        try? stdinPipe.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// SIGKILL, as a crash.
    public func kill() {
        #if canImport(Glibc)
        Glibc.kill(process.processIdentifier, SIGKILL)
        #else
        process.terminate()
        #endif
        process.waitUntilExit()
    }

    /// Sends `signal` (SIGSTOP freezes the helper with its sockets open: only a lease can notice).
    public func signal(_ signal: Int32) {
        #if canImport(Glibc)
        _ = Glibc.kill(process.processIdentifier, signal)
        #endif
    }

    public var isRunning: Bool { process.isRunning }
}

/// A free TCP port on 127.0.0.1 (bound once and released; a small race is possible but harmless in tests).
public func freeLoopbackPort() -> Int {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard bound == 0 else { return 20_000 + Int.random(in: 0..<20_000) }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
    #else
    return 20_000 + Int.random(in: 0..<20_000)
    #endif
}

/// A real Rust Zenoh router (`eclipse-zenoh`, `mode: "router"`) listening on a free loopback port.
public final class ZenohRouter: Sendable {
    public let port: Int
    public let process: PythonProcess
    /// `tcp/127.0.0.1:PORT`, or `tls/…` for a TLS router.
    public let endpoint: String

    /// `options` go before the `router` command (e.g. `--tls-ca`, `--tls-cert`, `--tls-key`, `--tls-mtls`).
    public init(port: Int = freeLoopbackPort(), linkProtocol: String = "tcp", options: [String] = []) throws {
        self.port = port
        self.endpoint = "\(linkProtocol)/127.0.0.1:\(port)"
        self.process = try PythonProcess("zenoh_tool.py", options + ["router", "--listen", self.endpoint])
        try process.waitUntilReady()
    }

    public func stop() { process.stop() }

    /// Starts a router from async code without blocking the cooperative pool while it comes up.
    public static func start(
        port: Int = freeLoopbackPort(), linkProtocol: String = "tcp", options: [String] = []
    ) async throws -> ZenohRouter {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    continuation.resume(
                        returning: try ZenohRouter(port: port, linkProtocol: linkProtocol, options: options))
                } catch { continuation.resume(throwing: error) }
            }
        }
    }
}

extension PythonProcess {
    /// Waits for `READY` from async code (off the cooperative pool).
    public func awaitReady(timeout: TimeInterval = 20) async throws {
        try await awaitLine(timeout: timeout) { $0 == "READY" }
    }
}

#if canImport(Glibc)
import Foundation
import Glibc
import InteropSupport
import Synchronization
import Testing

/// `lerobot-rollout` with keys typed on a real pseudo-terminal as its stdin and `--teleop.type=keyboard`:
/// raw mode while it runs, the terminal restored after every exit path.
@Suite("lerobot-rollout keys and teleop end to end", .serialized)
struct TeleopCommandTests {
    /// A pseudo-terminal pair; the slave becomes the rollout's stdin.
    struct Terminal {
        let master: Int32
        let slave: Int32

        init() throws {
            func libc<T>(_ name: String, as type: T.Type) -> T {
                unsafeBitCast(dlsym(UnsafeMutableRawPointer(bitPattern: 0), name)!, to: type)
            }
            master = libc("posix_openpt", as: (@convention(c) (Int32) -> Int32).self)(O_RDWR | O_NOCTTY)
            guard master >= 0, libc("grantpt", as: (@convention(c) (Int32) -> Int32).self)(master) == 0,
                libc("unlockpt", as: (@convention(c) (Int32) -> Int32).self)(master) == 0,
                let path = libc("ptsname", as: (@convention(c) (Int32) -> UnsafeMutablePointer<CChar>?).self)(master)
            else { throw PythonRunner.Failure(description: "no pseudo-terminal") }
            slave = open(path, O_RDWR | O_NOCTTY)
            // Drain what the rollout echoes or prints there, so that it never blocks.
            Thread { [master] in
                var buffer = [UInt8](repeating: 0, count: 256)
                while buffer.withUnsafeMutableBytes({ read(master, $0.baseAddress, $0.count) }) > 0 {}
            }.start()
        }

        var lflag: tcflag_t {
            var state = termios()
            tcgetattr(slave, &state)
            return state.c_lflag
        }

        func type(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { write(master, $0.baseAddress, $0.count) } }

        func close() {
            Glibc.close(slave)
            Glibc.close(master)
        }
    }

    /// `RolloutCommandTests.rollout` with the terminal's slave as stdin; `during` gets the rollout's pid.
    static func rollout(
        _ arguments: [String], terminal: Terminal, during: @escaping @Sendable (Int32) async throws -> Void
    ) async throws -> RolloutCommandTests.Run {
        let pid = Mutex<Int32>(0)
        return try await RolloutCommandTests.rollout(
            arguments, standardInput: FileHandle(fileDescriptor: terminal.slave, closeOnDealloc: false),
            started: { started in pid.withLock { $0 = started } },
            during: { _ in try await during(pid.withLock { $0 }) })
    }

    /// Waits until the rollout has put the terminal in raw mode (true) or `timeout` passed.
    static func rawMode(_ terminal: Terminal, timeout: Double = 20) async -> Bool {
        await EdgeFixture.eventually(timeout: timeout) { terminal.lflag & tcflag_t(ICANON | ECHO) == 0 }
    }

    /// A router, our server on the mock checkpoint and a fresh terminal around `body` (router endpoint, model).
    static func withServerAndTerminal(_ body: (String, URL, Terminal) async throws -> Void) async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let server = try await ServerProcess(router: router.endpoint, model: model)
        defer { server.kill() }
        let terminal = try Terminal()
        defer { terminal.close() }
        try await body(router.endpoint, model, terminal)
    }

    @Test("dagger: space pauses, tab corrects with the keyboard jog driving the arm, tab, space, Esc stops; terminal restored")
    func daggerKeys() async throws {
        try await Self.withServerAndTerminal { endpoint, model, terminal in
            let before = terminal.lflag
            #expect(before & tcflag_t(ICANON) != 0)
            let sawRaw = Mutex(false)
            let run = try await Self.rollout(
                RolloutCommandTests.arguments(
                    router: endpoint, model: model,
                    [
                        "--strategy.type=dagger", "--teleop.type=keyboard", "--duration=60",
                    ]), terminal: terminal,
                during: { _ in
                    let raw = await Self.rawMode(terminal)
                    sawRaw.withLock { $0 = raw }
                    try await Task.sleep(for: .seconds(2))
                    terminal.type(" ")
                    try await Task.sleep(for: .seconds(1))
                    terminal.type("\t")
                    try await Task.sleep(for: .seconds(2))  // the follower slides to the teleop (1 s)
                    terminal.type(String(repeating: "h", count: 60) + "yyyyy")  // gripper to 0 (clamped), then +5 × 2
                    try await Task.sleep(for: .seconds(1))
                    terminal.type("\t")
                    try await Task.sleep(for: .milliseconds(500))
                    terminal.type(" ")
                    try await Task.sleep(for: .seconds(1))
                    terminal.type("\u{1B}")
                })
            #expect(run.status == 0, "\(run.stderr)")
            #expect(sawRaw.withLock { $0 })
            let phases = run.stderr.split(separator: "\n").filter { $0.hasPrefix("dagger: ") }.map { String($0.dropFirst(8)) }
            #expect(phases == ["PAUSED", "CORRECTING", "PAUSED", "AUTONOMOUS"], "\(run.stderr)")
            #expect((run.stats["teleop_ticks"] as? Int ?? 0) >= 5, "\(run.stats)")
            #expect((run.stats["teleop_last_command"] as? [Double])?.last == 10, "\(run.stats)")
            #expect(run.stats["resets"] as? Int == 3)
            #expect((run.stats["duration_s"] as? Double ?? 60) < 30)
            #expect(terminal.lflag == before)
        }
    }

    @Test("episodic: → ends the episode and the reset, the keyboard drives the reset phase, ← re-records, SIGINT; terminal restored")
    func episodicKeys() async throws {
        try await Self.withServerAndTerminal { endpoint, model, terminal in
            let before = terminal.lflag
            let run = try await Self.rollout(
                RolloutCommandTests.arguments(
                    router: endpoint, model: model,
                    [
                        "--strategy.type=episodic", "--teleop.type=keyboard", "--dataset.episode_time_s=40",
                        "--dataset.reset_time_s=40", "--dataset.num_episodes=2", "--duration=80",
                    ]), terminal: terminal,
                during: { pid in
                    _ = await Self.rawMode(terminal)
                    try await Task.sleep(for: .seconds(2))
                    terminal.type("\u{1B}[C")  // → : end episode 1
                    try await Task.sleep(for: .seconds(2))  // the 1 s slide of the hand-over
                    terminal.type(String(repeating: "h", count: 60) + "yyy")
                    try await Task.sleep(for: .seconds(1))
                    terminal.type("\u{1B}[C")  // → : end the reset phase
                    try await Task.sleep(for: .seconds(1))
                    terminal.type("\u{1B}[D")  // ← : re-record episode 2 (after a reset phase)
                    try await Task.sleep(for: .seconds(2))
                    terminal.type(String(repeating: "h", count: 60) + "yyy")
                    try await Task.sleep(for: .milliseconds(500))
                    terminal.type("\u{1B}OC")  // → (application cursor mode): end that reset phase
                    try await Task.sleep(for: .seconds(1))
                    kill(pid, SIGINT)
                })
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.components(separatedBy: "Reset phase").count - 1 == 2, "\(run.stderr)")
            #expect(run.stderr.contains("Episode 2/2") && run.stderr.contains("Re-recording episode 2/2"), "\(run.stderr)")
            #expect((run.stats["teleop_ticks"] as? Int ?? 0) >= 5, "\(run.stats)")
            #expect((run.stats["teleop_last_command"] as? [Double])?.last == 6, "\(run.stats)")
            #expect(run.stats["resets"] as? Int == 4)  // before start, run start, episode 2, episode 2 again
            #expect((run.stats["duration_s"] as? Double ?? 80) < 40)
            #expect(terminal.lflag == before)
        }
    }

    @Test("A failed pre-flight (no server) after raw mode exits 2 and restores the terminal; a bad --teleop.type names the flag")
    func errorExits() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let terminal = try Terminal()
        defer { terminal.close() }
        let before = terminal.lflag
        let sawRaw = Mutex(false)
        let run = try await Self.rollout(
            RolloutCommandTests.arguments(router: router.endpoint, model: model, ["--strategy.type=dagger", "--duration=5"]),
            terminal: terminal,
            during: { _ in
                let raw = await Self.rawMode(terminal, timeout: 5)
                sawRaw.withLock { $0 = raw }
            })
        #expect(run.status == 2 && run.stderr.contains("No policy server answered"), "\(run.stderr)")
        #expect(sawRaw.withLock { $0 })
        #expect(terminal.lflag == before)
        let bad = try await Self.rollout(
            RolloutCommandTests.arguments(router: router.endpoint, model: model, ["--teleop.type=gamepad"]), terminal: terminal,
            during: { _ in })
        #expect(bad.status == 2 && bad.stderr.contains("--teleop.type must be one of so100_leader, so101_leader, keyboard"))
    }
}
#endif

#if canImport(Glibc)
import Foundation
import Glibc
import Logging
import Rollout
import Synchronization
import Testing

/// Real parts: the leader and the follower each on a simulated bus behind its own pseudo-terminal, opened
/// by ``SerialPort``; the terminal keys on a pseudo-terminal as stdin would be.
@Suite("Teleop over pseudo-terminals", .serialized)
struct TeleopPseudoTerminalTests {
    static func raw(_ degrees: Float) -> [UInt8] {
        let value = Int(degrees * 4095 / 360 + 2000)
        return [UInt8(value & 0xFF), UInt8(value >> 8)]
    }

    @Test("dagger with an SO leader: leader moved to the follower with torque on, released for CORRECTING, follower follows it")
    func daggerCorrection() throws {
        let followerBus = try PseudoTerminalServos()
        let leaderBus = try PseudoTerminalServos()
        defer {
            followerBus.stop()
            leaderBus.stop()
        }
        let logger = Logger(label: "test")
        let follower = try SOFollower(
            bus: FeetechBus(link: try SerialPort(path: followerBus.devicePath), latencyMargin: 2),
            calibration: FeetechTests.calibration(), logger: logger)
        let leader = try SOLeader(
            bus: FeetechBus(link: try SerialPort(path: leaderBus.devicePath, flag: "--teleop.port"), latencyMargin: 2),
            calibration: FeetechTests.calibration(), logger: logger)
        try follower.connect()
        try leader.connect()
        #expect(leaderBus.withServos { $0.value(1, 40, 1) } == 0)
        let link = TeleopLink(robot: follower, teleop: leader)

        // AUTONOMOUS → PAUSED: the follower's last command was [20, -30, 40, 0, 10, 60].
        let last: [Float] = [20, -30, 40, 0, 10, 60]
        follower.send(last)
        for step in HandOver.dagger(.pauseEngine, actuated: true, lastAction: last) {
            link.perform(step, initialPosition: [])
        }
        #expect(leaderBus.withServos { s in (1...6).allSatisfy { s.value(UInt8($0), 40, 1) == 1 } })
        let leaderGoals = leader.action()
        #expect(zip(leaderGoals, last).allSatisfy { abs($0 - $1) < 0.2 }, "\(leaderGoals)")
        let feedbackWrites = leaderBus.withServos { $0.instructions.filter { $0[4] == 0x83 }.count }
        #expect(feedbackWrites == 61)

        // PAUSED → CORRECTING: torque off, the operator moves the leader, the follower's goals follow.
        for step in HandOver.dagger(.startCorrection, actuated: true, lastAction: last) { link.perform(step, initialPosition: []) }
        #expect(leaderBus.withServos { s in (1...6).allSatisfy { s.value(UInt8($0), 40, 1) == 0 } })
        for (tick, pan) in [Float(-45), 0, 30].enumerated() {
            leaderBus.withServos { s in
                s.set(1, 56, Self.raw(pan))
                s.set(3, 56, Self.raw(Float(tick) * 10))
            }
            #expect(link.forward() != nil)
            // The goal write has no reply: wait for the servos' thread to have taken it.
            let expected = [pan, Float(tick) * 10].map { Int($0 * 4095 / 360 + 2000) }
            var goals: [Int] = []
            let deadline = Date().addingTimeInterval(10)
            repeat {
                goals = followerBus.withServos { s in [s.value(1, 42, 2), s.value(3, 42, 2)] }
                if zip(goals, expected).allSatisfy({ abs($0 - $1) <= 1 }) { break }
                usleep(5_000)
            } while Date() < deadline
            #expect(zip(goals, expected).allSatisfy { abs($0 - $1) <= 1 }, "tick \(tick): \(goals) vs \(expected)")
        }
        #expect(link.commandsSent == 3 && abs((link.lastCommand?.first ?? 0) - 30) < 0.5)

        // CORRECTING → PAUSED: torque on again; → AUTONOMOUS: released.
        for step in HandOver.dagger(.endCorrection, actuated: true, lastAction: nil) { link.perform(step, initialPosition: []) }
        #expect(leaderBus.withServos { s in (1...6).allSatisfy { s.value(UInt8($0), 40, 1) == 1 } })
        for step in HandOver.dagger(.resumeAutonomy, actuated: true, lastAction: nil) { link.perform(step, initialPosition: []) }
        #expect(leaderBus.withServos { s in (1...6).allSatisfy { s.value(UInt8($0), 40, 1) == 0 } })
        leader.disconnect()
        follower.disconnect()
    }

    @Test("Terminal keys: raw mode (no ICANON, no ECHO) while reading, arrows split across writes, restored on stop")
    func terminalKeys() throws {
        let pty = try PseudoTerminalServos.openPair()
        defer {
            close(pty.master)
            close(pty.slave)
        }
        var before = termios()
        tcgetattr(pty.slave, &before)
        #expect(before.c_lflag & tcflag_t(ICANON) != 0)
        let received = Mutex<[Key]>([])
        let keys = try #require(TerminalKeys(fd: pty.slave) { key in received.withLock { $0.append(key) } })
        var during = termios()
        tcgetattr(pty.slave, &during)
        #expect(during.c_lflag & tcflag_t(ICANON | ECHO) == 0 && during.c_lflag & tcflag_t(ISIG) != 0)
        func write(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.write(pty.master, $0.baseAddress, $0.count) } }
        write([0x20, 0x09, 0x1B, 0x5B, 0x43])  // split sequences: KeyTests, byte by byte
        usleep(200_000)
        write([0x1B])  // a lone Escape: reported after the escape timeout
        let deadline = Date().addingTimeInterval(10)
        while received.withLock({ $0.count }) < 4, Date() < deadline { usleep(10_000) }
        #expect(received.withLock { $0 } == [.space, .tab, .right, .escape])
        keys.stop()
        var after = termios()
        tcgetattr(pty.slave, &after)
        #expect(after.c_lflag == before.c_lflag && after.c_iflag == before.c_iflag)
        let null = open("/dev/null", O_RDONLY)
        defer { close(null) }
        #expect(TerminalKeys(fd: null) { _ in } == nil)  // not a terminal: no raw mode
    }
}
#endif

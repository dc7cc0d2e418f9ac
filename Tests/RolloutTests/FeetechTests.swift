import Foundation
import Logging
import Rollout
import Testing

/// A bus of STS3215 servos in memory: it answers the instruction packets it is sent from a register file
/// per motor (the hardware cannot run here), and the present position follows the goal at once.
final class SimulatedServoBus: SerialLink {
    var registers: [UInt8: [UInt8]] = [:]
    var pending: [UInt8] = []
    var instructions: [[UInt8]] = []
    var isClosed = false

    init(ids: [UInt8] = [1, 2, 3, 4, 5, 6]) {
        for id in ids {
            var file = [UInt8](repeating: 0, count: 100)
            file[0] = 3
            file[1] = 10
            file[3] = UInt8(777 & 0xFF)
            file[4] = UInt8(777 >> 8)
            file[5] = id
            file[18] = 0x14  // Phase with bit 4 set: configure must clear it
            registers[id] = file
        }
    }

    func value(_ id: UInt8, _ address: Int, _ length: Int) -> Int {
        (0..<length).reduce(0) { $0 | Int(registers[id]![address + $1]) << (8 * $1) }
    }

    func set(_ id: UInt8, _ address: Int, _ bytes: [UInt8]) {
        for (i, b) in bytes.enumerated() { registers[id]![address + i] = b }
        if address == 42 { set(id, 56, bytes) }  // Goal_Position → Present_Position
    }

    func reply(_ id: UInt8, _ parameters: [UInt8] = []) {
        let body = [id, UInt8(parameters.count + 2), 0] + parameters
        pending += [0xFF, 0xFF] + body + [~UInt8(truncatingIfNeeded: body.reduce(0) { $0 + Int($1) })]
    }

    func write(_ bytes: [UInt8]) throws(RolloutError) {
        instructions.append(bytes)
        let id = bytes[2], instruction = bytes[4], p = Array(bytes[5..<(bytes.count - 1)])
        switch instruction {
        case 0x01: if registers[id] != nil { reply(id) }
        case 0x02: if let file = registers[id] { reply(id, Array(file[Int(p[0])..<Int(p[0]) + Int(p[1])])) }
        case 0x03: if registers[id] != nil { set(id, Int(p[0]), Array(p.dropFirst())); reply(id) }
        case 0x82: for motor in p.dropFirst(2) { reply(motor, Array(registers[motor]![Int(p[0])..<Int(p[0]) + Int(p[1])])) }
        case 0x83:
            let length = Int(p[1])
            var i = 2
            while i < p.count {
                set(p[i], Int(p[0]), Array(p[(i + 1)...(i + length)]))
                i += length + 1
            }
        default: break
        }
    }

    func read(count: Int, timeout: Double) throws(RolloutError) -> [UInt8] {
        guard pending.count >= count else { throw RolloutError(.robot, "serial read timed out after \(pending.count) of \(count) bytes") }
        defer { pending.removeFirst(count) }
        return Array(pending.prefix(count))
    }

    func discardInput() { pending = [] }
    func close() { isClosed = true }
}

@Suite("Feetech protocol and the SO-100/101 follower (against a simulated servo bus)")
struct FeetechTests {
    @Test("Instruction packets byte for byte (checksum = ~(id + len + instr + params))")
    func packets() throws {
        #expect(FeetechPacket.instruction(.ping, id: 1) == [0xFF, 0xFF, 0x01, 0x02, 0x01, 0xFB])
        #expect(FeetechPacket.instruction(.read, id: 1, parameters: [56, 2]) == [0xFF, 0xFF, 0x01, 0x04, 0x02, 0x38, 0x02, 0xBE])
        #expect(
            FeetechPacket.instruction(.syncWrite, id: 0xFE, parameters: [42, 2, 1, 0x00, 0x08])
                == [0xFF, 0xFF, 0xFE, 0x07, 0x83, 0x2A, 0x02, 0x01, 0x00, 0x08, 0x42])
        let status = try FeetechPacket.status([0xFF, 0xFF, 0x01, 0x04, 0x00, 0x00, 0x08, 0xF2])
        #expect(status.id == 1 && status.error == 0 && status.parameters == [0x00, 0x08])
        #expect(throws: RolloutError.self) { try FeetechPacket.status([0xFF, 0xFF, 0x01, 0x04, 0x00, 0x00, 0x08, 0xF3]) }
        #expect(FeetechPacket.errorDescription(0x24) == "overheat, overload")
    }

    @Test("Sign-magnitude at bit 15 and bit 11")
    func signMagnitude() throws {
        #expect(try SignMagnitude.encode(-5, signBit: 11) == 0x805)
        #expect(SignMagnitude.decode(0x805, signBit: 11) == -5)
        #expect(try SignMagnitude.encode(4095, signBit: 15) == 4095 && SignMagnitude.decode(0x8001, signBit: 15) == -1)
        #expect(throws: RolloutError.self) { try SignMagnitude.encode(2048, signBit: 11) }
    }

    @Test("Normalization: degrees around mid-range (unclamped, truncated back), gripper 0…100 clamped")
    func normalization() {
        let m = MotorCalibration(id: 1, homingOffset: 0, rangeMin: 1000, rangeMax: 3000)
        #expect(m.normalize(2000, mode: .degrees) == 0)
        #expect(m.unnormalize(90, mode: .degrees) == 3023)
        #expect(abs(m.normalize(3023, mode: .degrees) - 89.934) < 1e-3)
        #expect(m.normalize(4000, mode: .degrees) > m.normalize(3000, mode: .degrees))  // not clamped to the range
        #expect(m.normalize(2000, mode: .range0To100) == 50 && m.normalize(5000, mode: .range0To100) == 100)
        #expect(m.unnormalize(150, mode: .range0To100) == 3000)
    }

    static func calibration() -> [String: MotorCalibration] {
        Dictionary(
            uniqueKeysWithValues: SimulatedArm.jointNames.enumerated().map {
                ($1, MotorCalibration(id: $0 + 1, homingOffset: -20 + $0, rangeMin: 1000, rangeMax: 3000))
            })
    }

    @Test("connect: handshake, calibration written, LeRobot's configuration, torque on; observe/send/disconnect")
    func follower() throws {
        let bus = SimulatedServoBus()
        let arm = try SOFollower(bus: FeetechBus(link: bus), calibration: Self.calibration(), logger: Logger(label: "test"))
        try arm.connect()
        for id: UInt8 in 1...6 {
            #expect(SignMagnitude.decode(bus.value(id, 31, 2), signBit: 11) == -20 + Int(id) - 1)
            #expect(bus.value(id, 9, 2) == 1000 && bus.value(id, 11, 2) == 3000)
            #expect(bus.value(id, 40, 1) == 1 && bus.value(id, 55, 1) == 1)
            #expect(bus.value(id, 21, 1) == 16 && bus.value(id, 22, 1) == 32 && bus.value(id, 23, 1) == 0)
            #expect(bus.value(id, 18, 1) == 0x04 && bus.value(id, 85, 1) == 254)
        }
        #expect(bus.value(6, 16, 2) == 500 && bus.value(6, 28, 2) == 250 && bus.value(6, 36, 1) == 25)
        for id: UInt8 in 1...6 { bus.set(id, 56, [0xD0, 0x07]) }  // raw 2000 = mid-range
        #expect(arm.observe().positions == [0, 0, 0, 0, 0, 50])
        let syncReads = bus.instructions.filter { $0[4] == 0x82 }.count
        arm.send([90, -90, 0, 0, 0, 100])
        #expect(bus.value(1, 42, 2) == 3023)
        #expect(SignMagnitude.decode(bus.value(2, 42, 2), signBit: 15) == Int(-90 * 4095 / 360.0 + 2000))
        #expect(bus.value(6, 42, 2) == 3000)
        #expect(bus.instructions.last?[4] == 0x83 && syncReads == 1)
        arm.disconnect()
        #expect((1...6).allSatisfy { bus.value(UInt8($0), 40, 1) == 0 && bus.value(UInt8($0), 55, 1) == 0 } && bus.isClosed)
    }

    @Test("A missing servo or a wrong model fails connect with a table of what was found")
    func missingServo() throws {
        let bus = SimulatedServoBus(ids: [1, 2, 3, 4, 5])
        let arm = try SOFollower(bus: FeetechBus(link: bus), calibration: Self.calibration(), logger: Logger(label: "test"))
        let error = #expect(throws: RolloutError.self) { try arm.connect() }
        #expect(error?.message == "--robot.port: expected six STS3215 servos (model 777, ids 1-6); id 6: missing")
    }

    @Test("Calibration file: LeRobot's path rule and format")
    func calibrationFile() throws {
        let file = MotorCalibration.file(robotName: "so_follower", id: "", environment: ["HF_HOME": "/h"])
        #expect(file.path == "/h/lerobot/calibration/robots/so_follower/None.json")
        #expect(
            MotorCalibration.file(robotName: "so_follower", id: "arm1", environment: ["HF_LEROBOT_CALIBRATION": "/c"]).path
                == "/c/robots/so_follower/arm1.json")
        let missing = #expect(throws: RolloutError.self) { try MotorCalibration.load(file) }
        #expect(missing?.message.hasPrefix("no calibration file at /h/lerobot/calibration/robots/so_follower/None.json") == true)
    }
}

#if canImport(Glibc)
extension FeetechTests {
    @Test("Through a real pseudo-terminal: SerialPort + FeetechBus connect, read and write the servos")
    func overPseudoTerminal() throws {
        let pty = try PseudoTerminalServos()
        defer { pty.stop() }
        let arm = try SOFollower(
            // A generous margin: the other end is a test thread on a shared machine, not a servo.
            bus: FeetechBus(link: try SerialPort(path: pty.devicePath), latencyMargin: 2), calibration: Self.calibration(),
            logger: Logger(label: "test"))
        try arm.connect()
        #expect(pty.withServos { $0.value(3, 40, 1) } == 1)
        arm.send([0, 0, 45, 0, 0, 25])
        #expect(arm.observe().positions.map { ($0 * 10).rounded() / 10 } == [0, 0, 44.9, 0, 0, 25])
        arm.disconnect()
        #expect(pty.withServos { $0.value(3, 40, 1) } == 0)
    }
}
#endif

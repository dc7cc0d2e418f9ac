import ArgumentParser
import Foundation
import Logging
import Rollout
import Testing

@Suite("Teleoperators: the SO leader, flags, calibration files")
struct TeleopTests {
    @Test("SO leader: connect writes the calibration, torque off, position mode; reads Present_Position in .pos order")
    func leader() throws {
        let bus = SimulatedServoBus()
        for id: UInt8 in 1...6 { bus.set(id, 40, [1]) }  // torque on before connect: configure turns it off
        let leader = try SOLeader(bus: FeetechBus(link: bus), calibration: FeetechTests.calibration(), logger: Logger(label: "test"))
        #expect(leader.isActuated && leader.teleopType == "so101_leader")
        try leader.connect()
        for id: UInt8 in 1...6 {
            #expect(SignMagnitude.decode(bus.value(id, 31, 2), signBit: 11) == -20 + Int(id) - 1)
            #expect(bus.value(id, 9, 2) == 1000 && bus.value(id, 11, 2) == 3000)
            #expect(bus.value(id, 40, 1) == 0 && bus.value(id, 33, 1) == 0 && bus.value(id, 85, 1) == 254)
        }
        // The operator moves the arm: raw 3023 = +90°, 977 = −90° (sign-magnitude), gripper at 75 %.
        for (id, raw) in zip([UInt8](1...6), [3023, 977, 2000, 2000, 2000, 2500]) {
            bus.set(id, 56, [UInt8(raw & 0xFF), UInt8(raw >> 8)])
        }
        let action = leader.action()
        #expect(action.map { ($0 * 10).rounded() / 10 } == [89.9, -89.9, 0, 0, 0, 75])
        leader.enableTorque()
        #expect((1...6).allSatisfy { bus.value(UInt8($0), 40, 1) == 1 && bus.value(UInt8($0), 55, 1) == 1 })
        leader.sendFeedback([0, 0, 90, .nan, 0, 50])
        #expect(bus.value(3, 42, 2) == 3023 && bus.value(6, 42, 2) == 2000 && bus.value(4, 42, 2) == 0)
        leader.disableTorque()
        #expect((1...6).allSatisfy { bus.value(UInt8($0), 40, 1) == 0 })
        leader.disconnect()
        #expect(bus.isClosed)
    }

    @Test("A missing leader servo names --teleop.port")
    func missingServo() throws {
        let leader = try SOLeader(
            bus: FeetechBus(link: SimulatedServoBus(ids: [1, 2, 3, 4, 6])), calibration: FeetechTests.calibration(),
            logger: Logger(label: "test"))
        let error = #expect(throws: RolloutError.self) { try leader.connect() }
        #expect(error?.message == "--teleop.port: expected six STS3215 servos (model 777, ids 1-6); id 5: missing")
    }

    @Test("Calibration file: teleoperators/so_leader/<id>.json under LeRobot's roots")
    func calibrationFile() throws {
        #expect(
            MotorCalibration.file(.teleoperators, name: "so_leader", id: "l1", environment: ["HF_LEROBOT_CALIBRATION": "/c"]).path
                == "/c/teleoperators/so_leader/l1.json")
        #expect(
            MotorCalibration.file(.teleoperators, name: "so_leader", id: "", environment: ["HF_LEROBOT_HOME": "/lh", "HF_HOME": "/h"]).path
                == "/lh/calibration/teleoperators/so_leader/None.json")
        #expect(
            MotorCalibration.file(.teleoperators, name: "so_leader", id: "x", environment: ["HF_HOME": "/h"]).path
                == "/h/lerobot/calibration/teleoperators/so_leader/x.json")
        let missing = #expect(throws: RolloutError.self) {
            try MotorCalibration.load(URL(fileURLWithPath: "/nonexistent/l1.json"), idFlag: "--teleop.id")
        }
        #expect(missing?.message.contains("(--teleop.id selects the file)") == true)
    }

    @Test("--teleop.* flags: types, required port, unknown types refused naming the flag")
    func flags() throws {
        let base = RolloutOptionsTests.required + ["--strategy.type=dagger"]
        #expect(try RolloutOptions.parse(base).settings().teleop == nil)
        #expect(try RolloutOptions.parse(base + ["--teleop.type=keyboard"]).settings().teleop == TeleopSettings(kind: .keyboard))
        let leader = try RolloutOptions.parse(base + ["--teleop.type=so101_leader", "--teleop.port=/dev/ttyACM1", "--teleop.id=blue"])
            .settings().teleop
        #expect(leader == TeleopSettings(kind: .so101Leader, port: "/dev/ttyACM1", id: "blue"))
        func message(_ extra: [String]) -> String? {
            #expect(throws: RolloutError.self) { try RolloutOptions.parse(base + extra).settings() }?.message
        }
        #expect(message(["--teleop.type=gamepad"]) == "--teleop.type must be one of so100_leader, so101_leader, keyboard, got 'gamepad'")
        #expect(message(["--teleop.type=so100_leader"]) == "--teleop.port is required with --teleop.type=so100_leader (e.g. /dev/ttyACM1)")
        #expect(message(["--teleop.port=/dev/ttyACM1"])?.hasPrefix("--teleop.port and --teleop.id need --teleop.type") == true)
        let help = RolloutOptions.helpMessage().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("--teleop.type") && help.contains("q/a shoulder_pan") && help.contains("--teleop.port"))
    }
}

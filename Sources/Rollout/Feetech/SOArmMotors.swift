/// The six STS3215 servos of an SO-100/101 arm (ids 1…6) and LeRobot's calibration of them: what the
/// follower and the leader share (handshake, calibration check, torque, position reads and goal writes).
/// `portFlag` names the flag of the port in errors (`--robot.port`, `--teleop.port`).
final class SOArmMotors {
    let bus: FeetechBus
    let calibration: [String: MotorCalibration]
    let portFlag: String

    static let ids: [UInt8] = [1, 2, 3, 4, 5, 6]
    static let modelNumber = 777

    enum Register {
        static let firmwareMajor: UInt8 = 0, firmwareMinor: UInt8 = 1, modelNumber: UInt8 = 3
        static let returnDelay: UInt8 = 7, minLimit: UInt8 = 9, maxLimit: UInt8 = 11, maxTorque: UInt8 = 16
        static let phase: UInt8 = 18, p: UInt8 = 21, d: UInt8 = 22, i: UInt8 = 23, protectionCurrent: UInt8 = 28
        static let homingOffset: UInt8 = 31, operatingMode: UInt8 = 33, overloadTorque: UInt8 = 36
        static let torqueEnable: UInt8 = 40, acceleration: UInt8 = 41, goalPosition: UInt8 = 42, lock: UInt8 = 55
        static let presentPosition: UInt8 = 56, maxAcceleration: UInt8 = 85
    }

    /// All six motor names must be in `calibration`.
    init(bus: FeetechBus, calibration: [String: MotorCalibration], portFlag: String) throws(RolloutError) {
        let missing = SimulatedArm.jointNames.filter { calibration[$0] == nil }
        guard missing.isEmpty else { throw RolloutError(.robot, "the calibration lacks \(missing)") }
        self.bus = bus
        self.calibration = calibration
        self.portFlag = portFlag
    }

    /// Joints in degrees, the gripper in 0…100 (LeRobot's `use_degrees=True`).
    static func mode(_ index: Int) -> MotorCalibration.NormMode { index == 5 ? .range0To100 : .degrees }

    func motor(_ index: Int) -> MotorCalibration { calibration[SimulatedArm.jointNames[index]]! }

    /// Every id answers with model 777, and all run one firmware version.
    func handshake() throws(RolloutError) {
        var found: [String] = []
        for id in Self.ids {
            guard bus.ping(id) else {
                found.append("id \(id): missing")
                continue
            }
            let model = try bus.read(id, address: Register.modelNumber, length: 2)
            if model != Self.modelNumber { found.append("id \(id): model \(model)") }
        }
        guard found.isEmpty else {
            throw RolloutError(.robot, "\(portFlag): expected six STS3215 servos (model 777, ids 1-6); \(found.joined(separator: "; "))")
        }
        let firmware = Set(
            try Self.ids.map { id throws(RolloutError) in
                "\(try bus.read(id, address: Register.firmwareMajor, length: 1)).\(try bus.read(id, address: Register.firmwareMinor, length: 1))"
            })
        guard firmware.count == 1 else { throw RolloutError(.robot, "the servos run different firmware versions: \(firmware.sorted())") }
    }

    /// Writes the file's offsets and limits to the motors when they differ (torque must be off). True when written.
    func writeCalibrationIfNeeded() throws(RolloutError) -> Bool {
        guard try !isCalibrated() else { return false }
        for (index, id) in Self.ids.enumerated() {
            let m = motor(index)
            try bus.write(id, address: Register.homingOffset, length: 2, value: try SignMagnitude.encode(m.homingOffset, signBit: 11))
            try bus.write(id, address: Register.minLimit, length: 2, value: m.rangeMin)
            try bus.write(id, address: Register.maxLimit, length: 2, value: m.rangeMax)
        }
        return true
    }

    func isCalibrated() throws(RolloutError) -> Bool {
        for (index, id) in Self.ids.enumerated() {
            let m = motor(index)
            let offset = SignMagnitude.decode(try bus.read(id, address: Register.homingOffset, length: 2), signBit: 11)
            let lo = try bus.read(id, address: Register.minLimit, length: 2)
            let hi = try bus.read(id, address: Register.maxLimit, length: 2)
            if offset != m.homingOffset || lo != m.rangeMin || hi != m.rangeMax { return false }
        }
        return true
    }

    /// LeRobot's `configure_motors`: return delay 0, maximum acceleration and acceleration 254.
    func configureMotors() throws(RolloutError) {
        for id in Self.ids {
            try bus.write(id, address: Register.returnDelay, length: 1, value: 0)
            try bus.write(id, address: Register.maxAcceleration, length: 1, value: 254)
            try bus.write(id, address: Register.acceleration, length: 1, value: 254)
        }
    }

    /// Torque_Enable and Lock of every motor.
    func setTorque(_ on: Bool) throws(RolloutError) {
        for id in Self.ids {
            try bus.write(id, address: Register.torqueEnable, length: 1, value: on ? 1 : 0)
            try bus.write(id, address: Register.lock, length: 1, value: on ? 1 : 0)
        }
    }

    /// One SYNC READ of Present_Position, normalized.
    func readPositions() throws(RolloutError) -> [Float] {
        let raw = try bus.syncRead(Self.ids, address: Register.presentPosition, length: 2)
        return raw.enumerated().map { index, value in
            motor(index).normalize(SignMagnitude.decode(value, signBit: 15), mode: Self.mode(index))
        }
    }

    /// One SYNC WRITE of Goal_Position; non-finite values leave that motor's goal unchanged.
    func writeGoals(_ positions: [Float]) throws(RolloutError) {
        var goals: [(id: UInt8, value: Int)] = []
        for (index, value) in positions.prefix(6).enumerated() where value.isFinite {
            let raw = motor(index).unnormalize(value, mode: Self.mode(index))
            guard let encoded = try? SignMagnitude.encode(raw, signBit: 15) else { continue }
            goals.append((Self.ids[index], encoded))
        }
        guard !goals.isEmpty else { return }
        try bus.syncWrite(goals, address: Register.goalPosition, length: 2)
    }

    /// Torque off with 5 tries per register and motor (disconnect: best effort).
    func releaseTorque() {
        bus.link.discardInput()
        for id in Self.ids {
            for register in [Register.torqueEnable, Register.lock] {
                for _ in 0..<5 {
                    if (try? bus.write(id, address: register, length: 1, value: 0)) != nil { break }
                }
            }
        }
    }
}

import Foundation
public import Cameras
public import Logging

/// The SO-100 / SO-101 follower arm (`--robot.type=so100_follower|so101_follower`): six Feetech STS3215
/// servos (ids 1…6) on one bus, LeRobot's calibration file, joints in degrees and the gripper in 0…100
/// (edge-semantics §5.2–5.4). Its cameras are added by ``CameraRobot``.
public final class SOFollower: Robot {
    public let robotType = "so_follower"
    public let actionKeys = SimulatedArm.actionKeys
    public let cameras: [CameraConfiguration] = []
    let bus: FeetechBus
    let calibration: [String: MotorCalibration]
    let logger: Logger
    let disableTorqueOnDisconnect: Bool
    private var isConnected = false
    private var lastPositions = [Float](repeating: 0, count: 6)

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

    /// `calibration` maps motor names (`shoulder_pan`, …) to their calibration; all six must be there.
    public init(bus: FeetechBus, calibration: [String: MotorCalibration], logger: Logger, disableTorqueOnDisconnect: Bool = true)
        throws(RolloutError)
    {
        let missing = SimulatedArm.jointNames.filter { calibration[$0] == nil }
        guard missing.isEmpty else { throw RolloutError(.robot, "the calibration lacks \(missing)") }
        self.bus = bus
        self.calibration = calibration
        self.logger = logger
        self.disableTorqueOnDisconnect = disableTorqueOnDisconnect
    }

    static func mode(_ index: Int) -> MotorCalibration.NormMode { index == 5 ? .range0To100 : .degrees }

    func motor(_ index: Int) -> MotorCalibration { calibration[SimulatedArm.jointNames[index]]! }

    /// Handshake (every id answers with model 777, one firmware version), calibration check (the file's
    /// values are written to the motors when they differ), configuration, torque on.
    public func connect() throws(RolloutError) {
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
            throw RolloutError(.robot, "--robot.port: expected six STS3215 servos (model 777, ids 1-6); \(found.joined(separator: "; "))")
        }
        let firmware = Set(try Self.ids.map { id throws(RolloutError) in
            "\(try bus.read(id, address: Register.firmwareMajor, length: 1)).\(try bus.read(id, address: Register.firmwareMinor, length: 1))"
        })
        guard firmware.count == 1 else { throw RolloutError(.robot, "the servos run different firmware versions: \(firmware.sorted())") }
        try setTorque(false)
        if try !isCalibrated() {
            logger.info("Writing the calibration file's offsets and limits to the motors")
            for (index, id) in Self.ids.enumerated() {
                let m = motor(index)
                try bus.write(id, address: Register.homingOffset, length: 2, value: try SignMagnitude.encode(m.homingOffset, signBit: 11))
                try bus.write(id, address: Register.minLimit, length: 2, value: m.rangeMin)
                try bus.write(id, address: Register.maxLimit, length: 2, value: m.rangeMax)
            }
        }
        try configure()
        isConnected = true
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

    func configure() throws(RolloutError) {
        for id in Self.ids {
            try bus.write(id, address: Register.returnDelay, length: 1, value: 0)
            try bus.write(id, address: Register.maxAcceleration, length: 1, value: 254)
            try bus.write(id, address: Register.acceleration, length: 1, value: 254)
            let phase = try bus.read(id, address: Register.phase, length: 1)
            if phase & 0x10 != 0 { try bus.write(id, address: Register.phase, length: 1, value: phase & ~0x10) }
            try bus.write(id, address: Register.operatingMode, length: 1, value: 0)
            try bus.write(id, address: Register.p, length: 1, value: 16)
            try bus.write(id, address: Register.i, length: 1, value: 0)
            try bus.write(id, address: Register.d, length: 1, value: 32)
        }
        let gripper = Self.ids[5]
        try bus.write(gripper, address: Register.maxTorque, length: 2, value: 500)
        try bus.write(gripper, address: Register.protectionCurrent, length: 2, value: 250)
        try bus.write(gripper, address: Register.overloadTorque, length: 1, value: 25)
        try setTorque(true)
    }

    func setTorque(_ on: Bool) throws(RolloutError) {
        for id in Self.ids {
            try bus.write(id, address: Register.torqueEnable, length: 1, value: on ? 1 : 0)
            try bus.write(id, address: Register.lock, length: 1, value: on ? 1 : 0)
        }
    }

    /// One SYNC READ of Present_Position, normalized. A failed read repeats the last good reading (logged).
    public func observe() -> RobotFrame {
        guard let raw = try? bus.syncRead(Self.ids, address: Register.presentPosition, length: 2) else {
            logger.warning("Present_Position sync read failed; using the previous reading")
            return RobotFrame(positions: lastPositions)
        }
        lastPositions = raw.enumerated().map { index, value in
            motor(index).normalize(SignMagnitude.decode(value, signBit: 15), mode: Self.mode(index))
        }
        return RobotFrame(positions: lastPositions)
    }

    /// One SYNC WRITE of Goal_Position; non-finite values leave that motor's goal unchanged.
    public func send(_ positions: [Float]) {
        var goals: [(id: UInt8, value: Int)] = []
        for (index, value) in positions.prefix(6).enumerated() where value.isFinite {
            let raw = motor(index).unnormalize(value, mode: Self.mode(index))
            guard let encoded = try? SignMagnitude.encode(raw, signBit: 15) else { continue }
            goals.append((Self.ids[index], encoded))
        }
        do {
            try bus.syncWrite(goals, address: Register.goalPosition, length: 2)
        } catch {
            logger.warning("Goal_Position sync write failed: \(error.message)")
        }
    }

    /// Torque off (5 tries per motor), then the port is closed.
    public func disconnect() {
        if isConnected && disableTorqueOnDisconnect {
            bus.link.discardInput()
            for id in Self.ids {
                for register in [Register.torqueEnable, Register.lock] {
                    for _ in 0..<5 {
                        if (try? bus.write(id, address: register, length: 1, value: 0)) != nil { break }
                    }
                }
            }
        }
        isConnected = false
        bus.link.close()
    }
}

public import Cameras
import Foundation
public import Logging

/// The SO-100 / SO-101 follower arm (`--robot.type=so100_follower|so101_follower`): six Feetech STS3215
/// servos (ids 1…6) on one bus, LeRobot's calibration file, joints in degrees and the gripper in 0…100
/// (edge-semantics §5.2–5.4). Its cameras are added by ``CameraRobot``.
public final class SOFollower: Robot {
    public let robotType = "so_follower"
    public let actionKeys = SimulatedArm.actionKeys
    public let cameras: [CameraConfiguration] = []
    let motors: SOArmMotors
    let logger: Logger
    let disableTorqueOnDisconnect: Bool
    private var isConnected = false
    private var lastPositions = [Float](repeating: 0, count: 6)

    typealias Register = SOArmMotors.Register

    var bus: FeetechBus { motors.bus }

    /// `calibration` maps motor names (`shoulder_pan`, …) to their calibration; all six must be there.
    public init(bus: FeetechBus, calibration: [String: MotorCalibration], logger: Logger, disableTorqueOnDisconnect: Bool = true)
        throws(RolloutError)
    {
        self.motors = try SOArmMotors(bus: bus, calibration: calibration, portFlag: "--robot.port")
        self.logger = logger
        self.disableTorqueOnDisconnect = disableTorqueOnDisconnect
    }

    /// Handshake (every id answers with model 777, one firmware version), calibration check (the file's
    /// values are written to the motors when they differ), configuration, torque on.
    public func connect() throws(RolloutError) {
        try motors.handshake()
        try motors.setTorque(false)
        if try motors.writeCalibrationIfNeeded() {
            logger.info("Wrote the calibration file's offsets and limits to the motors")
        }
        try configure()
        isConnected = true
    }

    func configure() throws(RolloutError) {
        try motors.configureMotors()
        for id in SOArmMotors.ids {
            let phase = try bus.read(id, address: Register.phase, length: 1)
            if phase & 0x10 != 0 { try bus.write(id, address: Register.phase, length: 1, value: phase & ~0x10) }
            try bus.write(id, address: Register.operatingMode, length: 1, value: 0)
            try bus.write(id, address: Register.p, length: 1, value: 16)
            try bus.write(id, address: Register.i, length: 1, value: 0)
            try bus.write(id, address: Register.d, length: 1, value: 32)
        }
        let gripper = SOArmMotors.ids[5]
        try bus.write(gripper, address: Register.maxTorque, length: 2, value: 500)
        try bus.write(gripper, address: Register.protectionCurrent, length: 2, value: 250)
        try bus.write(gripper, address: Register.overloadTorque, length: 1, value: 25)
        try motors.setTorque(true)
    }

    /// One SYNC READ of Present_Position, normalized. A failed read repeats the last good reading (logged).
    public func observe() -> RobotFrame {
        do {
            lastPositions = try motors.readPositions()
        } catch {
            logger.warning("Present_Position sync read failed; using the previous reading")
        }
        return RobotFrame(positions: lastPositions)
    }

    /// One SYNC WRITE of Goal_Position; non-finite values leave that motor's goal unchanged.
    public func send(_ positions: [Float]) {
        do {
            try motors.writeGoals(positions)
        } catch {
            logger.warning("Goal_Position sync write failed: \(error.message)")
        }
    }

    /// Torque off (5 tries per motor), then the port is closed.
    public func disconnect() {
        if isConnected && disableTorqueOnDisconnect { motors.releaseTorque() }
        isConnected = false
        bus.link.close()
    }
}

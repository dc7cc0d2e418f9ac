import Foundation
public import Logging

/// The SO-100 / SO-101 leader arm (`--teleop.type=so100_leader|so101_leader`, LeRobot's `SOLeader`): the same
/// six STS3215 servos as the follower, read with one SYNC READ of Present_Position per tick, LeRobot's
/// calibration file under `teleoperators/so_leader/<id>.json`, joints in degrees and the gripper in 0…100
/// (`use_degrees=True`). Actuated: torque can be switched and goals written (LeRobot's hand-over).
public final class SOLeader: Teleoperator {
    public let teleopType: String
    public var isActuated: Bool { true }
    let motors: SOArmMotors
    let logger: Logger
    private var isConnected = false
    private var lastPositions = [Float](repeating: .nan, count: 6)

    public init(type: String = "so101_leader", bus: FeetechBus, calibration: [String: MotorCalibration], logger: Logger)
        throws(RolloutError)
    {
        self.teleopType = type
        self.motors = try SOArmMotors(bus: bus, calibration: calibration, portFlag: "--teleop.port")
        self.logger = logger
    }

    /// Handshake, the calibration file written to the motors where they differ, then LeRobot's `configure`:
    /// torque off, `configure_motors`, position mode. The torque stays off: the operator moves the arm.
    public func connect() throws(RolloutError) {
        try motors.handshake()
        try motors.setTorque(false)
        if try motors.writeCalibrationIfNeeded() {
            logger.info("Wrote the leader's calibration file to its motors")
        }
        try motors.configureMotors()
        for id in SOArmMotors.ids {
            try motors.bus.write(id, address: SOArmMotors.Register.operatingMode, length: 1, value: 0)
        }
        isConnected = true
    }

    /// Present_Position of the six motors; a failed read repeats the last good reading (NaN before the
    /// first: the follower's goals stay).
    public func action() -> [Float] {
        do {
            lastPositions = try motors.readPositions()
        } catch {
            logger.warning("leader Present_Position sync read failed; using the previous reading")
        }
        return lastPositions
    }

    public func enableTorque() { torque(true) }
    public func disableTorque() { torque(false) }

    private func torque(_ on: Bool) {
        do {
            try motors.setTorque(on)
        } catch {
            logger.warning("leader torque \(on ? "on" : "off") failed: \(error.message)")
        }
    }

    public func sendFeedback(_ positions: [Float]) {
        do {
            try motors.writeGoals(positions)
        } catch {
            logger.warning("leader Goal_Position sync write failed: \(error.message)")
        }
    }

    /// LeRobot's `bus.disconnect()` (torque off by default), then the port is closed.
    public func disconnect() {
        if isConnected { motors.releaseTorque() }
        isConnected = false
        motors.bus.link.close()
    }
}

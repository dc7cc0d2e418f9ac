public import Logging

/// Builds the robot `--robot.type` names.
public enum RobotFactory {
    public static func make(_ settings: RolloutSettings, logger: Logger) throws(RolloutError) -> any Robot {
        switch settings.robotType {
        case "so100_follower", "so101_follower":
            #if canImport(Glibc)
            let calibration = try MotorCalibration.load(MotorCalibration.file(robotName: "so_follower", id: settings.robotID))
            let port = try SerialPort(path: settings.robotPort)
            return try SOFollower(bus: FeetechBus(link: port), calibration: calibration, logger: logger)
            #else
            throw RolloutError(.unsupported, "--robot.type=\(settings.robotType) needs a POSIX serial port (Linux)")
            #endif
        default:
            return SimulatedRobot(cameras: settings.cameras)
        }
    }
}

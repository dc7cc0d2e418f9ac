import Cameras
public import Logging

/// Builds the robot `--robot.type` names, with its cameras: `type: sim` cameras render the simulated arm,
/// `type: opencv` cameras (devices, files, streams) are read through FFmpeg by a ``CameraRobot``.
public enum RobotFactory {
    public static func make(_ settings: RolloutSettings, logger: Logger) throws(RolloutError) -> any Robot {
        let arm: any Robot
        switch settings.robotType {
        case "so100_follower", "so101_follower":
            #if canImport(Glibc)
            let calibration = try MotorCalibration.load(MotorCalibration.file(robotName: "so_follower", id: settings.robotID))
            let port = try SerialPort(path: settings.robotPort)
            arm = try SOFollower(bus: FeetechBus(link: port), calibration: calibration, logger: logger)
            #else
            throw RolloutError(.unsupported, "--robot.type=\(settings.robotType) needs a POSIX serial port (Linux)")
            #endif
        default:
            arm = SimulatedRobot(cameras: settings.cameras.filter { $0.type == .sim })
        }
        let real = settings.cameras.filter { $0.type == .opencv }
        guard !real.isEmpty else { return arm }
        return CameraRobot(
            arm: arm, cameras: settings.cameras, readers: real.map { CameraReader(configuration: $0, logger: logger) })
    }
}

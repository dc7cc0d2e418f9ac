public import ArgumentParser
public import Logging

/// The `--teleop.*` flags of `lerobot-rollout`, spelled as LeRobot's.
public struct TeleopOptions: ParsableArguments {
    public init() {}

    @Option(
        name: .customLong("teleop.type"),
        help: ArgumentHelp(
            "so100_leader | so101_leader | keyboard: drives the robot while CORRECTING (dagger) and in episodic reset "
                + "phases (none: the arm holds). keyboard, with a terminal on stdin, jogs a joint 2 units a press: q/a shoulder_pan, "
                + "w/s shoulder_lift, e/d elbow_flex, r/f wrist_flex, t/g wrist_roll, y/h gripper (+/-)"))
    public var type = ""
    @Option(name: .customLong("teleop.port"), help: "the leader arm's serial port (so100_leader, so101_leader), e.g. /dev/ttyACM1")
    public var port = ""
    @Option(name: .customLong("teleop.id"), help: "selects the leader's calibration file teleoperators/so_leader/<id>.json")
    public var id = ""

    /// nil without `--teleop.type`; errors name the flag.
    public func settings() throws(RolloutError) -> TeleopSettings? {
        guard !type.isEmpty else {
            guard port.isEmpty, id.isEmpty else {
                throw RolloutError(
                    .invalidOption, "--teleop.port and --teleop.id need --teleop.type (so100_leader, so101_leader, keyboard)")
            }
            return nil
        }
        guard let kind = TeleopSettings.Kind(rawValue: type) else {
            throw RolloutError(.invalidOption, "--teleop.type must be one of so100_leader, so101_leader, keyboard, got '\(type)'")
        }
        if kind != .keyboard, port.isEmpty {
            throw RolloutError(.invalidOption, "--teleop.port is required with --teleop.type=\(type) (e.g. /dev/ttyACM1)")
        }
        return TeleopSettings(kind: kind, port: port, id: id)
    }
}

/// The validated `--teleop.*` flags.
public struct TeleopSettings: Sendable, Hashable {
    public enum Kind: String, Sendable {
        case so100Leader = "so100_leader"
        case so101Leader = "so101_leader"
        case keyboard
    }

    public var kind: Kind
    public var port: String
    public var id: String

    public init(kind: Kind, port: String = "", id: String = "") {
        self.kind = kind
        self.port = port
        self.id = id
    }
}

/// Builds the teleoperator `--teleop.type` names.
public enum TeleopFactory {
    public static func make(_ settings: TeleopSettings, logger: Logger) throws(RolloutError) -> any Teleoperator {
        switch settings.kind {
        case .keyboard:
            return KeyboardJog()
        case .so100Leader, .so101Leader:
            #if canImport(Glibc)
            let calibration = try MotorCalibration.load(
                MotorCalibration.file(.teleoperators, name: "so_leader", id: settings.id), idFlag: "--teleop.id")
            let port = try SerialPort(path: settings.port, flag: "--teleop.port")
            return try SOLeader(type: settings.kind.rawValue, bus: FeetechBus(link: port), calibration: calibration, logger: logger)
            #else
            throw RolloutError(.unsupported, "--teleop.type=\(settings.kind.rawValue) needs a POSIX serial port (Linux)")
            #endif
        }
    }
}

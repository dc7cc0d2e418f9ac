public import Foundation
import JSON

/// One motor's calibration, as LeRobot's calibration file stores it (edge-semantics §5.4).
public struct MotorCalibration: Sendable, Hashable {
    public var id: Int
    public var driveMode: Int
    public var homingOffset: Int
    public var rangeMin: Int
    public var rangeMax: Int

    public init(id: Int, driveMode: Int = 0, homingOffset: Int, rangeMin: Int, rangeMax: Int) {
        self.id = id
        self.driveMode = driveMode
        self.homingOffset = homingOffset
        self.rangeMin = rangeMin
        self.rangeMax = rangeMax
    }

    /// How a position register maps to policy units.
    public enum NormMode: Sendable {
        /// Degrees around the calibrated mid-range (joints).
        case degrees
        /// 0…100 over the calibrated range (gripper).
        case range0To100
    }

    /// Raw register value → policy units.
    public func normalize(_ raw: Int, mode: NormMode) -> Float {
        let lo = Double(rangeMin), hi = Double(rangeMax)
        switch mode {
        case .degrees:
            return Float((Double(raw) - (lo + hi) / 2) * 360 / 4095)
        case .range0To100:
            let clamped = min(max(Double(raw), lo), hi)
            let value = (clamped - lo) / (hi - lo) * 100
            return Float(driveMode != 0 ? 100 - value : value)
        }
    }

    /// Policy units → raw register value (truncated toward zero, as LeRobot does).
    public func unnormalize(_ value: Float, mode: NormMode) -> Int {
        let lo = Double(rangeMin), hi = Double(rangeMax)
        switch mode {
        case .degrees:
            return Int(Double(value) * 4095 / 360 + (lo + hi) / 2)
        case .range0To100:
            var v = Double(value)
            if driveMode != 0 { v = 100 - v }
            v = min(max(v, 0), 100)
            return Int(v / 100 * (hi - lo) + lo)
        }
    }

    /// LeRobot's calibration folders: `robots/<name>` and `teleoperators/<name>`.
    public enum Device: String, Sendable {
        case robots, teleoperators
    }

    /// `<root>/robots/<name>/<id>.json`: see ``file(_:name:id:environment:)``.
    public static func file(robotName: String, id: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        file(.robots, name: robotName, id: id, environment: environment)
    }

    /// LeRobot's rule: `<root>/<device>/<name>/<id>.json` with `root = $HF_LEROBOT_CALIBRATION`, else
    /// `$HF_LEROBOT_HOME/calibration`, `HF_LEROBOT_HOME` defaulting to `$HF_HOME/lerobot` and `HF_HOME` to
    /// `~/.cache/huggingface`; an empty id is LeRobot's literal `None.json`.
    public static func file(
        _ device: Device, name: String, id: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        func expand(_ path: String) -> URL { URL(fileURLWithPath: (path as NSString).expandingTildeInPath) }
        let root: URL
        if let base = environment["HF_LEROBOT_CALIBRATION"] {
            root = expand(base)
        } else {
            let lerobotHome =
                environment["HF_LEROBOT_HOME"].map(expand)
                ?? (environment["HF_HOME"].map(expand)
                ?? URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(".cache/huggingface"))
                .appendingPathComponent("lerobot")
            root = lerobotHome.appendingPathComponent("calibration")
        }
        return root.appendingPathComponent("\(device.rawValue)/\(name)/\(id.isEmpty ? "None" : id).json")
    }

    /// Reads a calibration file (motor name → calibration).
    public static func load(_ file: URL, idFlag: String = "--robot.id") throws(RolloutError) -> [String: MotorCalibration] {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw RolloutError(
                .robot,
                "no calibration file at \(file.path): calibrate the arm with LeRobot (lerobot-calibrate) first; "
                    + "interactive calibration is not in this build (\(idFlag) selects the file)")
        }
        func wrongFormat(_ why: String) -> RolloutError {
            RolloutError(.robot, "calibration \(file.path) is not LeRobot's format: \(why)")
        }
        let document: JSONValue
        do { document = try JSONValue(parsing: [UInt8](data)) } catch { throw wrongFormat("not valid JSON: \(error)") }
        guard let motors = document.object else { throw wrongFormat("must be an object of motors, got \(document.kindName)") }
        var calibration: [String: MotorCalibration] = [:]
        for (name, entry) in motors {
            func field(_ key: String) throws(RolloutError) -> Int {
                guard let value = entry[key]?.int else {
                    throw wrongFormat("\(name).\(key) must be an integer, got \(entry[key]?.description ?? "nothing")")
                }
                return value
            }
            let motor = MotorCalibration(
                id: try field("id"), driveMode: try field("drive_mode"), homingOffset: try field("homing_offset"),
                rangeMin: try field("range_min"), rangeMax: try field("range_max"))
            guard motor.rangeMin != motor.rangeMax else {
                throw RolloutError(.robot, "calibration \(file.path): \(name) has range_min == range_max (\(motor.rangeMin))")
            }
            calibration[name] = motor
        }
        return calibration
    }
}

import Foundation

/// An SO-100-like 6-joint arm in simulation (`--robot.type=sim`): LeRobot's joint names and order, positions
/// in degrees (gripper 0–100), each joint tracking its commanded position with first-order dynamics.
public struct SimulatedArm: Sendable {
    /// The motors, in action/state order.
    public static let jointNames = [
        "shoulder_pan", "shoulder_lift", "elbow_flex", "wrist_flex", "wrist_roll", "gripper",
    ]
    /// `<motor>.pos`, the robot's ordered action keys.
    public static let actionKeys = jointNames.map { "\($0).pos" }
    /// Joint limits (degrees; the gripper in percent).
    public static let limits: [ClosedRange<Float>] = [
        -110...110, -100...100, -100...100, -100...100, -160...160, 0...100,
    ]

    /// Current positions.
    public private(set) var positions: [Float]
    /// Commanded positions.
    public private(set) var targets: [Float]
    /// Time constant of the first-order response, seconds.
    public let timeConstant: Double
    private var lastUpdate: Double?

    public init(initial: [Float] = [0, -20, 30, 10, 0, 20], timeConstant: Double = 0.08) {
        let clamped = zip(initial, Self.limits).map { min(max($0, $1.lowerBound), $1.upperBound) }
        positions = clamped
        targets = clamped
        self.timeConstant = timeConstant
    }

    /// Advances the dynamics to monotonic time `now` (seconds).
    public mutating func advance(to now: Double) {
        defer { lastUpdate = now }
        guard let last = lastUpdate, now > last else { return }
        let alpha = Float(1 - exp(-(now - last) / max(1e-6, timeConstant)))
        for j in positions.indices {
            positions[j] += (targets[j] - positions[j]) * alpha
        }
    }

    /// Commands new positions (clamped to the limits); returns what was actually sent.
    @discardableResult
    public mutating func send(_ action: [Float], at now: Double) -> [Float] {
        advance(to: now)
        for j in targets.indices where j < action.count && action[j].isFinite {
            targets[j] = min(max(action[j], Self.limits[j].lowerBound), Self.limits[j].upperBound)
        }
        return targets
    }
}

import Foundation
import PolicyWire
import RemoteInference

/// A teleoperator wired to the follower: forwards the operator's command each tick and performs the
/// ``HandOver`` steps. Used from the control thread only.
public final class TeleopLink {
    public let robot: any Robot
    public let teleop: any Teleoperator
    /// Commands sent to the follower so far (forwarded and hand-over moves).
    public private(set) var commandsSent = 0
    /// The newest of them (motor order).
    public private(set) var lastCommand: [Float]?

    public init(robot: any Robot, teleop: any Teleoperator) {
        self.robot = robot
        self.teleop = teleop
    }

    private func send(_ command: [Float]) {
        robot.send(command)
        commandsSent += 1
        lastCommand = command
    }

    /// One tick of teleoperation: the teleop's action to the follower (LeRobot's identity processors). Returns
    /// what was sent; nil when the teleop has no command yet.
    @discardableResult
    public func forward() -> [Float]? {
        let action = teleop.action()
        guard !action.isEmpty, action.contains(where: \.isFinite) else { return nil }
        send(action)
        return action
    }

    /// Performs `step`; `initialPosition` is the pose captured at connect.
    public func perform(_ step: HandOver.Step, initialPosition: [Float]) {
        switch step {
        case .leaderTorque(let on):
            if on { teleop.enableTorque() } else { teleop.disableTorque() }
        case .moveLeader(let target):
            teleop.enableTorque()
            let start = teleop.action()
            Self.paced(steps: 60, rate: 30, includingStart: true) { t in
                teleop.sendFeedback(HandOver.interpolate(start, target, t))
            }
        case .slideFollower(let from):
            teleop.align(to: from)
            let target = teleop.action()
            guard !target.isEmpty else { return }
            Self.paced(steps: 30, rate: 30, includingStart: true) { t in
                send(HandOver.interpolate(from, target, t))
            }
        case .returnToInitialPosition:
            let start = robot.observe().positions
            Self.paced(steps: 50, rate: 50, includingStart: false) { t in
                send(HandOver.interpolate(start, initialPosition, t))
            }
        }
    }

    /// `steps` (+1 with `includingStart`) calls at `rate`, with t from 0 (or 1/steps) to 1.
    static func paced(steps: Int, rate: Double, includingStart: Bool, _ body: (Float) -> Void) {
        var next = MonotonicClock.seconds
        for step in (includingStart ? 0 : 1)...steps {
            body(Float(step) / Float(steps))
            next += 1 / rate
            let wait = next - MonotonicClock.seconds
            if wait > 0 { usleep(useconds_t(wait * 1e6)) }
        }
    }
}

import NIOCore
import PolicyWire
import Rollout
import Testing

@Suite("Simulated SO-100-like arm and cameras")
struct SimulatedRobotTests {
    @Test("Joint names and order are LeRobot's")
    func names() {
        #expect(
            SimulatedArm.actionKeys == [
                "shoulder_pan.pos", "shoulder_lift.pos", "elbow_flex.pos", "wrist_flex.pos", "wrist_roll.pos", "gripper.pos",
            ])
    }

    @Test("First-order tracking: 63 % of a step after one time constant, converged after many; limits clamp")
    func dynamics() {
        var arm = SimulatedArm(initial: [0, 0, 0, 0, 0, 0], timeConstant: 0.1)
        arm.advance(to: 0)
        let sent = arm.send([100, 0, 0, 0, 0, 500], at: 0)
        #expect(sent[5] == 100)
        arm.advance(to: 0.1)
        #expect(abs(arm.positions[0] - 63.2) < 0.2)
        arm.advance(to: 2)
        #expect(abs(arm.positions[0] - 100) < 0.01 && abs(arm.positions[5] - 100) < 0.01)
    }

    @Test("Frames have the configured size, change with the arm, and JPEG like camera frames")
    func frames() throws {
        var camera = SimulatedCamera(width: 640, height: 480)
        let a = camera.frame(positions: [0, -20, 30, 10, 0, 20])
        let b = camera.frame(positions: [40, 20, -30, 10, 0, 80])
        #expect(a.width == 640 && a.height == 480 && a.pixels != b.pixels)
        let jpeg = try JPEGEncoder().encode(a, quality: 90)
        // A real 640×480 scene at q90 is tens of kilobytes; a flat image would be a few.
        #expect(jpeg.readableBytes > 20_000 && jpeg.readableBytes < 300_000)
    }
}

import Foundation
import Testing

@testable import PolicyRuntime

@Suite("Relative actions")
struct RelativeActionsTests {
    static let names = ["shoulder_pan.pos", "shoulder_lift.pos", "elbow_flex.pos", "wrist_flex.pos", "wrist_roll.pos", "Gripper.pos"]

    @Test("Mask: an exclude token equal to or inside a name (any case) excludes it; no tokens or no names = all relative")
    func mask() {
        #expect(
            RelativeActions(actionDim: 6, excludeJoints: ["gripper"], actionNames: Self.names).mask == [
                true, true, true, true, true, false,
            ])
        #expect(RelativeActions(actionDim: 6, excludeJoints: ["gripper"], actionNames: []).mask == Array(repeating: true, count: 6))
        #expect(RelativeActions(actionDim: 6, excludeJoints: [], actionNames: Self.names).mask == Array(repeating: true, count: 6))
        // Dimensions past the name list are relative.
        #expect(RelativeActions(actionDim: 3, excludeJoints: ["LIFT"], actionNames: ["pan", "lift"]).mask == [true, false, true])
    }

    @Test("to_absolute adds the state on masked dims of every row; to_relative undoes it")
    func conversions() {
        let relative = RelativeActions(actionDim: 3, excludeJoints: ["grip"], actionNames: ["a", "b", "grip"])
        var chunk: [Float] = [1, 2, 3, 10, 20, 30]
        relative.toAbsolute(&chunk, state: [0.5, -1, 100, 7])
        #expect(chunk == [1.5, 1, 3, 10.5, 19, 30])
        relative.toRelative(&chunk, state: [0.5, -1, 100, 7])
        #expect(chunk == [1, 2, 3, 10, 20, 30])
    }
}

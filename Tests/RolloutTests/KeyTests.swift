import Rollout
import Testing

@Suite("Keys: terminal bytes → keys → LeRobot's meanings")
struct KeyTests {
    func decode(_ chunks: [[UInt8]], flush: Bool = false) -> [Key] {
        var decoder = KeyDecoder()
        var keys = chunks.flatMap { decoder.feed($0) }
        if flush { keys += decoder.flush() }
        return keys
    }

    @Test("Single bytes: space, tab, Enter (CR and LF), letters lower-cased, control bytes ignored")
    func singleBytes() {
        #expect(decode([[0x20, 0x09, 0x0D, 0x0A]]) == [.space, .tab, .enter, .enter])
        #expect(decode([[0x71, 0x41, 0x68]]) == [.character("q"), .character("a"), .character("h")])
        #expect(decode([[0x00, 0x04, 0x7F]]).isEmpty)
    }

    @Test("Arrows: ESC [ A/B/C/D, application mode ESC O C, modifiers ESC [ 1 ; 5 C")
    func arrows() {
        #expect(decode([[0x1B, 0x5B, 0x41, 0x1B, 0x5B, 0x42, 0x1B, 0x5B, 0x43, 0x1B, 0x5B, 0x44]]) == [.up, .down, .right, .left])
        #expect(decode([[0x1B, 0x4F, 0x43], [0x1B, 0x4F, 0x44]]) == [.right, .left])
        #expect(decode([[0x1B, 0x5B, 0x31, 0x3B, 0x35, 0x43]]) == [.right])
        #expect(decode([[0x1B, 0x5B, 0x33, 0x7E]]).isEmpty)  // Delete: not ours
    }

    @Test("An escape sequence split across reads, byte by byte, completes on the last byte")
    func splitSequences() {
        var decoder = KeyDecoder()
        #expect(decoder.feed([0x1B]).isEmpty && decoder.hasPending)
        #expect(decoder.feed([0x5B]).isEmpty && decoder.hasPending)
        #expect(decoder.feed([0x43]) == [.right] && !decoder.hasPending)
        #expect(decoder.feed([0x1B, 0x5B]).isEmpty)
        #expect(decoder.feed([0x44, 0x20]) == [.left, .space])
    }

    @Test("A lone ESC is Escape only when nothing followed (flush); ESC ESC [ A is Escape then ↑")
    func loneEscape() {
        #expect(decode([[0x1B]]).isEmpty)
        #expect(decode([[0x1B]], flush: true) == [.escape])
        #expect(decode([[0x1B, 0x1B, 0x5B, 0x41]]) == [.escape, .up])
        #expect(decode([[0x1B, 0x5B]], flush: true).isEmpty)  // an unfinished sequence is dropped
        #expect(decode([[0x1B, 0x78, 0x20]]) == [.space])  // Alt+x: ignored
    }

    @Test("LeRobot's bindings: dagger space/tab/Enter, episodic →/←, Esc stops everywhere")
    func bindings() {
        #expect(KeyBindings.action(for: .space, strategy: .dagger, jog: false) == .dagger(.pauseResume))
        #expect(KeyBindings.action(for: .tab, strategy: .dagger, jog: false) == .dagger(.correction))
        #expect(KeyBindings.action(for: .enter, strategy: .dagger, jog: false) == .upload)
        #expect(KeyBindings.action(for: .right, strategy: .episodic, jog: false) == .episodic(.exitEarly))
        #expect(KeyBindings.action(for: .left, strategy: .episodic, jog: false) == .episodic(.rerecord))
        #expect(KeyBindings.action(for: .escape, strategy: .episodic, jog: false) == .stop)
        #expect(KeyBindings.action(for: .escape, strategy: .dagger, jog: false) == .stop)
        #expect(KeyBindings.action(for: .space, strategy: .episodic, jog: false) == nil)
        #expect(KeyBindings.action(for: .right, strategy: .dagger, jog: false) == nil)
        #expect(KeyBindings.action(for: .character("q"), strategy: .dagger, jog: false) == nil)
        #expect(KeyBindings.action(for: .character("q"), strategy: .dagger, jog: true) == .jog(joint: 0, direction: 1))
        #expect(KeyBindings.action(for: .character("h"), strategy: .episodic, jog: true) == .jog(joint: 5, direction: -1))
        #expect(KeyBindings.action(for: .character("z"), strategy: .episodic, jog: true) == nil)
    }

    @Test("Keyboard jog: nothing before the hand-over, then 2 units a press from the follower's pose, gripper clamped")
    func keyboardJog() {
        let jog = KeyboardJog()
        jog.jog(joint: 0, direction: 1)
        #expect(jog.action().isEmpty && !jog.isActuated)
        jog.align(to: [0, -20, 30, 10, 0, 99])
        for c: Character in ["q", "q", "s", "e", "y", "y"] {
            let b = KeyboardJog.binding(c)!
            jog.jog(joint: b.joint, direction: b.direction)
        }
        #expect(jog.action() == [4, -22, 32, 10, 0, 100])
    }
}

import PolicyWire
import Testing

@Suite("Key-expression schema and seg()")
struct ServiceKeysTests {
    @Test("The documented example")
    func example() throws {
        let keys = try ServiceKeys(modelID: "lerobot/pi0_towels", revision: "main", task: "fold the towel")
        #expect(keys.prefix == "@lerobot/lerobot-pi0_towels/main/fold-the-towel")
        #expect(keys.status == "@lerobot/lerobot-pi0_towels/main/fold-the-towel/status")
        #expect(keys.session == "@lerobot/lerobot-pi0_towels/main/fold-the-towel/session")
        #expect(keys.serverAlive == "@lerobot/lerobot-pi0_towels/main/fold-the-towel/server/alive")
        #expect(keys.allObservations == "@lerobot/lerobot-pi0_towels/main/fold-the-towel/*/obs")
        #expect(keys.allResets.hasSuffix("/*/reset") && keys.allClientsAlive.hasSuffix("/*/alive"))
        #expect(try keys.observations(client: "abc") == keys.prefix + "/abc/obs")
        #expect(try keys.actions(client: "bad uuid") == keys.prefix + "/bad-uuid/action")
        #expect(try keys.reset(client: "abc") == keys.prefix + "/abc/reset")
        #expect(try keys.alive(client: "abc") == keys.prefix + "/abc/alive")
    }

    @Test("Empty revision and task become main and default")
    func defaults() throws {
        #expect(try ServiceKeys(modelID: "m", revision: "", task: "").prefix == "@lerobot/m/main/default")
    }

    @Test(
        "Sanitizing",
        arguments: [
            ("a/b", "a-b"), ("a*b", "a-b"), ("a$b", "a-b"), ("a?b", "a-b"), ("a#b", "a-b"), ("a b", "a-b"),
            ("a/*$?# b", "a-b"), ("/leading/trailing/", "leading-trailing"), ("  spaced  ", "spaced"),
            ("keep_A.z-09", "keep_A.z-09"), ("..dots..", "dots"), ("-.-x-.-", "x"), ("héllo wörld", "h-llo-w-rld"),
            ("tab\there", "tab-here"), ("status-x", "status-x"),
        ])
    func sanitize(input: String, expected: String) throws {
        #expect(try ServiceKeys.segment(input) == expected)
    }

    @Test("Empty after sanitizing is refused", arguments: ["", "   ", "***", "/?#$*", "-.-", "\n\t"])
    func empty(input: String) {
        #expect {
            try ServiceKeys.segment(input, what: "task")
        } throws: { error in
            (error as? PolicyWireError)?.message == "task '\(input)' sanitizes to an empty chunk"
        }
    }

    @Test("Reserved chunks are refused", arguments: ["status", "session", "server", "obs", "action", "reset", "alive"])
    func reserved(input: String) {
        #expect {
            try ServiceKeys(modelID: "m", task: " \(input)/ ")
        } throws: { error in
            (error as? PolicyWireError)?.message == "task ' \(input)/ ' collides with reserved chunk '\(input)'"
        }
        #expect(throws: PolicyWireError.self) { try ServiceKeys(modelID: "m").observations(client: input) }
    }

    @Test("The client uuid is the second-to-last chunk")
    func clientFromKey() throws {
        #expect(try ServiceKeys.clientUUID(fromKey: "@lerobot/m/main/default/abc123/obs") == "abc123")
        for bad in ["obs", "", "/obs"] {
            #expect {
                try ServiceKeys.clientUUID(fromKey: bad)
            } throws: { error in
                (error as? PolicyWireError)?.message == "key '\(bad)' has no client chunk"
            }
        }
    }
}

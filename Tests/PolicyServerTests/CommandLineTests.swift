import PolicyServer
import Testing

@Suite("lerobot-policy-server command line")
struct CommandLineTests {
    @Test("--manifest, --key=value, --key value, bare booleans")
    func parse() throws {
        let line = try ServerCommandLine.parse([
            "--manifest", "server.yaml", "--model.repo_or_path=lerobot/pi0_towels", "--max_sessions", "3",
            "--pin_task", "--zenoh.listen_endpoints=[\"tcp/0.0.0.0:7447\"]", "--default_task=fold the towel",
        ])
        #expect(line.manifestPath == "server.yaml" && !line.wantsHelp)
        #expect(line.overrides.map(\.key) == ["model.repo_or_path", "max_sessions", "pin_task", "zenoh.listen_endpoints", "default_task"])
        #expect(line.overrides.map(\.value) == ["lerobot/pi0_towels", "3", "true", "[\"tcp/0.0.0.0:7447\"]", "fold the towel"])
        let manifest = try ServerManifest(yaml: "zenoh:\n  mode: peer\n", overrides: line.overridePairs)
        #expect(manifest.maxSessions == 3 && manifest.pinTask && manifest.zenoh.listenEndpoints == ["tcp/0.0.0.0:7447"])
    }

    @Test("Unknown flags and stray words are refused with a pointer to --help")
    func refusals() {
        #expect {
            try ServerCommandLine.parse(["--max_session=3"])
        } throws: { ($0 as? PolicyServerError)?.message == "unknown flag '--max_session' (lerobot-policy-server --help lists the keys)" }
        #expect(throws: PolicyServerError.self) { try ServerCommandLine.parse(["serve"]) }
        #expect(throws: PolicyServerError.self) { try ServerCommandLine.parse(["--max_sessions"]) }
    }

    @Test("--help lists every key with its default, and says what the mock is")
    func help() throws {
        #expect(try ServerCommandLine.parse(["-h"]).wantsHelp)
        let text = ServerCommandLine.helpText
        for key in ServerManifest.keys {
            #expect(text.contains("--\(key.path)") && text.contains("[\(key.defaultText)]"))
        }
        #expect(text.contains("test fixture"))
    }
}

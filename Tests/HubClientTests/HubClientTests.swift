import Foundation
import HubClient
import InteropSupport
import Synchronization
import Testing

@Suite("Hub downloads against a fake Hub on loopback")
struct HubClientTests {
    /// A repo tree: `lerobot/tiny` with a config, a nested file and a 3 MB weights file.
    static func makeRoot() throws -> URL {
        let root = try PythonRunner.temporaryDirectory("hubroot")
        let repo = root.appendingPathComponent("lerobot/tiny")
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("onnx"), withIntermediateDirectories: true)
        try "{\"type\": \"mock\"}".write(to: repo.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        try "{}".write(to: repo.appendingPathComponent("onnx/model.json"), atomically: true, encoding: .utf8)
        try Data((0..<3_000_000).map { UInt8($0 % 251) }).write(to: repo.appendingPathComponent("model.safetensors"))
        return root
    }

    static func start(token: String? = nil) async throws -> (PythonProcess, URL, URL) {
        let root = try makeRoot()
        let hub = try PythonProcess("fake_hub.py", [root.path] + (token.map { ["--token", $0] } ?? []))
        let ready = try await hub.awaitLine { $0.hasPrefix("READY ") }.line
        let endpoint = URL(string: "http://127.0.0.1:\(ready.dropFirst(6))")!
        return (hub, endpoint, try PythonRunner.temporaryDirectory("hfhome"))
    }

    @Test("Full snapshot into the standard cache layout, with progress; a second call downloads nothing")
    func snapshot() async throws {
        let (hub, endpoint, home) = try await Self.start()
        defer { hub.stop() }
        let client = HubClient(
            configuration: .fromEnvironment([
                "HF_ENDPOINT": endpoint.absoluteString, "HF_HOME": home.path,
            ]))
        let seen = Mutex<[HubProgress]>([])
        let snapshot = try await client.snapshot(repo: "lerobot/tiny", progress: { p in seen.withLock { $0.append(p) } })
        #expect(snapshot.path.hasPrefix(home.appendingPathComponent("hub/models--lerobot--tiny/snapshots/").path))
        let config = try String(contentsOf: snapshot.appendingPathComponent("config.json"), encoding: .utf8)
        #expect(config == "{\"type\": \"mock\"}")
        let weights = try Data(contentsOf: snapshot.appendingPathComponent("model.safetensors"))
        #expect(weights.count == 3_000_000 && weights[1000] == UInt8(1000 % 251))
        #expect(FileManager.default.fileExists(atPath: snapshot.appendingPathComponent("onnx/model.json").path))
        let destination = try FileManager.default.destinationOfSymbolicLink(
            atPath: snapshot.appendingPathComponent("onnx/model.json").path)
        #expect(destination.hasPrefix("../../../blobs/"))
        let ref = try String(contentsOf: home.appendingPathComponent("hub/models--lerobot--tiny/refs/main"), encoding: .utf8)
        #expect(snapshot.lastPathComponent == ref)
        #expect(seen.withLock { $0.contains { $0.file == "model.safetensors" && $0.bytesWritten == 3_000_000 } })

        let before = hub.output.count
        _ = try await client.snapshot(repo: "lerobot/tiny")
        let after = hub.output[before...].filter { $0.contains("/resolve/") }
        #expect(after.isEmpty, "files were downloaded again: \(after)")
    }

    @Test("Config-only download (the robot's path); offline mode reads the cache and never calls the Hub")
    func configOnlyAndOffline() async throws {
        let (hub, endpoint, home) = try await Self.start()
        defer { hub.stop() }
        let env = ["HF_ENDPOINT": endpoint.absoluteString, "HF_HOME": home.path]
        let snapshot = try await HubClient(configuration: .fromEnvironment(env))
            .snapshot(repo: "lerobot/tiny", matching: ["config.json"])
        #expect(FileManager.default.fileExists(atPath: snapshot.appendingPathComponent("config.json").path))
        #expect(!FileManager.default.fileExists(atPath: snapshot.appendingPathComponent("model.safetensors").path))

        let requests = hub.output.count
        var offline = env
        offline["HF_HUB_OFFLINE"] = "1"
        let cached = try await HubClient(configuration: .fromEnvironment(offline)).snapshot(repo: "lerobot/tiny")
        #expect(cached.path == snapshot.path)
        #expect(hub.output.count == requests, "offline mode made requests")
        await #expect(throws: HubError.self) {
            try await HubClient(configuration: .fromEnvironment(offline)).snapshot(repo: "lerobot/other")
        }
    }

    @Test("Errors: unknown repo, bad revision, token required, unreachable Hub, invalid id")
    func errors() async throws {
        let (hub, endpoint, home) = try await Self.start(token: "secret")
        defer { hub.stop() }
        let env = ["HF_ENDPOINT": endpoint.absoluteString, "HF_HOME": home.path]
        await #expect {
            try await HubClient(configuration: .fromEnvironment(env)).snapshot(repo: "lerobot/tiny")
        } throws: { ($0 as? HubError)?.message.contains("set HF_TOKEN") == true }
        var withToken = env
        withToken["HF_TOKEN"] = "secret"
        let client = HubClient(configuration: .fromEnvironment(withToken))
        _ = try await client.snapshot(repo: "lerobot/tiny", matching: ["config.json"])
        await #expect {
            try await client.snapshot(repo: "lerobot/nope")
        } throws: { ($0 as? HubError)?.message.contains("lerobot/nope@main was not found") == true }
        await #expect {
            try await client.snapshot(repo: "lerobot/tiny", revision: "v9")
        } throws: { ($0 as? HubError)?.message.contains("lerobot/tiny@v9 was not found") == true }
        await #expect {
            try await client.snapshot(repo: "../etc")
        } throws: { ($0 as? HubError)?.message.contains("neither an existing local directory nor a Hub repo id") == true }
        let nowhere = HubClient(configuration: .fromEnvironment(["HF_ENDPOINT": "http://127.0.0.1:1", "HF_HOME": home.path]))
        await #expect {
            try await nowhere.snapshot(repo: "lerobot/tiny")
        } throws: { ($0 as? HubError)?.message.hasPrefix("cannot reach the Hub at http://127.0.0.1:1") == true }
    }

    @Test("Environment: defaults and overrides")
    func environment() {
        let d = HubConfiguration.fromEnvironment(["HOME": "/home/r"])
        #expect(d.endpoint.absoluteString == "https://huggingface.co" && d.cacheDirectory.path == "/home/r/.cache/huggingface/hub")
        #expect(!d.isOffline && d.token == nil)
        let o = HubConfiguration.fromEnvironment(["HF_HOME": "/x", "HF_HUB_OFFLINE": "TRUE", "HF_TOKEN": "t"])
        #expect(o.cacheDirectory.path == "/x/hub" && o.isOffline && o.token == "t")
        #expect(HubConfiguration.fromEnvironment(["HF_HUB_CACHE": "/c"]).cacheDirectory.path == "/c")
    }
}

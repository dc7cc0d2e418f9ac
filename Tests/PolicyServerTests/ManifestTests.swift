import Foundation
import PolicyServer
import Testing
import Zenoh

@Suite("Manifest: YAML, dotted flags, validation texts")
struct ManifestTests {
    func error(_ yaml: String?, _ overrides: [(key: String, value: String)] = []) -> String? {
        do {
            _ = try ServerManifest(yaml: yaml, overrides: overrides)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("The seed's production manifest")
    func seedManifest() throws {
        let yaml = """
            model:
              repo_or_path: lerobot/pi0_towels
              revision: main
              dtype: bfloat16 # optional cast after load
              device: cuda
            default_task: "fold the towel"
            serving_mode: auto
            max_sessions: 5
            warmup_inferences: 2
            trained_fps: 30.0
            rtc:
              enabled: true
              execution_horizon: 10
              max_guidance_weight: 10.0
            health_port: 9100 # /healthz + /metrics; 0 disables
            zenoh:
              mode: client
              connect_endpoints: ["tcp/router.gpu-cluster.internal:7447"]
            """
        let m = try ServerManifest(yaml: yaml)
        #expect(m.model.repoOrPath == "lerobot/pi0_towels" && m.model.dtype == "bfloat16")
        #expect(m.defaultTask == "fold the towel" && m.serviceTask == "fold the towel")
        #expect(m.rtc.enabled && m.rtc.executionHorizon == 10 && m.rtc.maxGuidanceWeight == 10)
        #expect(m.rtc.prefixAttentionSchedule == "LINEAR")
        #expect(m.zenoh.connectEndpoints == ["tcp/router.gpu-cluster.internal:7447"])
        #expect(m.healthPort == 9100 && m.maxSessions == 5 && m.sessionIdleTimeoutSeconds == 300)
    }

    @Test("Flags override the file; YAML values in flags")
    func overrides() throws {
        let m = try ServerManifest(
            yaml: "model:\n  repo_or_path: a/b\nmax_sessions: 2\nzenoh:\n  mode: client\n  connect_endpoints: [tcp/r:1]\n",
            overrides: [
                ("max_sessions", "7"), ("zenoh.mode", "peer"), ("zenoh.listen_endpoints", "[\"tcp/0.0.0.0:7447\"]"),
                ("rtc.enabled", "false"), ("default_task", "123"), ("model.revision", "v1.0"), ("trained_fps", "15"),
            ])
        #expect(m.maxSessions == 7 && m.zenoh.mode == "peer" && m.zenoh.listenEndpoints == ["tcp/0.0.0.0:7447"])
        #expect(!m.rtc.enabled && m.defaultTask == "123" && m.model.revision == "v1.0" && m.trainedFPS == 15)
    }

    @Test("Flags alone, no file")
    func flagsOnly() throws {
        let m = try ServerManifest(
            yaml: nil, overrides: [("model.repo_or_path", "x/y"), ("zenoh.mode", "peer")])
        #expect(m.serviceTask == "default" && m.model.device == "cuda" && m.servingMode == .auto)
    }

    @Test("LeRobot's validation texts")
    func texts() {
        let peer: [(key: String, value: String)] = [("zenoh.mode", "peer")]
        #expect(error(nil, peer) == "--model.repo_or_path is required (the policy this server serves)")
        let base: [(key: String, value: String)] = [("model.repo_or_path", "m")] + peer
        #expect(error(nil, base + [("serving_mode", "both")]) == "serving_mode must be one of auto|shared|exclusive, got 'both'")
        #expect(error(nil, base + [("max_sessions", "0")]) == "max_sessions must be >= 1, got 0")
        #expect(error(nil, base + [("zenoh.mode", "router")]) == "zenoh.mode must be 'client' or 'peer', got 'router'")
        #expect(error(nil, [("model.repo_or_path", "m")]) == "zenoh.connect_endpoints is required in client mode (router address)")
        #expect(
            error(nil, base + [("zenoh.tls_root_ca_certificate", "/ca.pem")])
                == "TLS requires all of tls_root_ca_certificate, tls_connect_certificate, tls_connect_private_key")
    }

    @Test("Unknown keys and wrong types name the key")
    func unknownAndTypes() {
        let base: [(key: String, value: String)] = [("model.repo_or_path", "m"), ("zenoh.mode", "peer")]
        #expect(error(nil, base + [("max_session", "3")])?.hasPrefix("unknown manifest key 'max_session'") == true)
        #expect(error("model:\n  repo_or_pth: x\n")?.hasPrefix("unknown manifest key 'model.repo_or_pth'") == true)
        #expect(error(nil, base + [("max_sessions", "many")]) == "max_sessions must be an integer, got 'many'")
        #expect(error(nil, base + [("pin_task", "maybe")]) == "pin_task must be true or false, got 'maybe'")
        #expect(error("- a\n- b\n") == "manifest must be a YAML mapping of keys to values")
        #expect(error("model: [unclosed")?.hasPrefix("manifest is not valid YAML") == true)
    }

    @Test("Every key has a default text and help")
    func keyTable() {
        #expect(ServerManifest.keys.count == 31)
        #expect(Set(ServerManifest.keys.map(\.path)).count == ServerManifest.keys.count)
        #expect(ServerManifest.keys.allSatisfy { !$0.help.isEmpty && !$0.defaultText.isEmpty })
    }
}

@Suite("Shipped example manifests")
struct ExampleManifestTests {
    static func example(_ name: String) throws -> ServerManifest {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/\(name)")
        return try ServerManifest(yaml: try String(contentsOf: url, encoding: .utf8))
    }

    @Test("examples/server-router.yaml: client mode towards a router")
    func router() throws {
        let manifest = try Self.example("server-router.yaml")
        #expect(manifest.model.repoOrPath == "examples/mock_policy" && manifest.zenoh.mode == "client")
        #expect(manifest.zenoh.connectEndpoints == ["tcp/127.0.0.1:7447"] && manifest.maxSessions == 4)
        #expect(try manifest.zenoh.sessionConfiguration().mode == .client)
    }

    @Test("examples/server-peer.yaml: peer mode listening on 7447")
    func peer() throws {
        let configuration = try Self.example("server-peer.yaml").zenoh.sessionConfiguration()
        #expect(configuration.mode == .peer && configuration.listen.map(\.description) == ["tcp/0.0.0.0:7447"])
        #expect(configuration.connect.isEmpty && configuration.tls == nil)
    }

    @Test("examples/server-tls.yaml: mutual TLS on a tls/ listener, the certificate doubling as listen certificate")
    func tls() throws {
        let configuration = try Self.example("server-tls.yaml").zenoh.sessionConfiguration()
        #expect(configuration.listen.map(\.description) == ["tls/0.0.0.0:7448"])
        #expect(configuration.tls?.enableMTLS == true && configuration.tls?.rootCACertificate == "certs/ca.pem")
        #expect(configuration.tls?.listenCertificate == "certs/server.pem" && configuration.tls?.connectCertificate == "certs/server.pem")
    }

    @Test("Zenoh settings that cannot work are refused naming the key")
    func zenohRefusals() throws {
        func refusal(_ overrides: [(key: String, value: String)]) -> String {
            do {
                _ = try ServerManifest(yaml: nil, overrides: [("model.repo_or_path", "x")] + overrides).zenoh.sessionConfiguration()
                return "accepted"
            } catch { return error.message }
        }
        #expect(refusal([("zenoh.mode", "peer")]).contains("zenoh.listen_endpoints"))
        #expect(
            refusal([("zenoh.connect_endpoints", "[\"tcp/r:7447\"]"), ("zenoh.listen_endpoints", "[\"tcp/0.0.0.0:7447\"]")])
                .contains("zenoh.mode=peer"))
        #expect(
            refusal([("zenoh.mode", "peer"), ("zenoh.listen_endpoints", "[\"tls/0.0.0.0:7447\"]")]).contains(
                "zenoh.tls_root_ca_certificate"))
        #expect(refusal([("zenoh.mode", "peer"), ("zenoh.listen_endpoints", "[\"udp/x\"]")]).contains("zenoh.listen_endpoints"))
    }
}

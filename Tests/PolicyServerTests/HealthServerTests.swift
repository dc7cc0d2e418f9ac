import Foundation
import PolicyServer
import PolicyWire
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("Health and metrics over real HTTP")
struct HealthServerTests {
    static func get(_ port: Int, _ path: String) async throws -> (status: Int, contentType: String, body: String) {
        let url = URL(string: "http://127.0.0.1:\(port)\(path)")!
        let (data, response) = try await URLSession.shared.data(from: url)
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, http.value(forHTTPHeaderField: "Content-Type") ?? "", String(decoding: data, as: UTF8.self))
    }

    @Test("/healthz follows the worker; /metrics has LeRobot's lines; other paths 404")
    func endpoints() async throws {
        let metrics = ServerMetrics(maxSessions: 4)
        let alive = Mutex(true)
        let server = try await HealthServer.start(
            host: "127.0.0.1", port: 0, metrics: metrics,
            isWorkerAlive: {
                alive.withLock { $0 }
            })
        defer { Task { await server.close() } }
        let ok = try await Self.get(server.port, "/healthz")
        #expect(ok.status == 200 && ok.body == "ok")

        metrics.sessionOpened(active: 1)
        metrics.requestServed(queueWaitMs: 0.7, inferenceMs: 12)
        metrics.requestFailed()
        metrics.unknownClientDropped()
        let first = metrics.messageDropped(.schemaVersion)
        let second = metrics.messageDropped(.schemaVersion)
        #expect(first && !second)
        let scrape = try await Self.get(server.port, "/metrics")
        #expect(scrape.status == 200 && scrape.contentType == "text/plain; version=0.0.4")
        let lines = Set(scrape.body.split(separator: "\n").map(String.init))
        for expected in [
            "lerobot_policy_server_requests_total 1", "lerobot_policy_server_errors_total 1",
            "lerobot_policy_server_superseded_total 0", "lerobot_policy_server_dropped_unknown_client_total 1",
            "lerobot_policy_server_sessions_opened_total 1", "lerobot_policy_server_sessions_closed_total 0",
            "lerobot_policy_server_active_sessions 1", "lerobot_policy_server_server_load 0.25",
            "lerobot_policy_server_dropped_messages_total{cause=\"schema_version\"} 2",
            "lerobot_policy_server_dropped_messages_total{cause=\"no_header\"} 0",
            "lerobot_policy_server_inference_ms_bucket{le=\"20.0\"} 1", "lerobot_policy_server_inference_ms_count 1",
        ] {
            #expect(lines.contains(expected), "missing line \(expected)")
        }
        // A chunk's malformed body is the robot's cause: the server never drops one, so it exposes no line for it.
        #expect(!scrape.body.contains("malformed_body"))

        alive.withLock { $0 = false }
        let dead = try await Self.get(server.port, "/healthz")
        #expect(dead.status == 503 && dead.body == "worker dead")
        #expect(try await Self.get(server.port, "/other").status == 404)
    }
}

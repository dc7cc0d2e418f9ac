import Foundation
import InteropSupport
import PolicyServer
import Testing

/// Our server and robots written in Python from the protocol (eclipse-zenoh + msgpack), through a real Rust
/// router and with the server listening in Zenoh peer mode (no router).
@Suite("Policy server end to end (Rust router and peer mode)", .serialized)
struct PolicyServerInteropTests {
    static func floats(_ value: Any?) -> [[Float]] {
        ((value as? [[Any]]) ?? []).map { $0.map { Float(($0 as? NSNumber)?.doubleValue ?? .nan) } }
    }

    @Test(
        "status → open → observations → exact mock chunks with echoed headers → reset → close",
        arguments: ServerFixture.Topology.allCases)
    func fullCycle(_ topology: ServerFixture.Topology) async throws {
        let fixture = try await ServerFixture(topology: topology)
        let events = try await fixture.client("robot-1", ["--count", "4", "--rtc", "--reset-after", "2", "--close", "--prefix-rows", "3"])
        await fixture.stop()
        let failure = events.first { $0["event"] as? String == "error" }
        #expect(failure == nil, "\(failure ?? [:])")
        let status = try #require(events.first { $0["event"] as? String == "status" })
        #expect(status["chunk_size"] as? Int == 20 && status["policy_type"] as? String == "mock")
        #expect(status["action_names"] as? [String] == ServerFixture.names && status["max_sessions"] as? Int == 4)
        let ack = try #require(events.first { $0["event"] as? String == "ack" })
        #expect(ack["accepted"] as? Bool == true && ack["supports_rtc"] as? Bool == true && (ack["session_id"] as? String)?.count == 32)
        let chunks = events.filter { $0["event"] as? String == "chunk" }
        #expect(chunks.count == 4)
        let state: [Float] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
        for (i, chunk) in chunks.enumerated() {
            let model = Self.floats(chunk["chunk_model"])
            let robot = Self.floats(chunk["chunk_robot"])
            #expect(model.count == 20 && model.allSatisfy { $0.count == 6 })
            #expect(model.first == state)
            for t in 0..<20 {
                for j in 0..<6 {
                    #expect(model[t][j] == state[j] + 0.01 * Float(t))
                    #expect(robot[t][j] == 2 * model[t][j])
                }
            }
            let header = (chunk["header"] as? [Int]) ?? []
            #expect(header.count == 6 && header[0] == 1 && header[1] == 2 && header[2] == i + 1)
            #expect(chunk["seq_id_echo"] as? Int == i + 1 && chunk["client_mono_ns_echo"] as? Int == chunk["mono_sent"] as? Int)
            #expect(chunk["episode_id_echo"] as? Int == (i < 2 ? 1 : 2))
        }
        #expect(events.contains { $0["event"] as? String == "reset_ack" && $0["ok"] as? Bool == true })
        #expect(events.contains { $0["event"] as? String == "close_ack" && $0["ok"] as? Bool == true })
    }

    @Test("Health and metrics are scraped over HTTP while serving")
    func healthAndMetrics() async throws {
        let fixture = try await ServerFixture()
        _ = try await fixture.client("robot-m", ["--count", "3", "--close"])
        _ = try await fixture.client("ghost", ["--count", "2", "--raw-obs-only"])
        let junk = try await fixture.client("robot-j", ["--count", "2", "--junk"])
        #expect(junk.filter { $0["event"] as? String == "chunk" }.count == 2, "\(junk)")
        let (healthStatus, healthBody) = try await fixture.get("/healthz")
        let (metricsStatus, metrics) = try await fixture.get("/metrics")
        await fixture.stop()
        #expect(healthStatus == 200 && healthBody == "ok" && metricsStatus == 200)
        let lines = Set(metrics.split(separator: "\n").map(String.init))
        #expect(lines.contains("lerobot_policy_server_requests_total 5"))
        #expect(lines.contains("lerobot_policy_server_sessions_opened_total 2"))
        #expect(lines.contains("lerobot_policy_server_sessions_closed_total 1"))
        #expect(lines.contains("lerobot_policy_server_active_sessions 1"))
        // The three junk observations: each dropped, counted under its cause, and the robot still served.
        for cause in ["no_header", "bad_header", "schema_version"] {
            #expect(lines.contains("lerobot_policy_server_dropped_messages_total{cause=\"\(cause)\"} 1"), "\(metrics)")
        }
        #expect(lines.contains("lerobot_policy_server_dropped_messages_total{cause=\"bad_key\"} 0"))
        #expect(lines.contains("lerobot_policy_server_dropped_unknown_client_total 2"), "\(metrics)")
    }

    @Test("A robot that vanishes without closing: its token drops, the collector confirms it and closes the session")
    func vanishedRobotIsCollected() async throws {
        let fixture = try await ServerFixture()
        let events = try await fixture.client("robot-gone", ["--count", "1"])
        #expect(events.contains { $0["event"] as? String == "chunk" })
        // The Python robot has exited without a close: only the collector can end its session.
        var closed = false
        for _ in 0..<100 where !closed {
            let (_, metrics) = try await fixture.get("/metrics")
            closed = metrics.split(separator: "\n").contains("lerobot_policy_server_sessions_closed_total 1")
            if !closed { try await Task.sleep(for: .milliseconds(200)) }
        }
        let (_, metrics) = try await fixture.get("/metrics")
        await fixture.stop()
        #expect(closed, "\(metrics)")
        #expect(metrics.split(separator: "\n").contains("lerobot_policy_server_active_sessions 0"))
    }

    @Test("Capacity and action-order refusals carry LeRobot's texts", arguments: [ServerFixture.Topology.router, .peer])
    func refusals(_ topology: ServerFixture.Topology) async throws {
        let fixture = try await ServerFixture(maxSessions: 1, topology: topology)
        let first = try await fixture.client("robot-a", ["--count", "1"])
        #expect(first.contains { $0["event"] as? String == "ack" && $0["accepted"] as? Bool == true })
        let second = try await fixture.client("robot-b", ["--count", "1"])
        let full = try #require(second.first { $0["event"] as? String == "ack" })
        #expect(full["accepted"] as? Bool == false && full["error"] as? String == "server full: 1/1 sessions active")
        let reversed = ServerFixture.names.reversed().joined(separator: ",")
        let wrongOrder = try await fixture.client("robot-a", ["--count", "1", "--action-names", reversed])
        let mismatch = try #require(wrongOrder.first { $0["event"] as? String == "ack" })
        await fixture.stop()
        #expect(
            (mismatch["error"] as? String)?.hasPrefix("action feature names/order mismatch — refusing to map chunk columns to motors.")
                == true)
    }

    @Test(
        "8 concurrent robots with different states never receive each other's values",
        arguments: [ServerFixture.Topology.router, .peer])
    func concurrentRobots(_ topology: ServerFixture.Topology) async throws {
        let fixture = try await ServerFixture(maxSessions: 8, topology: topology)
        // Each robot reports the first row of every chunk it received.
        let results = try await withThrowingTaskGroup(of: (Int, [[Float]], String).self) { group in
            for i in 0..<8 {
                group.addTask {
                    let state = (0..<6).map { String(Float(i) + 0.1 * Float($0)) }.joined(separator: ",")
                    let events = try await fixture.client("robot-\(i)", ["--count", "5", "--close"], state: state)
                    let firstRows = events.filter { $0["event"] as? String == "chunk" }.map { Self.floats($0["chunk_model"]).first ?? [] }
                    return (i, firstRows, "\(events.last ?? [:])")
                }
            }
            var all: [(Int, [[Float]], String)] = []
            for try await result in group { all.append(result) }
            return all
        }
        await fixture.stop()
        #expect(results.count == 8)
        for (i, firstRows, last) in results {
            #expect(firstRows.count == 5, "robot \(i): \(last)")
            let expected = (0..<6).map { Float(i) + 0.1 * Float($0) }
            for row in firstRows { #expect(row == expected, "robot \(i) got another robot's values") }
        }
    }
}

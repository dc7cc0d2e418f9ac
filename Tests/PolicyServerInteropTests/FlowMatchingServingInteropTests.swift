import Foundation
import InteropSupport
import PolicyServer
import Testing

/// An exported SmolVLA (and the tiny pi0 and pi0.5) served with RTC through a Rust router to robots written in Python from the protocol
/// (`python/lerobot_client.py --rtc --follow E`): each robot sends, with every observation after the first, the
/// leftover of its previous chunk after `E` executed actions as `prefix_model` / `prefix_robot`, and a delay.
///
/// "Smooth transitions" is measured where RTC acts: over the rows `[delay, H)` of each new chunk, how far it lands
/// from the leftover it replaces (mean |new − prefix|, model space). Without RTC a new chunk is an independent
/// sample and lands far from the leftover; with RTC it continues it.
@Suite("SmolVLA, pi0 and pi0.5 with RTC through our server to Python robots", .serialized)
struct FlowMatchingServingInteropTests {
    static let model = PythonRunner.packageRoot.appendingPathComponent("Tests/Fixtures/smolvla-tiny")
    static func fixture(_ name: String) -> URL { PythonRunner.packageRoot.appendingPathComponent("Tests/Fixtures/\(name)") }
    static let cameras = "observation.images.front,observation.images.wrist"
    static let follow = 8
    static let delay = 3
    static let horizon = 10

    /// Mean |new − prefix| over rows `[delay, H)` for every chunk after the first, and the jump at the switch row
    /// `delay` (the first action the robot takes from the new chunk vs the one the leftover had planned there).
    static func seams(_ events: [[String: Any]], delay: Int = delay) -> (overlap: [Float], jump: [Float]) {
        var overlap: [Float] = []
        var jump: [Float] = []
        for event in events where event["event"] as? String == "chunk" {
            guard let prefix = event["prefix_model"] as? [[Double]] else { continue }
            let chunk = PolicyServerInteropTests.floats(event["chunk_model"])
            var total: Float = 0
            var count = 0
            for r in delay..<min(horizon, prefix.count) {
                for j in 0..<prefix[r].count {
                    total += abs(chunk[r][j] - Float(prefix[r][j]))
                    count += 1
                }
            }
            overlap.append(total / Float(max(1, count)))
            jump.append(zip(chunk[delay], prefix[delay]).map { abs($0 - Float($1)) }.max() ?? 0)
        }
        return (overlap, jump)
    }

    static func mean(_ values: [Float]) -> Float { values.reduce(0, +) / Float(max(1, values.count)) }

    @Test(
        "RTC is granted (not downgraded) and each new chunk continues the robot's leftover; without RTC it does not",
        arguments: ["smolvla-tiny", "pi0-tiny", "pi05-tiny"])
    func smoothTransitions(model: String) async throws {
        let fixture = try await ServerFixture(maxSessions: 4, extra: [("model.device", "cpu")], model: Self.fixture(model))
        #expect(fixture.server.rtcActive)
        let flags = ["--follow", "\(Self.follow)", "--delay", "\(Self.delay)", "--count", "6", "--close"]
        let guided = try await fixture.client("rtc-robot", ["--rtc"] + flags, cameras: Self.cameras)
        let plain = try await fixture.client("plain-robot", flags, cameras: Self.cameras)
        await fixture.stop()

        let ack = try #require(guided.first { $0["event"] as? String == "ack" })
        #expect(ack["accepted"] as? Bool == true && ack["supports_rtc"] as? Bool == true, "\(ack)")
        #expect((ack["warnings"] as? [Any])?.isEmpty ?? true, "RTC must not be downgraded: \(ack)")
        #expect(ack["rtc_execution_horizon"] as? Int == Self.horizon)
        let plainAck = try #require(plain.first { $0["event"] as? String == "ack" })
        #expect(plainAck["supports_rtc"] as? Bool == false)

        let on = Self.seams(guided)
        let off = Self.seams(plain)
        #expect(on.overlap.count == 5 && off.overlap.count == 5, "\(guided.last ?? [:]) \(plain.last ?? [:])")
        print(
            "\(model) through the server: mean |new − leftover| over rows [\(Self.delay), \(Self.horizon)): "
                + "RTC on \(on.overlap) (mean \(Self.mean(on.overlap))), off \(off.overlap) (mean \(Self.mean(off.overlap))); "
                + "switch jump RTC on \(on.jump), off \(off.jump)")
        #expect(Self.mean(on.overlap) < Self.mean(off.overlap) / 4, "RTC must bring each chunk onto the leftover")
        #expect(Self.mean(on.jump) < Self.mean(off.jump) / 4, "RTC must shrink the jump at the switch")
    }

    @Test("scheduler=batch: four RTC robots in shared batches, each guided by its own leftover and delay")
    func batchedRobots() async throws {
        let fixture = try await ServerFixture(
            maxSessions: 4, extra: [("model.device", "cpu"), ("scheduler", "batch"), ("scheduler_max_batch", "4")],
            model: Self.model)
        let results = try await withThrowingTaskGroup(of: (Int, Int, [Float], String).self) { group in
            for i in 0..<4 {
                group.addTask {
                    let state = (0..<6).map { String(0.05 + 0.3 * Float(i) - 0.2 * Float($0)) }.joined(separator: ",")
                    let flags = ["--rtc", "--follow", "\(6 + i)", "--delay", "\(1 + i)", "--count", "5", "--close"]
                    let events = try await fixture.client("robot-\(i)", flags, state: state, cameras: Self.cameras)
                    let chunks = events.filter { $0["event"] as? String == "chunk" }.count
                    return (i, chunks, Self.seams(events, delay: 1 + i).overlap, "\(events.last ?? [:])")
                }
            }
            var all: [(Int, Int, [Float], String)] = []
            for try await result in group { all.append(result) }
            return all
        }
        await fixture.stop()
        for (i, chunks, overlap, last) in results.sorted(by: { $0.0 < $1.0 }) {
            #expect(chunks == 5, "robot \(i): \(last)")
            print("robot \(i) (batched): mean |new − leftover| \(overlap)")
            #expect(overlap.count == 4 && overlap.allSatisfy { $0 < 0.5 }, "robot \(i): \(overlap)")
        }
    }
}

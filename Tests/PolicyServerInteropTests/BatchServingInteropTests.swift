import Foundation
import InteropSupport
import PolicyRuntime
import PolicyServer
import PolicyWire
import Testing

/// The batch scheduler in the running service: Python robots through a Rust router, the exported ACT fixture.
@Suite("Batch scheduler end to end through a Rust router", .serialized)
struct BatchServingInteropTests {
    @Test("4 robots on the exported ACT with scheduler=batch: each gets the chunk its own observation gives alone")
    func batchedRobots() async throws {
        let model = PythonRunner.packageRoot.appendingPathComponent("Tests/Fixtures/act-tiny-2cam")
        let fixture = try await ServerFixture(
            maxSessions: 4, extra: [("model.device", "cpu"), ("scheduler", "batch"), ("scheduler_max_batch", "4")], model: model)
        let cameras = "observation.images.front,observation.images.wrist"
        let results = try await withThrowingTaskGroup(of: (Int, [[[Float]]], String).self) { group in
            for i in 0..<4 {
                group.addTask {
                    let state = (0..<6).map { String(0.05 + 0.3 * Float(i) - 0.2 * Float($0)) }.joined(separator: ",")
                    let events = try await fixture.client("robot-\(i)", ["--count", "4", "--close"], state: state, cameras: cameras)
                    let chunks = events.filter { $0["event"] as? String == "chunk" }.map {
                        PolicyServerInteropTests.floats($0["chunk_robot"])
                    }
                    return (i, chunks, "\(events.last ?? [:])")
                }
            }
            var all: [(Int, [[[Float]]], String)] = []
            for try await result in group { all.append(result) }
            return all
        }
        let policy = fixture.server.policy
        await fixture.stop()
        #expect(results.count == 4)
        let black = try RGBImage(width: 64, height: 48, pixels: [UInt8](repeating: 0, count: 48 * 64 * 3))
        for (i, chunks, last) in results {
            #expect(chunks.count == 4, "robot \(i): \(last)")
            let state = (0..<6).map { 0.05 + 0.3 * Float(i) - 0.2 * Float($0) }
            let alone = try policy.predictChunk(
                PolicyRequest(state: state, images: [("observation.images.front", black), ("observation.images.wrist", black)]),
                session: policy.makeSessionState())
            let expected = (0..<20).map { Array(alone.chunkRobot[($0 * 6)..<($0 * 6 + 6)]) }
            for chunk in chunks { #expect(chunk == expected, "robot \(i) got another chunk than its own observation gives") }
        }
    }
}

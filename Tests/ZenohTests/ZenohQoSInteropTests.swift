import Foundation
import InteropSupport
import NIOCore
import Testing
import Zenoh
import ZenohProtocol
import ZenohTransport

/// QoS lanes and very large payloads between the Swift session and real Rust Zenoh (router + Python clients).
@Suite("Zenoh QoS lanes and large payloads ⇄ Rust", .serialized)
struct ZenohQoSInteropTests {
    static let lanes: [ZenohPriority] = [.realTime, .interactiveHigh, .dataLow, .background]

    /// The generated payload shared with `zenoh_tool.py --size`: byte i is i % 251.
    static func pattern(_ size: Int) -> [UInt8] {
        let cycle = (0..<251).map { UInt8($0) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size + 251)
        while bytes.count < size { bytes.append(contentsOf: cycle) }
        return Array(bytes.prefix(size))
    }

    @Test func swiftPublicationsOnFourLanesReachPythonInOrderWithTheirPriority() async throws {
        let router = try await Interop.router()
        defer { router.stop() }
        let session = try await Interop.session(router)
        #expect(session.transportInfo?.isQoSEnabled == true)
        let python = try Interop.python(router, ["sub", "-k", "qos/**"])
        defer { python.stop() }
        try await python.ready()
        let probe = try await Self.repeatUntilSeen(python) {
            try session.put("qos/probe", payload: ByteBuffer(string: "probe"))
        }
        #expect(probe["priority"] == "5")  // default Data lane
        var publishers: [ZenohPublisher] = []
        for lane in Self.lanes {
            publishers.append(
                try session.declarePublisher(
                    "qos/\(lane.rawValue)",
                    options: .init(priority: lane, congestionControl: .block, isExpress: lane == .realTime)))
        }
        let perLane = 25
        for index in 0..<perLane {
            for publisher in publishers { try publisher.put(ByteBuffer(string: "\(index)")) }
        }
        let expected = Self.lanes.count * perLane
        let lines = try await offPool {
            var seen = 0  // the predicate runs under the process's lock: count here, parse afterwards
            try python.waitForLine(timeout: 20) { line in
                if line.contains("\"key\": \"qos/") && !line.contains("qos/probe") { seen += 1 }
                return seen >= expected
            }
            return python.jsonLines().map { $0.compactMapValues { $0 as? String } }
        }
        for lane in Self.lanes {
            let received = lines.filter { $0["key"] == "qos/\(lane.rawValue)" }
            #expect(received.map { $0["payload"] ?? "" } == (0..<perLane).map { Interop.hex("\($0)") }, "lane \(lane)")
            #expect(received.allSatisfy { $0["priority"] == "\(lane.rawValue)" }, "lane \(lane)")
            #expect(received.allSatisfy { $0["express"] == (lane == .realTime ? "True" : "False") }, "lane \(lane)")
        }
        await session.close()
    }

    @Test func pythonPublicationsOnLanesReachSwiftWithTheirQoS() async throws {
        let router = try await Interop.router()
        defer { router.stop() }
        let session = try await Interop.session(router)
        let samples = Collector<ZenohSample>()
        let subscriber = try session.declareSubscriber("qos/**") { samples.append($0) }
        // Wait until the subscription is known to the router (a probe put is seen).
        for _ in 0..<50 where samples.values.isEmpty {
            _ = try await Interop.run(router, ["put", "-k", "qos/probe", "-p", Interop.hex("p")])
            _ = try? await samples.wait(timeout: 0.3, "the probe") { !$0.isEmpty }
        }
        _ = try await Interop.run(
            router,
            [
                "put", "-k", "qos/rt", "-p", Interop.hex("rt"), "--priority", "1", "--express", "--block", "--repeat", "20",
            ])
        _ = try await Interop.run(
            router,
            [
                "put", "-k", "qos/bg", "-p", Interop.hex("bg"), "--priority", "7", "--publisher", "--repeat", "20",
            ])
        let all = try await samples.wait("40 samples") { $0.filter { $0.key.description != "qos/probe" }.count >= 40 }
        let realTime = all.filter { $0.key.description == "qos/rt" }
        let background = all.filter { $0.key.description == "qos/bg" }
        #expect(realTime.map(\.payload.text) == (0..<20).map { "rt\($0)" })
        #expect(background.map(\.payload.text) == (0..<20).map { "bg\($0)" })
        #expect(realTime.allSatisfy { $0.qos.priority == .realTime && $0.qos.isExpress && $0.qos.congestionControl == .block })
        #expect(background.allSatisfy { $0.qos.priority == .background && !$0.qos.isExpress })
        subscriber.undeclare()
        await session.close()
    }

    @Test func sixteenMebibytesFromSwiftToPython() async throws {
        let router = try await Interop.router()
        defer { router.stop() }
        let session = try await Interop.session(router)
        let python = try Interop.python(router, ["sub", "-k", "big/**", "--pattern"])
        defer { python.stop() }
        try await python.ready()
        _ = try await Self.repeatUntilSeen(python) { try session.put("big/probe", payload: ByteBuffer(string: "p")) }
        let size = 16 << 20
        let payload = ByteBuffer(bytes: Self.pattern(size))
        try session.put("big/16m", payload: payload, options: .init(congestionControl: .block))
        let line = try await python.waitForJSON(timeout: 60) { $0["key"] as? String == "big/16m" }
        #expect(line["length"] == "\(size)")
        #expect(line["pattern"] == "True")
        await session.close()
    }

    @Test func sixteenMebibytesFromPythonToSwift() async throws {
        let router = try await Interop.router()
        defer { router.stop() }
        let session = try await Interop.session(router)
        let samples = Collector<ZenohSample>()
        let subscriber = try session.declareSubscriber("big/**") { samples.append($0) }
        for _ in 0..<50 where samples.values.isEmpty {
            _ = try await Interop.run(router, ["put", "-k", "big/probe", "-p", Interop.hex("p")])
            _ = try? await samples.wait(timeout: 0.3, "the probe") { !$0.isEmpty }
        }
        let size = 16 << 20
        _ = try await Interop.run(router, ["put", "-k", "big/16m", "--size", "\(size)", "--block"])
        let sample = try await samples.wait(timeout: 60, "16 MiB") { $0.contains { $0.key.description == "big/16m" } }
            .first { $0.key.description == "big/16m" }
        let received = try #require(sample)
        #expect(received.payload.readableBytes == size)
        // Compared as contiguous bytes: element-wise iteration of 16 MiB is slow in debug builds.
        #expect(received.payload.withUnsafeReadableBytes { Array($0) } == Self.pattern(size))
        subscriber.undeclare()
        await session.close()
    }

    /// Publishes every 200 ms until the Python subscriber prints a sample.
    static func repeatUntilSeen(_ python: PythonProcess, publish: () throws -> Void) async throws -> [String: String] {
        for _ in 0..<50 {
            try publish()
            if let line = try? await python.waitForJSON(timeout: 0.2, { $0["kind"] as? String == "PUT" }) {
                return line
            }
        }
        return try await python.waitForJSON { $0["kind"] as? String == "PUT" }
    }
}

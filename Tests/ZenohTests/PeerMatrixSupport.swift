import Foundation
import InteropSupport
import NIOCore
import Synchronization
import Testing
import Zenoh
import ZenohProtocol
import ZenohTransport

/// One side of a peer-mode pairing: a Swift session or a Rust one (python/zenoh_peer_agent.py), each with the
/// same entities under its own name — subscriber `matrix/**`, queryable `matrix/q/NAME/**` answering
/// "NAME-reply", token `matrix/live/NAME`, liveliness subscriber `matrix/live/**` with history.
protocol MatrixSide: Sendable {
    var name: String { get }
    func put(_ key: String, _ text: String) async throws
    func putBig(_ key: String, size: Int) async throws
    /// The payloads of the replies, as text.
    func get(_ selector: String) async throws -> [String]
    /// The keys of the live tokens.
    func livelinessGet(_ key: String) async throws -> [String]
    /// Waits for a sample on `key` (text payload, or a big one: its length, checked against the pattern).
    func waitForSample(_ key: String, timeout: TimeInterval) async throws -> (length: Int, text: String?, isPattern: Bool)
    func waitForLiveliness(_ kind: String, _ key: String, timeout: TimeInterval) async throws
    func stop() async
}

/// The payload of big puts: byte i is i % 251, as the agent's.
func matrixPattern(_ size: Int) -> ByteBuffer {
    var buffer = ByteBuffer()
    buffer.reserveCapacity(size)
    for index in 0..<size { buffer.writeInteger(UInt8(index % 251)) }
    return buffer
}

final class SwiftMatrixSide: MatrixSide, Sendable {
    let name: String
    let session: ZenohSession
    let samples = Collector<ZenohSample>()
    let live = Collector<ZenohSample>()
    /// The declarations, kept alive until ``stop()``.
    private let kept: Mutex<[any Sendable]>

    init(name: String, configuration: ZenohConfiguration) async throws {
        self.name = name
        self.session = try await ZenohSession.open(configuration: configuration)
        let samples = self.samples
        let live = self.live
        self.kept = Mutex([
            try session.declareSubscriber("matrix/**") { samples.append($0) },
            try session.declareQueryable("matrix/q/\(name)/**") { query in
                try? query.reply(key: query.key.description, payload: ByteBuffer(string: "\(name)-reply"))
            },
            try session.liveliness.declareToken("matrix/live/\(name)"),
            try session.liveliness.declareSubscriber("matrix/live/**", history: true) { live.append($0) },
        ])
    }

    func put(_ key: String, _ text: String) async throws {
        try self.session.put(key, payload: ByteBuffer(string: text))
    }

    func putBig(_ key: String, size: Int) async throws {
        try self.session.put(key, payload: matrixPattern(size), options: .init(congestionControl: .block))
    }

    func get(_ selector: String) async throws -> [String] {
        try await self.session.getAll(selector, timeout: .seconds(5)).compactMap { try? $0.result.get().payload.text }
    }

    func livelinessGet(_ key: String) async throws -> [String] {
        try await self.session.liveliness.get(key, timeout: .seconds(5)).collect().compactMap {
            try? $0.result.get().key.description
        }
    }

    func waitForSample(_ key: String, timeout: TimeInterval) async throws -> (length: Int, text: String?, isPattern: Bool) {
        let sample = try await self.samples.wait(timeout: timeout, "a sample on \(key) at \(self.name)") {
            $0.contains { $0.key.description == key }
        }.last { $0.key.description == key }!
        let payload = sample.payload
        let isPattern = payload.readableBytes > 256 && payload == matrixPattern(payload.readableBytes)
        return (payload.readableBytes, payload.readableBytes <= 256 ? payload.text : nil, isPattern)
    }

    func waitForLiveliness(_ kind: String, _ key: String, timeout: TimeInterval) async throws {
        _ = try await self.live.wait(timeout: timeout, "liveliness \(kind) \(key) at \(self.name)") {
            $0.contains { "\($0.kind)".uppercased() == kind && $0.key.description == key }
        }
    }

    func stop() async {
        self.kept.withLock { $0 = [] }
        await self.session.close()
    }
}

final class RustMatrixSide: MatrixSide, Sendable {
    let name: String
    let agent: PythonProcess

    init(name: String, arguments: [String]) async throws {
        self.name = name
        self.agent = try PythonProcess("zenoh_peer_agent.py", arguments + ["--name", name])
        try await self.agent.awaitReady()
    }

    /// Sends a command and waits for its "done"; returns the JSON lines printed meanwhile.
    private func run(_ command: String) async throws -> [[String: Any]] {
        let start = self.agent.output.count
        self.agent.send(command)
        let verb = String(command.split(separator: " ")[0])
        let done = try await self.agent.awaitLine(from: start, timeout: 20) { line in
            line.contains("\"event\": \"done\"") && line.contains("\"command\": \"\(verb)\"")
        }
        return self.agent.output[start..<done.index].compactMap { line in
            guard line.hasPrefix("{") else { return nil }
            return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    func put(_ key: String, _ text: String) async throws {
        _ = try await self.run("put \(key) \(Interop.hex(text))")
    }

    func putBig(_ key: String, size: Int) async throws {
        _ = try await self.run("big \(key) \(size)")
    }

    func get(_ selector: String) async throws -> [String] {
        try await self.run("get \(selector)").compactMap { line in
            guard line["event"] as? String == "reply", let hex = line["payload"] as? String else { return nil }
            return String(decoding: hex.hexBytes, as: UTF8.self)
        }
    }

    func livelinessGet(_ key: String) async throws -> [String] {
        try await self.run("lget \(key)").compactMap { $0["event"] as? String == "token" ? $0["key"] as? String : nil }
    }

    func waitForSample(_ key: String, timeout: TimeInterval) async throws -> (length: Int, text: String?, isPattern: Bool) {
        let line = try await self.agent.awaitLine(timeout: timeout) { line in
            line.contains("\"event\": \"sample\"") && line.contains("\"key\": \"\(key)\"")
        }.line
        let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
        let text = (object["payload"] as? String).map { String(decoding: $0.hexBytes, as: UTF8.self) }
        return (object["length"] as? Int ?? -1, text, object["pattern"] as? Bool ?? false)
    }

    func waitForLiveliness(_ kind: String, _ key: String, timeout: TimeInterval) async throws {
        _ = try await self.agent.awaitLine(timeout: timeout) { line in
            line.contains("\"event\": \"live\"") && line.contains("\"kind\": \"\(kind)\"") && line.contains("\"key\": \"\(key)\"")
        }
    }

    func stop() async {
        let agent = self.agent
        try? await offPool { agent.stop() }
    }
}

extension String {
    /// The bytes of a hex string (pairs of hex digits; anything else ends it).
    var hexBytes: [UInt8] {
        var bytes: [UInt8] = []
        var iterator = self.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next(),
            let h = UInt8(String(UnicodeScalar(high)), radix: 16), let l = UInt8(String(UnicodeScalar(low)), radix: 16)
        {
            bytes.append(h << 4 | l)
        }
        return bytes
    }
}

/// Runs every primitive both ways between `a` and `b`; `label` names the pairing in failures.
func exerciseMatrix(_ a: any MatrixSide, _ b: any MatrixSide, label: String) async throws {
    // Liveliness with history: each sees the other's token (the declarations crossed).
    try await a.waitForLiveliness("PUT", "matrix/live/\(b.name)", timeout: 15)
    try await b.waitForLiveliness("PUT", "matrix/live/\(a.name)", timeout: 15)
    // Pub/sub both ways (repeated until seen: a subscriber's declaration may still be on its way).
    for (from, to) in [(a, b), (b, a)] {
        let key = "matrix/from/\(from.name)"
        var seen: (length: Int, text: String?, isPattern: Bool)?
        for attempt in 0..<10 where seen == nil {
            try await from.put(key, "hello \(attempt) from \(from.name)")
            seen = try? await to.waitForSample(key, timeout: 1)
        }
        #expect(seen?.text?.hasPrefix("hello ") == true, "\(label): \(from.name) → \(to.name) put")
    }
    // Get ⇄ queryable both ways.
    #expect(try await a.get("matrix/q/\(b.name)/x") == ["\(b.name)-reply"], "\(label): \(a.name) gets from \(b.name)")
    #expect(try await b.get("matrix/q/\(a.name)/x") == ["\(a.name)-reply"], "\(label): \(b.name) gets from \(a.name)")
    // Liveliness get both ways.
    #expect(try await a.livelinessGet("matrix/live/**").contains("matrix/live/\(b.name)"), "\(label): \(a.name) liveliness get")
    #expect(try await b.livelinessGet("matrix/live/**").contains("matrix/live/\(a.name)"), "\(label): \(b.name) liveliness get")
    // 1 MiB both ways (fragmented).
    for (from, to) in [(a, b), (b, a)] {
        let key = "matrix/big/\(from.name)"
        try await from.putBig(key, size: 1 << 20)
        let big = try await to.waitForSample(key, timeout: 20)
        #expect(big.length == 1 << 20 && big.isPattern, "\(label): 1 MiB \(from.name) → \(to.name)")
    }
}

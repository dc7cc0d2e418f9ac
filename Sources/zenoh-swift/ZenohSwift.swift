// zenoh-swift: Zenoh's standard example programs, on the pure-Swift Zenoh. One line per received sample:
//   {"kind": "PUT"|"DELETE", "key": "...", "payload": "<utf-8 text or null>", "payload_hex": "...",
//    "attachment": "<utf-8 or null>", "attachment_hex": "..."|null, "encoding": "text/plain"}
import ArgumentParser
import Foundation
import Logging
import NIOCore
import Zenoh
import ZenohProtocol
import ZenohTransport

@main
struct ZenohSwift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zenoh-swift",
        abstract: "Zenoh's example programs on the pure-Swift Zenoh (client mode).",
        discussion: """
            Every received sample, reply or liveliness change prints one JSON line:
              {"kind": "PUT", "key": "demo/a", "payload": "hi", "payload_hex": "6869", "attachment": null, \
            "attachment_hex": null, "encoding": "text/plain"}
            Endpoints look like tcp/127.0.0.1:7447. Multicast scouting is never used.
            """,
        subcommands: [
            Put.self, Delete.self, Pub.self, Sub.self, Get.self, Queryable.self, Liveliness.self, Ping.self, Pong.self,
            PubThr.self, SubThr.self, Info.self,
        ])
}

/// Options every subcommand takes.
struct ConnectionOptions: ParsableArguments {
    @Option(name: [.customShort("e"), .customLong("connect")], help: "Endpoint to connect to (repeatable), e.g. tcp/127.0.0.1:7447.")
    var connect: [String] = ["tcp/127.0.0.1:7447"]

    @Option(name: [.short, .long], help: "Session mode: client (peer arrives with the listener).")
    var mode: String = "client"

    @Flag(name: .long, help: "Log transport and session events to stderr.")
    var verbose = false

    func open() async throws -> ZenohSession {
        guard mode == "client" else {
            throw ValidationError("--mode \(mode) is not available yet; use --mode client with a router or listening peer")
        }
        var endpoints: [ZenohEndpoint] = []
        for text in connect {
            do { endpoints.append(try ZenohEndpoint(parsing: text)) } catch { throw ValidationError("--connect: \(error.message)") }
        }
        var logger = Logger(label: "zenoh")
        logger.logLevel = verbose ? .debug : .critical
        do {
            return try await ZenohSession.open(
                configuration: ZenohConfiguration(connect: endpoints), connector: TCPTransportConnector(logger: logger), logger: logger)
        } catch {
            throw ValidationError("cannot open a session to \(connect.joined(separator: ", ")): \(error.message)")
        }
    }
}

enum Output {
    static func bytes(_ text: String?, hex: String?) -> ByteBuffer? {
        if let hex {
            var buffer = ByteBuffer()
            var iterator = hex.utf8.makeIterator()
            func nibble(_ c: UInt8) -> UInt8? {
                switch c {
                case 48...57: c - 48
                case 97...102: c - 87
                case 65...70: c - 55
                default: nil
                }
            }
            while let hi = iterator.next(), let lo = iterator.next(), let h = nibble(hi), let l = nibble(lo) {
                buffer.writeInteger(h << 4 | l)
            }
            return buffer
        }
        return text.map { ByteBuffer(string: $0) }
    }

    static func line(kind: String, key: String, payload: ByteBuffer?, attachment: ByteBuffer?, encoding: String, extra: String = "") {
        func text(_ b: ByteBuffer?) -> String {
            guard let b else { return "null" }
            let bytes = Array(b.readableBytesView)
            guard let s = String(validating: bytes, as: UTF8.self) else { return "null" }
            return json(s)
        }
        func hex(_ b: ByteBuffer?) -> String {
            guard let b else { return "null" }
            return "\"" + b.readableBytesView.map { String(format: "%02x", $0) }.joined() + "\""
        }
        let line = "{\"kind\": \"\(kind)\", \"key\": \(json(key)), \"payload\": \(text(payload)), \"payload_hex\": \(hex(payload)), "
            + "\"attachment\": \(text(attachment)), \"attachment_hex\": \(hex(attachment)), \"encoding\": \(json(encoding))\(extra)}"
        print(line)
        fflush(nil)
    }

    static func sample(_ sample: ZenohSample, extra: String = "") {
        line(
            kind: sample.kind == .put ? "PUT" : "DELETE", key: sample.key.description, payload: sample.payload,
            attachment: sample.attachment, encoding: sample.encoding.description, extra: extra)
    }

    static func json(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// Waits until the process is interrupted (SIGINT/SIGTERM) or `seconds` pass.
func waitForInterrupt(seconds: Double?) async {
    let deadline = seconds.map { Date().addingTimeInterval($0) }
    let stop = InterruptWatch()
    while !stop.isSet {
        if let deadline, Date() >= deadline { break }
        try? await Task.sleep(for: .milliseconds(50))
    }
    stop.cancel()
}

/// Notices SIGINT and SIGTERM (which it takes over from their default action) until ``cancel()``.
///
/// Call `cancel()` after the loop that polls ``isSet``: that use keeps the watch (and its dispatch sources)
/// alive for the whole loop. A watch released early — as an optimizer may do with a value that is not used
/// again — would stop seeing the signals, and the process would ignore Ctrl-C.
final class InterruptWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private var sources: [any DispatchSourceSignal] = []

    init() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.set() }
            source.resume()
            self.sources.append(source)
        }
    }

    private func set() { self.lock.withLock { self.flag = true } }

    /// Whether SIGINT or SIGTERM arrived.
    var isSet: Bool { self.lock.withLock { self.flag } }

    /// Stops watching.
    func cancel() {
        let sources = self.lock.withLock { () -> [any DispatchSourceSignal] in
            defer { self.sources = [] }
            return self.sources
        }
        sources.forEach { $0.cancel() }
    }

    deinit { self.sources.forEach { $0.cancel() } }
}

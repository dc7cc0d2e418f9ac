import ArgumentParser
import Foundation
import JSON
import Logging
import NIOCore
// zenoh-swift: Zenoh's standard example programs, on the pure-Swift Zenoh. One line per received sample:
//   {"kind": "PUT"|"DELETE", "key": "...", "payload": "<utf-8 text or null>", "payload_hex": "...",
//    "attachment": "<utf-8 or null>", "attachment_hex": "..."|null, "encoding": "text/plain"}
import Synchronization
import Zenoh

@main
struct ZenohSwift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zenoh-swift",
        abstract: "Zenoh's example programs on the pure-Swift Zenoh (client and peer mode).",
        discussion: """
            Every received sample, reply or liveliness change prints one JSON line:
              {"kind": "PUT", "key": "demo/a", "payload": "hi", "payload_hex": "6869", "attachment": null, \
            "attachment_hex": null, "encoding": "text/plain"}
            Endpoints look like tcp/127.0.0.1:7447 or tls/127.0.0.1:7447. As a client (the default) the tool \
            connects to a router or listening peer; with -l/--listen it is a peer that accepts peers and clients \
            (and may also --connect to one peer). TLS: --tls-root-ca, --tls-cert, --tls-key, --tls-mtls. \
            Multicast scouting is never used.
            """,
        subcommands: [
            Put.self, Delete.self, Pub.self, Sub.self, Get.self, Queryable.self, Liveliness.self, Ping.self, Pong.self,
            PubThr.self, SubThr.self, Info.self,
        ])
}

/// Options every subcommand takes.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: [.customShort("e"), .customLong("connect")],
        help: "Endpoint to connect to (repeatable), e.g. tcp/127.0.0.1:7447. Default: tcp/127.0.0.1:7447 unless --listen.")
    var connect: [String] = []

    @Option(
        name: [.customShort("l"), .customLong("listen")],
        help: "Endpoint to listen on as a peer (repeatable), e.g. tcp/0.0.0.0:7447 or tls/0.0.0.0:7447. Implies --mode peer.")
    var listen: [String] = []

    @Option(name: [.short, .long], help: "Session mode: client (through a router or listening peer) or peer.")
    var mode: String?

    @Option(name: .customLong("tls-root-ca"), help: "root_ca_certificate: PEM CA that signs the remote's certificate.")
    var tlsRootCA: String?

    @Option(name: .customLong("tls-cert"), help: "Our PEM certificate: listen_certificate with --listen, else connect_certificate (mTLS).")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "The PEM private key of --tls-cert (RSA PKCS#1, PKCS#8 or EC SEC1).")
    var tlsKey: String?

    @Flag(
        name: .customLong("tls-mtls"), help: "enable_mtls: require (listening) or present (connecting) client certificates; TLS 1.3 only.")
    var tlsMutual = false

    @Flag(name: .customLong("tls-no-verify-name"), help: "verify_name_on_connect: false (skip the certificate name check).")
    var tlsNoVerifyName = false

    @Flag(name: .long, help: "Log transport and session events to stderr.")
    var verbose = false

    /// TLS settings when any TLS flag is given.
    var tls: ZenohTLSConfiguration? {
        guard tlsRootCA != nil || tlsCertificate != nil || tlsKey != nil || tlsMutual || tlsNoVerifyName else { return nil }
        var tls = ZenohTLSConfiguration(rootCACertificate: tlsRootCA, enableMTLS: tlsMutual, verifyNameOnConnect: !tlsNoVerifyName)
        if listen.isEmpty {
            tls.connectCertificate = tlsCertificate
            tls.connectPrivateKey = tlsKey
        } else {
            tls.listenCertificate = tlsCertificate
            tls.listenPrivateKey = tlsKey
        }
        return tls
    }

    func open() async throws -> ZenohSession {
        let sessionMode: ZenohConfiguration.Mode
        switch mode ?? (listen.isEmpty ? "client" : "peer") {
        case "client": sessionMode = .client
        case "peer": sessionMode = .peer
        case let other: throw ValidationError("--mode \(other): use client or peer")
        }
        if sessionMode == .client, !listen.isEmpty {
            throw ValidationError("--listen needs --mode peer: a client does not accept connections")
        }
        func parse(_ texts: [String], _ flag: String) throws -> [ZenohEndpoint] {
            var endpoints: [ZenohEndpoint] = []
            for text in texts {
                do { endpoints.append(try ZenohEndpoint(parsing: text)) } catch {
                    throw ValidationError("\(flag) \(text): \(error.message)")
                }
            }
            return endpoints
        }
        let connectTexts = connect.isEmpty && listen.isEmpty ? ["tcp/127.0.0.1:7447"] : connect
        var configuration = ZenohConfiguration(
            mode: sessionMode, connect: try parse(connectTexts, "--connect"), listen: try parse(listen, "--listen"), tls: tls)
        configuration.reconnect = .default
        var logger = Logger(label: "zenoh")
        logger.logLevel = verbose ? .debug : .critical
        do {
            let session = try await ZenohSession.open(configuration: configuration, logger: logger)
            for endpoint in session.listeningEndpoints {
                // One line on stderr so scripts that listen on port 0 learn the port.
                FileHandle.standardError.write(Data("listening on \(endpoint)\n".utf8))
            }
            return session
        } catch {
            let target = (listen.isEmpty ? connectTexts : listen).joined(separator: ", ")
            throw ValidationError("cannot open a session on \(target): \(error.message)")
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

    static func line(
        kind: String, key: String, payload: ByteBuffer?, attachment: ByteBuffer?, encoding: String,
        extra: [(key: String, value: JSONValue)] = []
    ) {
        func text(_ b: ByteBuffer?) -> JSONValue {
            guard let b, let s = String(validating: Array(b.readableBytesView), as: UTF8.self) else { return .null }
            return .string(s)
        }
        func hex(_ b: ByteBuffer?) -> JSONValue {
            guard let b else { return .null }
            return .string(b.readableBytesView.map { String(format: "%02x", $0) }.joined())
        }
        let members: [(key: String, value: JSONValue)] = [
            ("kind", .string(kind)), ("key", .string(key)), ("payload", text(payload)), ("payload_hex", hex(payload)),
            ("attachment", text(attachment)), ("attachment_hex", hex(attachment)), ("encoding", .string(encoding)),
        ]
        print(JSONValue.object(members + extra).serialized(.spaced))
        fflush(nil)
    }

    static func sample(_ sample: ZenohSample, extra: [(key: String, value: JSONValue)] = []) {
        line(
            kind: sample.kind == .put ? "PUT" : "DELETE", key: sample.key.description, payload: sample.payload,
            attachment: sample.attachment, encoding: sample.encoding.description, extra: extra)
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
final class InterruptWatch: Sendable {
    /// Set by the signal handlers.
    private final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }

    private let flag = Flag()
    private let sources: Mutex<[any DispatchSourceSignal]>

    init() {
        let flag = flag
        sources = Mutex(
            [SIGINT, SIGTERM].map { number in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { flag.value.store(true, ordering: .releasing) }
                source.resume()
                return source
            })
    }

    /// Whether SIGINT or SIGTERM arrived.
    var isSet: Bool { flag.value.load(ordering: .acquiring) }

    /// Stops watching.
    func cancel() {
        let sources = sources.withLock { sources in
            defer { sources = [] }
            return sources
        }
        sources.forEach { $0.cancel() }
    }

    deinit { cancel() }
}

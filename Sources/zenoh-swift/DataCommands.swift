import ArgumentParser
import Foundation
import JSON
import NIOCore
import Zenoh

struct PayloadOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Key expression.")
    var key: String = "demo/example/zenoh-swift"

    @Option(name: [.short, .long], help: "Payload text.")
    var payload: String?

    @Option(name: .customLong("payload-hex"), help: "Payload as hex bytes (instead of --payload).")
    var payloadHex: String?

    @Option(name: [.short, .customLong("attach")], help: "Attachment text.")
    var attach: String?

    @Option(name: .customLong("attach-hex"), help: "Attachment as hex bytes.")
    var attachHex: String?

    @Option(name: .long, help: "Encoding, e.g. text/plain or application/json.")
    var encoding: String?

    var payloadBytes: ByteBuffer { Output.bytes(payload, hex: payloadHex) ?? ByteBuffer() }
    var attachmentBytes: ByteBuffer? { Output.bytes(attach, hex: attachHex) }
    var zenohEncoding: ZenohEncoding { encoding.map { ZenohEncoding(mime: $0) } ?? .zenohBytes }
}

struct Put: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Put one value.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: PayloadOptions

    func run() async throws {
        let session = try await connection.open()
        try session.put(options.key, payload: options.payloadBytes, encoding: options.zenohEncoding, attachment: options.attachmentBytes)
        await session.close()
    }
}

struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete a key.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: PayloadOptions

    func run() async throws {
        let session = try await connection.open()
        try session.delete(options.key, attachment: options.attachmentBytes)
        await session.close()
    }
}

struct Pub: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Declare a publisher and put a numbered value periodically.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: PayloadOptions
    @Option(help: "Seconds between puts.") var interval: Double = 1
    @Option(help: "Number of puts (0 = until interrupted).") var count: Int = 0

    func run() async throws {
        let session = try await connection.open()
        let publisher = try session.declarePublisher(options.key)
        var i = 0
        let stop = InterruptWatch()
        while !stop.isSet && (count == 0 || i < count) {
            let text = "[\(String(repeating: " ", count: max(0, 4 - String(i).count)))\(i)] \(options.payload ?? "Pub from Swift!")"
            try publisher.put(ByteBuffer(string: text), encoding: options.zenohEncoding, attachment: options.attachmentBytes)
            print(">> [Publisher] Put ('\(options.key)': '\(text)')")
            fflush(nil)
            i += 1
            try await Task.sleep(for: .seconds(interval))
        }
        stop.cancel()
        publisher.undeclare()
        await session.close()
    }
}

struct Sub: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Subscribe and print every sample as a JSON line.")
    @OptionGroup var connection: ConnectionOptions
    @Option(name: [.short, .long], help: "Key expression.") var key: String = "demo/example/**"
    @Option(help: "Exit after this many samples (0 = until interrupted).") var count: Int = 0

    func run() async throws {
        let session = try await connection.open()
        let subscriber = try session.declareSubscriber(key)
        print("READY")
        fflush(nil)
        var received = 0
        for await sample in subscriber {
            Output.sample(sample)
            received += 1
            if count > 0 && received >= count { break }
        }
        subscriber.undeclare()
        await session.close()
    }
}

struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Query a selector and print every reply.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: PayloadOptions
    @Option(help: "Seconds to wait for replies.") var timeout: Double = 10

    func run() async throws {
        let session = try await connection.open()
        let replies = try session.get(
            options.key, payload: options.payload != nil || options.payloadHex != nil ? options.payloadBytes : nil,
            encoding: options.zenohEncoding, attachment: options.attachmentBytes, timeout: .milliseconds(Int(timeout * 1000)))
        for try await reply in replies {
            if let sample = reply.sample {
                Output.sample(sample, extra: [("reply", "ok")])
            } else if let error = reply.error {
                Output.line(
                    kind: "ERR", key: options.key, payload: error.payload, attachment: nil, encoding: error.encoding.description,
                    extra: [("reply", "err")])
            }
        }
        print("DONE")
        await session.close()
    }
}

struct Queryable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Answer queries with a fixed payload; print each query.")
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: PayloadOptions
    @Flag(help: "Declare the queryable as complete.") var complete = false

    func run() async throws {
        let session = try await connection.open()
        let queryable = try session.declareQueryable(options.key, complete: complete)
        print("READY")
        fflush(nil)
        for await query in queryable {
            Output.line(
                kind: "QUERY", key: query.selector, payload: query.payload, attachment: query.attachment,
                encoding: query.encoding?.description ?? "zenoh/bytes")
            let replyKey = query.key.isWild ? options.key : query.key.description
            try? query.reply(
                key: replyKey.contains("*") ? query.key.description : replyKey, payload: options.payloadBytes,
                encoding: options.zenohEncoding, attachment: options.attachmentBytes)
            query.finish()
        }
        await session.close()
    }
}

import Foundation
import NIOCore
import ZenohProtocol

/// Real traffic recorded from Rust Zenoh 1.10.2 (copied from the protocol reference).
///
/// Each `*.wire.jsonl` line is one TCP read: `{"t", "dir", "conn", "hex"}` (or `"eof": true`).
/// Reads are not batch-aligned: one read may hold several batches and a batch may span reads.
struct CaptureStream: Sendable, CustomStringConvertible {
    var file: String
    var connection: Int
    var direction: String
    /// The TCP reads in order, length prefixes included.
    var chunks: [ByteBuffer]

    var description: String { "\(self.file) conn\(self.connection) \(self.direction)" }

    /// All bytes of the stream.
    var bytes: ByteBuffer {
        var all = ByteBuffer()
        for var chunk in self.chunks {
            all.writeBuffer(&chunk)
        }
        return all
    }

    /// The stream split into batches (prefix removed) through ``ZenohStreamFrameDecoder``,
    /// fed with the recorded read boundaries.
    func batches() throws -> [ByteBuffer] {
        let processor = NIOSingleStepByteToMessageProcessor(ZenohStreamFrameDecoder())
        var batches: [ByteBuffer] = []
        for chunk in self.chunks {
            try processor.process(buffer: chunk) { batches.append($0) }
        }
        try processor.finishProcessing(seenEOF: true) { batches.append($0) }
        return batches
    }
}

enum CaptureFixtures {
    static let files = [
        "client", "clientpeer", "live_client", "live_peer", "peerpeer", "qos", "tlsterm",
    ]

    /// Every stream of every capture, loaded once.
    static let streams: [CaptureStream] = {
        var result: [CaptureStream] = []
        for file in Self.files {
            result += Self.load(file)
        }
        return result
    }()

    /// Every batch of every capture with its origin.
    static let batches: [(stream: String, index: Int, batch: ByteBuffer)] = {
        var result: [(String, Int, ByteBuffer)] = []
        for stream in Self.streams {
            guard let batches = try? stream.batches() else { continue }
            for (index, batch) in batches.enumerated() {
                result.append((stream.description, index, batch))
            }
        }
        return result
    }()

    static func load(_ name: String) -> [CaptureStream] {
        guard
            let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil),
            let text = try? String(contentsOf: directory.appendingPathComponent("\(name).wire.jsonl"), encoding: .utf8)
        else {
            return []
        }
        var streams: [String: CaptureStream] = [:]
        var order: [String] = []
        for line in text.split(separator: "\n") {
            guard
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let connection = object["conn"] as? Int,
                let direction = object["dir"] as? String,
                let hex = object["hex"] as? String
            else {
                continue
            }
            let key = "\(connection)/\(direction)"
            if streams[key] == nil {
                streams[key] = CaptureStream(file: name, connection: connection, direction: direction, chunks: [])
                order.append(key)
            }
            streams[key]?.chunks.append(ByteBuffer(bytes: Self.bytes(fromHex: hex)))
        }
        return order.compactMap { streams[$0] }
    }

    static func bytes(fromHex hex: some StringProtocol) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for character in hex.utf8 {
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: continue
            }
            if let value = high {
                bytes.append(value << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }
}

extension ByteBuffer {
    /// Test helper: a buffer from a hex string (spaces ignored).
    init(hex: String) {
        self.init(bytes: CaptureFixtures.bytes(fromHex: hex))
    }

    /// Test helper: lowercase hex of the readable bytes.
    var hexString: String {
        self.readableBytesView.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
        }.joined()
    }
}

import Foundation
import InteropSupport
import MessagePack
import NIOCore
import OrderedCollections
import PolicyWire
import Testing

/// The golden cases, produced at test time by `python/wire_golden.py` with `msgpack` and `numpy`.
struct GoldenCase: Decodable, Sendable {
    var name: String
    var type: String
    var hex: String
    var canonical_hex: String

    var bytes: ByteBuffer { ByteBuffer(bytes: [UInt8](hex: hex) ?? []) }
    var canonicalBytes: [UInt8] { [UInt8](hex: canonical_hex) ?? [] }
}

enum Golden {
    struct Vectors: Sendable {
        var directory: URL
        var casesFile: URL
        var cases: [GoldenCase]
    }

    /// Generated once per test process.
    static let vectors: Result<Vectors, PythonRunner.Failure> = {
        do {
            let directory = try PythonRunner.temporaryDirectory("golden")
            let file = directory.appendingPathComponent("cases.json")
            try PythonRunner.succeed("wire_golden.py", ["generate", file.path])
            let cases = try JSONDecoder().decode([GoldenCase].self, from: Data(contentsOf: file))
            return .success(Vectors(directory: directory, casesFile: file, cases: cases))
        } catch let failure as PythonRunner.Failure {
            return .failure(failure)
        } catch {
            return .failure(PythonRunner.Failure(description: "golden vectors: \(error)"))
        }
    }()

    /// Decodes a case's bytes as its message type; returns the value and its re-encoding.
    static func decode(_ c: GoldenCase) throws -> (value: Any, encoded: [UInt8]) {
        let body = c.bytes
        func roundTrip<M: PolicyWireMessage>(_ type: M.Type) throws -> (Any, [UInt8]) {
            let message = try M(decoding: body)
            return (message, Array(message.encoded().readableBytesView))
        }
        switch c.type {
        case "Observation": return try roundTrip(Observation.self)
        case "ActionChunk": return try roundTrip(ActionChunk.self)
        case "SessionAck": return try roundTrip(SessionAck.self)
        case "Status": return try roundTrip(ServerStatus.self)
        case "Reset": return try roundTrip(Reset.self)
        case "ResetAck": return try roundTrip(ResetAck.self)
        case "SessionOpen", "SessionClose":
            switch try SessionRequest(decoding: body) {
            case .open(let open):
                #expect(c.type == "SessionOpen", "\(c.name) decoded as open")
                return (open, Array(open.encoded().readableBytesView))
            case .close(let close):
                #expect(c.type == "SessionClose", "\(c.name) decoded as close")
                return (close, Array(close.encoded().readableBytesView))
            }
        case "Header":
            let header = try AttachmentHeader(unpacking: body)
            return (header, Array(header.packed().readableBytesView))
        default:
            throw PythonRunner.Failure(description: "unknown case type \(c.type)")
        }
    }
}

@Suite("Golden vectors from Python msgpack + numpy")
struct GoldenVectorTests {
    @Test("Every case decodes, re-encodes byte for byte, and Python reads Swift's bytes back to the same values")
    func allCasesBothWays() throws {
        let vectors = try Golden.vectors.get()
        #expect(vectors.cases.count >= 60)
        var reports: [String] = []
        for c in vectors.cases {
            let (value, encoded) = try Golden.decode(c)
            #expect(encoded.hexString == c.canonical_hex, "\(c.name): Swift's encoding differs from Python's canonical bytes")
            let report =
                "{\"name\": \"\(c.name)\", \"decoded\": \(GoldenReport.json(value)), "
                + "\"encoded_hex\": \"\(encoded.hexString)\"}"
            reports.append(report)
        }
        let swiftFile = vectors.directory.appendingPathComponent("swift.json")
        try ("[" + reports.joined(separator: ",\n") + "]").write(to: swiftFile, atomically: true, encoding: .utf8)
        let (status, output) = try PythonRunner.run("wire_golden.py", ["check", vectors.casesFile.path, swiftFile.path])
        #expect(status == 0, "Python checker:\n\(output)")
        #expect(output.contains("golden: \(vectors.cases.count) passed, 0 failed"), "\(output)")
    }

    @Test("Values Swift sees in the richest cases")
    func explicitValues() throws {
        let cases = try Golden.vectors.get().cases
        func body(_ name: String) throws -> ByteBuffer {
            try #require(cases.first { $0.name == name }).bytes
        }
        let obs = try Observation(decoding: body("obs_full"))
        #expect(obs.state?.floats() == [0.0, -1.5, 3.25, 1e-7, -0.0, 12345.678])
        #expect(obs.images.keys.elements == ["observation.images.front", "observation.images.wrist"])
        #expect(obs.task == "fold the towel")
        #expect(obs.inferenceDelaySteps == 3)
        #expect(obs.prefixModel?.shape == [10, 6])
        #expect(obs.prefixRobot?.floatRows()?[9][5] == (Float(59) * Float(0.01) - Float(0.25)) * 2)
        #expect(obs.episodeStart)

        let unicode = try Observation(decoding: body("obs_unicode_task"))
        #expect(unicode.task == "折り畳む タオル 🧺 — ñandú «quote» \"x\" \\ \n tab\t")
        #expect(unicode.state?.shape == [0])

        let empty = try Observation(decoding: body("obs_empty_map"))
        #expect(empty == Observation())

        let chunk = try ActionChunk(decoding: body("chunk_full"))
        #expect(chunk.seqIDEcho == UInt64.max)
        #expect(chunk.clientMonoNsEcho == Int64.min)
        #expect(chunk.episodeIDEcho == 4_294_967_295)
        #expect(chunk.chunkModel?.shape == [50, 14])
        #expect(chunk.chunkRobot?.floats()[1] == -1.0)
        #expect(chunk.serverLoad == 0.4)

        let be = try Observation(decoding: body("obs_big_endian_state"))
        #expect(be.state?.dtype == .float32)
        #expect(be.state?.floats() == [1.0, -2.5, 3.0])

        let open = try SessionRequest(decoding: body("open_full"))
        guard case .open(let o) = open else {
            Issue.record("open_full did not decode as an open request")
            return
        }
        #expect(o.tags["operator"] == "ünïcødé")
        #expect(o.actionNames.count == 6)
        #expect(o.rtcEnabled)

        let ack = try SessionAck(decoding: body("ack_only_accepted"))
        #expect(ack.error.isEmpty && ack.warnings.isEmpty && ack.chunkSize == 0 && ack.serverLoad == 0)
    }
}

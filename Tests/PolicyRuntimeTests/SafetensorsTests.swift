import Foundation
import Testing

@testable import PolicyRuntime

@Suite("safetensors reader")
struct SafetensorsTests {
    @Test("Reads what the safetensors library writes: F32, F64, F16, I64, I32, U8, a scalar, an empty tensor")
    func realFile() throws {
        let directory = try Fixtures.make("dtypes")
        let file = try SafetensorsFile(contentsOf: directory.appendingPathComponent("dtypes.safetensors"))
        let expected = try #require(try Fixtures.json(directory.appendingPathComponent("dtypes.json")) as? [String: [String: Any]])
        #expect(Set(file.tensors.keys) == Set(expected.keys))
        for (name, entry) in expected {
            #expect(file.tensors[name]?.shape == entry["shape"] as? [Int], "\(name)")
            let want = try Fixtures.floats(directory.appendingPathComponent(entry["file"] as! String))
            #expect(try file.floats(name) == want, "\(name)")
        }
        #expect(throws: PolicyRuntimeError.self) { try file.floats("nope") }
    }

    @Test("Half and bfloat16 conversions")
    func halves() throws {
        #expect(SafetensorsFile.halfToFloat(0x3c00) == 1)
        #expect(SafetensorsFile.halfToFloat(0xc000) == -2)
        #expect(SafetensorsFile.halfToFloat(0x0001) == Float(sign: .plus, exponent: -24, significand: 1))
        #expect(SafetensorsFile.halfToFloat(0x7c00) == .infinity)
        #expect(SafetensorsFile.halfToFloat(0x7e00).isNaN)
        // BF16 is the upper half of an F32.
        let bytes = Self.file(header: #"{"b":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}"#, data: [0x80, 0x3f])
        #expect(try SafetensorsFile(bytes: bytes, source: "bf16").floats("b") == [1])
    }

    static func file(header: String, data: [UInt8], length: UInt64? = nil) -> Data {
        let h = Array(header.utf8)
        var out = Data()
        withUnsafeBytes(of: (length ?? UInt64(h.count)).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: h)
        out.append(contentsOf: data)
        return out
    }

    @Test(
        "Malformed files are errors naming the file and the fault, never traps",
        arguments: [
            (Data([1, 2, 3]), "3 bytes is too short for a safetensors header length"),
            (file(header: "{}", data: [], length: 1 << 40), "header length 1099511627776 does not fit in the file's 10 bytes"),
            (file(header: "{not json", data: []), "the header is not valid JSON"),
            (file(header: "[1]", data: []), "the header is not a JSON object"),
            (
                file(header: #"{"a":{"dtype":"F32","shape":[1]}}"#, data: [0, 0, 0, 0]),
                "tensor 'a' needs dtype, shape and two data_offsets"
            ),
            (file(header: #"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, data: []), "tensor 'a' has unsupported dtype C64"),
            (
                file(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
                "tensor 'a' has a bad shape [-1]"
            ),
            (
                file(header: #"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
                "tensor 'a' shape [4611686018427387904, 4] is too large"
            ),
            (
                file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0]),
                "tensor 'a' data_offsets [0, 8] fall outside the 4 data bytes"
            ),
            (
                file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,0]}}"#, data: [0, 0, 0, 0]),
                "tensor 'a' data_offsets [4, 0] fall outside the 4 data bytes"
            ),
            (
                file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
                "tensor 'a': F32 [2] needs 8 bytes, data_offsets give 4"
            ),
        ])
    func malformed(bytes: Data, message: String) {
        #expect {
            try SafetensorsFile(bytes: bytes, source: "stats.safetensors")
        } throws: { ($0 as? PolicyRuntimeError)?.message == "stats.safetensors: \(message)" }
    }

    @Test("Truncated copies of a real file never trap")
    func truncations() throws {
        let directory = try Fixtures.make("dtypes")
        let whole = try Data(contentsOf: directory.appendingPathComponent("dtypes.safetensors"))
        for length in stride(from: 0, to: whole.count, by: 7) {
            #expect(throws: PolicyRuntimeError.self) { try SafetensorsFile(bytes: whole.prefix(length), source: "cut") }
        }
        #expect {
            try SafetensorsFile(contentsOf: directory.appendingPathComponent("dtypes.safetensors"), maxBytes: 16)
        } throws: { ($0 as? PolicyRuntimeError)?.message.contains("over the 16-byte limit") == true }
    }
}

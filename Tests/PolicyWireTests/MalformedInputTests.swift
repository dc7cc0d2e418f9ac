import InteropSupport
import MessagePack
import NIOCore
import PolicyWire
import Testing

/// A small deterministic generator, so every failure reproduces.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Malformed input never traps")
struct MalformedInputTests {
    /// Every decoder the server or robot runs on received bytes. Returns true when the input decoded.
    static func decodeEverything(_ bytes: [UInt8]) -> Int {
        let buffer = ByteBuffer(bytes: bytes)
        var decoded = 0
        func attempt(_ body: () throws(PolicyWireError) -> Void) {
            do {
                try body()
                decoded += 1
            } catch {
                // Typed throws: anything that gets here is a PolicyWireError with a message.
                precondition(!error.message.isEmpty)
            }
        }
        attempt { () throws(PolicyWireError) in _ = try Observation(decoding: buffer) }
        attempt { () throws(PolicyWireError) in _ = try ActionChunk(decoding: buffer) }
        attempt { () throws(PolicyWireError) in _ = try SessionAck(decoding: buffer) }
        attempt { () throws(PolicyWireError) in _ = try ServerStatus(decoding: buffer) }
        attempt { () throws(PolicyWireError) in _ = try Reset(decoding: buffer) }
        attempt { () throws(PolicyWireError) in _ = try ResetAck(decoding: buffer) }
        attempt { () throws(PolicyWireError) in _ = try SessionRequest(decoding: buffer) }
        attempt { () throws(PolicyWireError) in _ = try AttachmentHeader(unpacking: buffer) }
        return decoded
    }

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        let edits = Int.random(in: 1...4, using: &rng)
        for _ in 0..<edits {
            guard !bytes.isEmpty else { bytes = [UInt8.random(in: 0...255, using: &rng)]; continue }
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0: bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &rng)  // bit flip
            case 1: bytes[at] = UInt8.random(in: 0...255, using: &rng)  // byte replace
            case 2: bytes.removeLast(Int.random(in: 1...bytes.count, using: &rng))  // truncate
            case 3: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: at)  // insert
            case 4: bytes[at] = [0xc6, 0xdb, 0xdd, 0xdf, 0xcf, 0xc1, 0xd4, 0xc7][Int.random(in: 0..<8, using: &rng)]
            case 5:  // a huge 32-bit length after a length-prefixed type byte
                bytes.insert(contentsOf: [0xc6, 0xff, 0xff, 0xff, 0xf0], at: at)
            default: bytes.remove(at: at)
            }
        }
        return bytes
    }

    @Test("Thousands of mutated golden vectors decode or fail with a typed error")
    func mutatedGoldenVectors() throws {
        let cases = try Golden.vectors.get().cases
        var rng = SplitMix64(state: 0x5EED)
        var attempts = 0
        var decodedCount = 0
        for c in cases {
            let original = [UInt8](hex: c.hex) ?? []
            // Large bodies get fewer mutations: each decode walks the whole body.
            let rounds = original.count > 20_000 ? 40 : 150
            for _ in 0..<rounds {
                decodedCount += Self.decodeEverything(Self.mutate(original, &rng))
                attempts += 1
            }
        }
        #expect(attempts >= 5_000)
        // Sanity: the mutator leaves some inputs decodable and breaks most.
        #expect(decodedCount > 0)
    }

    @Test("Every truncation of every golden vector")
    func truncations() throws {
        for c in try Golden.vectors.get().cases {
            let bytes = [UInt8](hex: c.hex) ?? []
            let step = max(1, bytes.count / 200)
            for cut in stride(from: 0, to: bytes.count, by: step) {
                _ = Self.decodeEverything(Array(bytes[0..<cut]))
            }
        }
    }

    @Test("Random bytes")
    func randomBytes() {
        var rng = SplitMix64(state: 42)
        for _ in 0..<3_000 {
            let count = Int.random(in: 0..<64, using: &rng)
            _ = Self.decodeEverything((0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
    }

    @Test("Wrong types name the field")
    func wrongTypes() throws {
        let body = MessagePackValue.map([MessagePackPair("state", 5), MessagePackPair("task", "t")]).encoded()
        #expect {
            try Observation(decoding: body)
        } throws: { error in
            (error as? PolicyWireError)?.message == "Observation.state body must be a MessagePack map, got int"
        }
        let notAMap = MessagePackValue.array([1, 2]).encoded()
        #expect {
            try ActionChunk(decoding: notAMap)
        } throws: { error in
            (error as? PolicyWireError)?.message == "ActionChunk body must be a MessagePack map, got array"
        }
        let badTask = MessagePackValue.map([MessagePackPair("task", 3)]).encoded()
        #expect {
            try Observation(decoding: badTask)
        } throws: { error in
            (error as? PolicyWireError)?.message == "Observation.task must be a string, got int"
        }
        let badOp = MessagePackValue.map([MessagePackPair("op", "delete")]).encoded()
        #expect {
            try SessionRequest(decoding: badOp)
        } throws: { error in
            (error as? PolicyWireError)?.code == .unknownOperation
        }
    }

    @Test("Deeply nested input is refused, not recursed into")
    func deepNesting() {
        let bytes = [UInt8](repeating: 0x91, count: 200_000) + [0xc0]
        #expect(Self.decodeEverything(bytes) == 0)
        var maps: [UInt8] = []
        for _ in 0..<50_000 { maps += [0x81, 0xa1, 0x61] }
        maps.append(0xc0)
        #expect(Self.decodeEverything(maps) == 0)
    }
}

/// Feetech "protocol 0" packets (STS/SMS servos such as the SO-100's STS3215): Dynamixel-1.0-style frames with
/// little-endian 16-bit values (edge-semantics §5.3).
///
/// Instruction: `FF FF ID LEN INSTR PARAMS… CHK`, status: `FF FF ID LEN ERR PARAMS… CHK`, with
/// `LEN = len(PARAMS) + 2` and `CHK = ~(ID + LEN + INSTR|ERR + ΣPARAMS) & 0xFF`.
public enum FeetechPacket {
    public static let broadcastID: UInt8 = 0xFE

    public enum Instruction: UInt8, Sendable {
        case ping = 0x01
        case read = 0x02
        case write = 0x03
        case syncRead = 0x82
        case syncWrite = 0x83
    }

    /// The bytes of an instruction packet.
    public static func instruction(_ instruction: Instruction, id: UInt8, parameters: [UInt8] = []) -> [UInt8] {
        let length = UInt8(parameters.count + 2)
        let body = [id, length, instruction.rawValue] + parameters
        return [0xFF, 0xFF] + body + [checksum(body)]
    }

    static func checksum(_ body: [UInt8]) -> UInt8 {
        ~UInt8(truncatingIfNeeded: body.reduce(0) { $0 + Int($1) })
    }

    /// A decoded status packet.
    public struct Status: Sendable, Hashable {
        public var id: UInt8
        /// Bits: 1 voltage, 2 angle, 4 overheat, 8 over-current, 32 overload.
        public var error: UInt8
        public var parameters: [UInt8]
    }

    /// Decodes one status packet from exactly its bytes (`FF FF ID LEN ERR PARAMS… CHK`).
    public static func status(_ bytes: [UInt8]) throws(RolloutError) -> Status {
        guard bytes.count >= 6, bytes[0] == 0xFF, bytes[1] == 0xFF, Int(bytes[3]) == bytes.count - 4 else {
            throw RolloutError(.robot, "Feetech: malformed status packet \(hex(bytes))")
        }
        let body = Array(bytes[2..<(bytes.count - 1)])
        guard checksum(body) == bytes[bytes.count - 1] else {
            throw RolloutError(.robot, "Feetech: status packet checksum mismatch \(hex(bytes))")
        }
        return Status(id: bytes[2], error: bytes[4], parameters: Array(bytes[5..<(bytes.count - 1)]))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map {
            String($0, radix: 16, uppercase: true).count == 1
                ? "0" + String($0, radix: 16, uppercase: true) : String($0, radix: 16, uppercase: true)
        }
        .joined(separator: " ")
    }

    /// Names of the set status error bits.
    public static func errorDescription(_ error: UInt8) -> String {
        let names: [(UInt8, String)] = [(1, "input voltage"), (2, "angle"), (4, "overheat"), (8, "over-current"), (32, "overload")]
        return names.filter { error & $0.0 != 0 }.map(\.1).joined(separator: ", ")
    }
}

/// Sign-magnitude integers with the sign at bit `b` (Present/Goal_Position: 15, Homing_Offset: 11).
public enum SignMagnitude {
    public static func encode(_ value: Int, signBit: Int) throws(RolloutError) -> Int {
        let limit = (1 << signBit) - 1
        guard abs(value) <= limit else {
            throw RolloutError(.robot, "Feetech: \(value) does not fit sign-magnitude with sign bit \(signBit)")
        }
        return value < 0 ? (abs(value) | (1 << signBit)) : value
    }

    public static func decode(_ raw: Int, signBit: Int) -> Int {
        let magnitude = raw & ((1 << signBit) - 1)
        return raw & (1 << signBit) != 0 ? -magnitude : magnitude
    }
}

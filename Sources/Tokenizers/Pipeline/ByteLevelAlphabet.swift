/// GPT-2's byte-level alphabet: every byte is shown as a printable scalar. Bytes `!`…`~`, `¡`…`¬` and `®`…`ÿ` stand
/// for themselves; the other 68 bytes (controls, space, DEL, NBSP, soft hyphen, …) map in order to U+0100….
enum ByteLevelAlphabet {
    static let scalarForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte) {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    static let byteForScalar: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        for (byte, scalar) in scalarForByte.enumerated() { map[scalar.value] = UInt8(byte) }
        return map
    }()

    /// The byte-level form of a piece: one scalar per UTF-8 byte, each keeping its source scalar's origin.
    static func encode(_ piece: TextPiece) -> TextPiece {
        var scalars: [Unicode.Scalar] = []
        var origins: [Int] = []
        scalars.reserveCapacity(piece.count)
        origins.reserveCapacity(piece.count)
        for (s, origin) in zip(piece.scalars, piece.origins) {
            for byte in UTF8.encode(s)! {
                scalars.append(scalarForByte[Int(byte)])
                origins.append(origin)
            }
        }
        return TextPiece(scalars: scalars, origins: origins)
    }
}

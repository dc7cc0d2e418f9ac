public import NIOCore

/// Cheap checks and repairs of the JPEG bytes a camera sends, for MJPEG pass-through (no decoding).
///
/// Many UVC webcams send MJPEG frames without a DHT (Huffman table) segment, relying on the decoder to know
/// the standard tables of JPEG Annex K; Pillow and libjpeg-turbo refuse such frames. ``withHuffmanTables(_:)``
/// inserts those standard tables before SOS, so every decoder accepts the forwarded bytes.
public enum CameraJPEG {
    /// What one scan of the marker segments found.
    struct Layout {
        /// Offset of the SOS marker.
        var startOfScan: Int
        var hasHuffmanTables: Bool
    }

    /// Checks that `jpeg` starts with SOI, has a well-formed marker segment chain up to a SOS, and ends with EOI
    /// (trailing zero padding allowed). Returns nil when it does, or what is wrong.
    public static func problem(in jpeg: ByteBuffer) -> String? {
        switch layout(of: jpeg) {
        case .failure(let problem): problem.message
        case .success: nil
        }
    }

    /// `jpeg` itself when it carries a DHT segment, else a copy with the Annex K tables inserted before SOS.
    /// Throws when the bytes are not a JPEG that ``problem(in:)`` accepts.
    public static func withHuffmanTables(_ jpeg: ByteBuffer) throws(CameraJPEGProblem) -> ByteBuffer {
        let layout = try layout(of: jpeg).get()
        if layout.hasHuffmanTables { return jpeg }
        var repaired = ByteBuffer()
        repaired.reserveCapacity(jpeg.readableBytes + standardHuffmanSegment.count)
        repaired.writeImmutableBuffer(jpeg.getSlice(at: jpeg.readerIndex, length: layout.startOfScan)!)
        repaired.writeBytes(standardHuffmanSegment)
        repaired.writeImmutableBuffer(
            jpeg.getSlice(
                at: jpeg.readerIndex + layout.startOfScan, length: jpeg.readableBytes - layout.startOfScan)!)
        return repaired
    }

    /// Walks the marker segments from SOI to SOS, bounded by the buffer; never reads past it.
    static func layout(of jpeg: ByteBuffer) -> Result<Layout, CameraJPEGProblem> {
        let bytes = jpeg.readableBytesView
        let base = bytes.startIndex
        let count = bytes.count
        func byte(_ offset: Int) -> UInt8 { bytes[base + offset] }
        guard count >= 4, byte(0) == 0xFF, byte(1) == 0xD8 else {
            return .failure(CameraJPEGProblem("JPEG frame does not start with SOI (FF D8)"))
        }
        var end = count
        while end > 2, byte(end - 1) == 0 { end -= 1 }
        guard end >= 4, byte(end - 2) == 0xFF, byte(end - 1) == 0xD9 else {
            return .failure(CameraJPEGProblem("JPEG frame does not end with EOI (FF D9): truncated or corrupt"))
        }
        var offset = 2
        var hasHuffmanTables = false
        while offset + 4 <= end {
            guard byte(offset) == 0xFF else {
                return .failure(CameraJPEGProblem("JPEG frame has a broken marker chain at byte \(offset)"))
            }
            let marker = byte(offset + 1)
            if marker == 0xFF {  // fill byte
                offset += 1
                continue
            }
            if marker == 0xDA { return .success(Layout(startOfScan: offset, hasHuffmanTables: hasHuffmanTables)) }
            if marker == 0xC4 { hasHuffmanTables = true }
            let length = Int(byte(offset + 2)) << 8 | Int(byte(offset + 3))
            guard length >= 2, offset + 2 + length <= end else {
                return .failure(CameraJPEGProblem("JPEG frame has a segment running past its end at byte \(offset)"))
            }
            offset += 2 + length
        }
        return .failure(CameraJPEGProblem("JPEG frame has no SOS (start of scan) segment"))
    }

    /// One DHT segment holding the four tables of JPEG Annex K (K.3): luminance and chrominance, DC and AC.
    public static let standardHuffmanSegment: [UInt8] = {
        let tables: [(classAndID: UInt8, counts: [UInt8], symbols: [UInt8])] = [
            (0x00, AnnexK.dcLuminanceCounts, AnnexK.dcSymbols),
            (0x01, AnnexK.dcChrominanceCounts, AnnexK.dcSymbols),
            (0x10, AnnexK.acLuminanceCounts, AnnexK.acLuminanceSymbols),
            (0x11, AnnexK.acChrominanceCounts, AnnexK.acChrominanceSymbols),
        ]
        var body: [UInt8] = []
        for table in tables { body += [table.classAndID] + table.counts + table.symbols }
        let length = body.count + 2
        return [0xFF, 0xC4, UInt8(length >> 8), UInt8(length & 0xFF)] + body
    }()
}

/// Why camera bytes are not an acceptable JPEG frame.
public struct CameraJPEGProblem: Error, Sendable, Hashable {
    public var message: String
    init(_ message: String) { self.message = message }
}

/// The typical Huffman tables of ITU-T T.81 Annex K.3 (codes per length 1...16, then symbols).
enum AnnexK {
    static let dcLuminanceCounts: [UInt8] = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    static let dcChrominanceCounts: [UInt8] = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    static let dcSymbols: [UInt8] = Array(0...11)
    static let acLuminanceCounts: [UInt8] = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D]
    static let acChrominanceCounts: [UInt8] = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77]
    static let acLuminanceSymbols: [UInt8] =
        [
            0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
            0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xA1, 0x08, 0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52, 0xD1, 0xF0,
            0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0A, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x25, 0x26, 0x27, 0x28,
            0x29, 0x2A, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
            0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
            0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
            0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
            0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5,
            0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xE1, 0xE2,
            0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
            0xF9, 0xFA,
        ]
    static let acChrominanceSymbols: [UInt8] =
        [
            0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
            0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xA1, 0xB1, 0xC1, 0x09, 0x23, 0x33, 0x52, 0xF0,
            0x15, 0x62, 0x72, 0xD1, 0x0A, 0x16, 0x24, 0x34, 0xE1, 0x25, 0xF1, 0x17, 0x18, 0x19, 0x1A, 0x26,
            0x27, 0x28, 0x29, 0x2A, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
            0x49, 0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
            0x69, 0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
            0x88, 0x89, 0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5,
            0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3,
            0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA,
            0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
            0xF9, 0xFA,
        ]
}

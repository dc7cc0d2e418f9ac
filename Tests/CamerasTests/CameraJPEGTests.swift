import NIOCore
import Testing

@testable import Cameras

@Suite struct CameraJPEGTests {
    @Test func findsProblemsCheaply() {
        #expect(CameraJPEG.problem(in: ByteBuffer(bytes: [0x00, 0x01, 0xFF, 0xD9])) == "JPEG frame does not start with SOI (FF D8)")
        #expect(
            CameraJPEG.problem(in: ByteBuffer(bytes: [0xFF, 0xD8, 0xFF, 0xDB, 0x00]))
                == "JPEG frame does not end with EOI (FF D9): truncated or corrupt")
        #expect(CameraJPEG.problem(in: ByteBuffer(bytes: [0xFF, 0xD8, 0xFF, 0xD9])) == "JPEG frame has no SOS (start of scan) segment")
        #expect(
            CameraJPEG.problem(in: ByteBuffer(bytes: [0xFF, 0xD8, 0xFF, 0xDB, 0x10, 0x00, 0xFF, 0xD9]))?.contains("running past its end")
                == true)
        #expect(CameraJPEG.problem(in: ByteBuffer(bytes: [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x11, 0xFF, 0xD9, 0, 0])) == nil)
    }

    @Test func standardSegmentHoldsFourTables() {
        let segment = CameraJPEG.standardHuffmanSegment
        #expect(segment.count == 4 + 2 * (1 + 16 + 12) + 2 * (1 + 16 + 162))
        #expect(Int(segment[2]) << 8 | Int(segment[3]) == segment.count - 2)
    }
}

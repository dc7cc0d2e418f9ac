import NIOCore
import PolicyWire
import Testing

@testable import RemoteInference

@Suite("Observation images on the wire")
struct ObservationEncoderTests {
    static func cameraJPEG() throws -> (RGBImage, ByteBuffer) {
        var pixels: [UInt8] = []
        for y in 0..<48 { for x in 0..<64 { pixels += [UInt8(x * 4), UInt8(y * 5), 128] } }
        let image = try RGBImage(width: 64, height: 48, pixels: pixels)
        return (image, try JPEGEncoder().encode(image, quality: 80))
    }

    @Test("A camera's JPEG goes out byte for byte; pixels are encoded at jpeg_quality")
    func passThrough() throws {
        let (image, jpeg) = try Self.cameraJPEG()
        let encoder = try ObservationEncoder(quality: 90, renameMap: [:])
        #expect(try encoder.wireImage(.jpeg(jpeg, width: 64, height: 48)) == .jpeg(jpeg))
        guard case .jpeg(let encoded) = try encoder.wireImage(.pixels(image)) else {
            Issue.record("pixels were not JPEG-encoded")
            return
        }
        #expect(encoded != jpeg)  // quality 90, not the camera's 80
    }

    @Test("jpeg_quality 0 (raw images): a camera's JPEG is decoded to its pixels")
    func rawFromCameraJPEG() throws {
        let (_, jpeg) = try Self.cameraJPEG()
        let encoder = try ObservationEncoder(quality: 0, renameMap: [:])
        let decoded = try JPEGDecoder().decode(jpeg)
        #expect(
            try encoder.wireImage(.jpeg(jpeg, width: 64, height: 48))
                == .raw(height: 48, width: 64, data: ByteBuffer(bytes: decoded.pixels)))
    }
}

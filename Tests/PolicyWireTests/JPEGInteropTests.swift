import Foundation
import InteropSupport
import MessagePack
import NIOCore
import PolicyWire
import Testing

@Suite("JPEG and raw images, both ways with Python Pillow")
struct JPEGInteropTests {
    static let fixtures: Result<URL, PythonRunner.Failure> = {
        do {
            let directory = try PythonRunner.temporaryDirectory("jpeg")
            try PythonRunner.succeed("wire_golden.py", ["jpeg-fixtures", directory.path])
            return .success(directory)
        } catch let failure as PythonRunner.Failure {
            return .failure(failure)
        } catch {
            return .failure(PythonRunner.Failure(description: "jpeg fixtures: \(error)"))
        }
    }()

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: try fixtures.get().appendingPathComponent(name)))
    }

    static func meanRGB(_ image: RGBImage) -> (Double, Double, Double) {
        var sums = (0.0, 0.0, 0.0)
        for i in stride(from: 0, to: image.pixels.count, by: 3) {
            sums.0 += Double(image.pixels[i])
            sums.1 += Double(image.pixels[i + 1])
            sums.2 += Double(image.pixels[i + 2])
        }
        let n = Double(image.width * image.height)
        return (sums.0 / n, sums.1 / n, sums.2 / n)
    }

    @Test("A Pillow JPEG decodes in Swift to Pillow's pixels (within 1 per channel)")
    func decodePillowJPEG() throws {
        let decoded = try JPEGDecoder().decode(ByteBuffer(bytes: try Self.bytes("scene_pil_q90.jpg")))
        let reference = try Self.bytes("scene_pil_q90_decoded.rgb")
        #expect(decoded.width == 640 && decoded.height == 480)
        #expect(decoded.pixels.count == reference.count)
        var maxDifference = 0
        for (a, b) in zip(decoded.pixels, reference) { maxDifference = max(maxDifference, abs(Int(a) - Int(b))) }
        #expect(maxDifference <= 1, "max per-channel difference \(maxDifference)")
    }

    @Test("A Swift JPEG (q90) decodes in Python with PSNR >= 35 dB; red stays red in Python")
    func encodeForPython() throws {
        let directory = try Self.fixtures.get()
        let source = try RGBImage(width: 640, height: 480, pixels: try Self.bytes("scene.rgb"))
        let encoder = try JPEGEncoder()
        let jpeg = try encoder.encode(source, quality: 90)
        try Data(jpeg.readableBytesView).write(to: directory.appendingPathComponent("scene_swift_q90.jpg"))
        let red = try RGBImage(width: 64, height: 48, filledWith: (255, 0, 0))
        let redJPEG = try encoder.encode(red, quality: 90)
        try Data(redJPEG.readableBytesView).write(to: directory.appendingPathComponent("red_swift.jpg"))
        let (status, output) = try PythonRunner.run("wire_golden.py", ["jpeg-check", directory.path])
        #expect(status == 0, "\(output)")
    }

    @Test("Red stays red through every path: Pillow→Swift, Swift→Swift, raw codec")
    func redStaysRed() throws {
        let fromPillow = try JPEGDecoder().decode(ByteBuffer(bytes: try Self.bytes("red_pil.jpg")))
        let (r1, g1, b1) = Self.meanRGB(fromPillow)
        #expect(r1 > 200 && g1 < 50 && b1 < 50)

        let red = try RGBImage(width: 64, height: 48, filledWith: (255, 0, 0))
        let encoder = try JPEGEncoder()
        let decoder = try JPEGDecoder()
        for quality in [0, 50, 90, 100] {
            let wire = try WireImage(red, quality: quality, encoder: encoder)
            var body = ByteBuffer()
            wire.encode(into: &body)
            let back = try WireImage(messagePack: MessagePackDecoder().decode(body)).rgbImage(decoder: decoder)
            let (r, g, b) = Self.meanRGB(back)
            #expect(r > 200 && g < 50 && b < 50, "quality \(quality): mean (\(r), \(g), \(b))")
            if quality == 0 { #expect(back == red, "raw codec is byte-exact") }
        }
    }

    @Test("Encoder and decoder are reusable across sizes")
    func reuse() throws {
        let encoder = try JPEGEncoder()
        let decoder = try JPEGDecoder()
        for (w, h) in [(640, 480), (16, 8), (1280, 720), (3, 5)] {
            let image = try RGBImage(width: w, height: h, filledWith: (10, 200, 30))
            let back = try decoder.decode(try encoder.encode(image, quality: 95))
            #expect(back.width == w && back.height == h)
        }
    }

    @Test("Garbage and truncated JPEGs give typed errors")
    func garbage() throws {
        let decoder = try JPEGDecoder()
        #expect(throws: PolicyWireError.self) { try decoder.decode(ByteBuffer()) }
        #expect(throws: PolicyWireError.self) { try decoder.decode(ByteBuffer(bytes: [0xff, 0xd8, 0xff, 0x00, 1, 2])) }
        #expect(throws: PolicyWireError.self) { try decoder.decode(ByteBuffer(bytes: Array("not a jpeg".utf8))) }
        let good = try JPEGEncoder().encode(try RGBImage(width: 64, height: 64, filledWith: (1, 2, 3)), quality: 90)
        // Truncations either decode partially (libjpeg-turbo warns) or fail cleanly; they never trap.
        for cut in stride(from: 0, to: good.readableBytes, by: 37) {
            _ = try? decoder.decode(good.getSlice(at: good.readerIndex, length: cut)!)
        }
    }

    @Test("Unknown codecs and non-HWC raw images are refused with LeRobot's words")
    func refusals() {
        let png: MessagePackValue = .map([MessagePackPair("codec", "png"), MessagePackPair("data", .binary(ByteBuffer()))])
        #expect {
            try WireImage(messagePack: png)
        } throws: { error in
            (error as? PolicyWireError)?.message.contains("Unknown image codec 'png'") == true
        }
        for shape: MessagePackValue in [[3, 4, 5], [4, 5], [4, 5, 1], [4, 5, 4], [0, 5, 3], [3, 4, 5, 3]] {
            let raw: MessagePackValue = .map([
                MessagePackPair("codec", "raw"), MessagePackPair("shape", shape),
                MessagePackPair("data", .binary(ByteBuffer(bytes: [UInt8](repeating: 0, count: 60)))),
            ])
            #expect {
                try WireImage(messagePack: raw)
            } throws: { error in
                (error as? PolicyWireError)?.message.contains("uint8 HWC RGB") == true
            }
        }
    }
}

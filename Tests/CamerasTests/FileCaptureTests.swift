import Foundation
import NIOCore
import PolicyWire
import Testing

@testable import Cameras

/// Cameras on real files made by the ffmpeg CLI, read through FFmpegSource.
@Suite struct FileCaptureTests {
    @Test func mjpegPassThroughForwardsTheCameraJPEGByteForByte() throws {
        let media = try TestMedia()
        defer { media.remove() }
        let file = try media.video("clip.avi", ["-c:v", "mjpeg", "-q:v", "4"])
        try media.ffmpeg(["-i", "clip.avi", "-c:v", "copy", "-f", "image2", "packet%03d.jpg"])
        let packets = try FileManager.default.contentsOfDirectory(atPath: media.directory.path)
            .filter { $0.hasPrefix("packet") }.map { try media.bytes($0) }
        #expect(packets.count >= 50)

        let camera = CameraReader(configuration: fileCamera(file), probe: nil)
        try camera.connect()
        defer { camera.disconnect() }
        #expect(camera.deliveryPath == .passThrough)
        #expect(camera.deliveryDescription == "front: MJPEG pass-through (camera JPEG forwarded)")
        let frame = try camera.readLatest(maxAgeMs: 2000)
        #expect(frame.image == nil)
        let jpeg = try #require(frame.jpeg)
        #expect(packets.contains(Array(jpeg.readableBytesView)))
        let image = try frame.rgb()
        #expect(image.width == 160 && image.height == 120)
    }

    @Test(arguments: [
        ("yuyv.avi", ["-c:v", "rawvideo", "-pix_fmt", "yuyv422"], "yuyv422"),
        ("rgb.nut", ["-c:v", "rawvideo", "-pix_fmt", "rgb24"], "rgb24"),
        ("mpeg4.mp4", ["-c:v", "mpeg4", "-q:v", "3"], "mpeg4"),
    ])
    func decodedPixelsMatchFFmpegsOwnDecode(name: String, codec: [String], from: String) throws {
        let media = try TestMedia()
        defer { media.remove() }
        let file = try media.video(name, codec)
        let reference = try media.referenceFrames(of: name, width: 160, height: 120)
        let camera = CameraReader(configuration: fileCamera(file), probe: nil)
        try camera.connect()
        defer { camera.disconnect() }
        #expect(camera.deliveryPath == .decode(from: from))
        #expect(camera.deliveryDescription == "front: decode (\(from) → RGB)")
        for _ in 0..<3 {
            let frame = try camera.readLatest(maxAgeMs: 2000)
            let image = try #require(frame.image)
            #expect(frame.jpeg == nil)
            let index = Int(frame.sequence)
            #expect(index < reference.count)
            if index < reference.count { #expect(maxDifference(image, reference[index]) <= 2) }
            usleep(50_000)
        }
    }

    @Test(arguments: [CameraConfiguration.Rotation.clockwise90, .upsideDown, .counterClockwise90])
    func rotationAndBGRMatchTheRotatedReference(rotation: CameraConfiguration.Rotation) throws {
        let media = try TestMedia()
        defer { media.remove() }
        let file = try media.video("clip.avi", ["-c:v", "mjpeg", "-q:v", "4"])
        let reference = try media.referenceFrames(of: "clip.avi", width: 160, height: 120)
        for colorMode in [CameraConfiguration.ColorMode.rgb, .bgr] {
            let (width, height) = rotation.swapsSides ? (120, 160) : (160, 120)
            let configuration = fileCamera(file, width: width, height: height, rotation: rotation, colorMode: colorMode)
            let camera = CameraReader(configuration: configuration, probe: nil)
            try camera.connect()
            defer { camera.disconnect() }
            #expect(camera.deliveryPath == .decode(from: "mjpeg"))
            let frame = try camera.readLatest(maxAgeMs: 2000)
            let image = try #require(frame.image)
            #expect(image.width == width && image.height == height)
            let expected = rotated(reference[Int(frame.sequence)], by: rotation, bgr: colorMode == .bgr)
            #expect(maxDifference(image, expected) <= 2)
        }
    }

    @Test func refusesAFileOfAnotherSizeOrRate() throws {
        let media = try TestMedia()
        defer { media.remove() }
        let file = try media.video("clip.avi", ["-c:v", "mjpeg"])
        do {
            try CameraReader(configuration: fileCamera(file, width: 640, height: 480), probe: nil).connect()
            Issue.record("a 160×120 file must not serve a 640×480 camera")
        } catch {
            #expect(error.message == "camera 'front' (\(file)) delivers 160×120, but --robot.cameras asks 640×480")
        }
        do {
            try CameraReader(configuration: fileCamera(file, fps: 25), probe: nil).connect()
            Issue.record("a 30 fps file must not serve a 25 fps camera")
        } catch {
            #expect(error.message == "camera 'front' (\(file)) delivers 30 fps, but --robot.cameras asks front.fps=25")
        }
    }

    @Test func aFileThatEndsEndsTheCamera() throws {
        let media = try TestMedia()
        defer { media.remove() }
        let file = try media.video("short.avi", seconds: 0.5, ["-c:v", "mjpeg"])
        let camera = CameraReader(configuration: fileCamera(file), probe: nil)
        try camera.connect()
        defer { camera.disconnect() }
        var last: CameraError?
        #expect(
            eventually {
                last = readError(camera, maxAgeMs: 10_000); return last != nil
            })
        #expect(last?.code == .ended)
        #expect(last?.message == "camera 'front' (\(file)): stream ended (end of file)")
    }

    @Test func severalCamerasAtOnceEachOnItsThread() throws {
        let media = try TestMedia()
        defer { media.remove() }
        let a = try media.video("a.avi", ["-c:v", "mjpeg"])
        let b = try media.video("b.avi", size: "64x48", ["-c:v", "rawvideo", "-pix_fmt", "yuyv422"])
        let cameras = [
            CameraReader(configuration: fileCamera(a), probe: nil),
            CameraReader(configuration: fileCamera(b, width: 64, height: 48), probe: nil),
        ]
        for camera in cameras { try camera.connect() }
        defer { cameras.forEach { $0.disconnect() } }
        let first = try cameras.map { try $0.readLatest(maxAgeMs: 2000).sequence }
        #expect(
            eventually {
                (try? cameras.map { try $0.readLatest(maxAgeMs: 2000).sequence }).map { zip($0, first).allSatisfy { $0 > $1 } } ?? false
            })
        cameras[0].disconnect()
        cameras[0].disconnect()  // idempotent
        #expect(throws: CameraError.self) { try cameras[0].readLatest() }
        #expect((try? cameras[1].readLatest(maxAgeMs: 2000)) != nil)
    }
}

/// `image` rotated clockwise by `rotation` (computed from the destination side, unlike the code under test).
func rotated(_ image: RGBImage, by rotation: CameraConfiguration.Rotation, bgr: Bool) -> RGBImage {
    let (w, h) = (image.width, image.height)
    let (outW, outH) = rotation.swapsSides ? (h, w) : (w, h)
    var pixels = [UInt8](repeating: 0, count: w * h * 3)
    for oy in 0..<outH {
        for ox in 0..<outW {
            let (x, y): (Int, Int) =
                switch rotation {
                case .none: (ox, oy)
                case .clockwise90: (oy, h - 1 - ox)
                case .upsideDown: (w - 1 - ox, h - 1 - oy)
                case .counterClockwise90: (w - 1 - oy, ox)
                }
            for c in 0..<3 { pixels[(oy * outW + ox) * 3 + c] = image.pixels[(y * w + x) * 3 + (bgr ? 2 - c : c)] }
        }
    }
    return try! RGBImage(width: outW, height: outH, pixels: pixels)
}

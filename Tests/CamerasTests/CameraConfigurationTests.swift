import Testing

@testable import Cameras

@Suite struct CameraConfigurationTests {
    private func make(_ fields: [(String, String)]) throws(CameraError) -> CameraConfiguration {
        try CameraConfiguration.make(name: "front", fields: fields.map { (key: $0.0, value: $0.1) })
    }

    private let base = [("type", "opencv"), ("index_or_path", "0"), ("width", "640"), ("height", "480"), ("fps", "30")]

    /// `base` with `key` set to `value` (replaced, or added).
    private func with(_ key: String, _ value: String) -> [(String, String)] {
        base.filter { $0.0 != key } + [(key, value)]
    }

    private func message(_ fields: [(String, String)]) -> String? {
        do { _ = try make(fields) } catch { return error.message }
        return nil
    }

    @Test func parsesLeRobotExampleWithDefaults() throws {
        let camera = try make(base)
        #expect(camera.type == .opencv)
        #expect(camera.input == .device("/dev/video0"))
        #expect(camera.width == 640 && camera.height == 480 && camera.fps == 30)
        #expect(camera.colorMode == .rgb && camera.rotation == .none && camera.warmupS == 1)
        #expect(camera.fourcc == nil && camera.backend == .any)
        #expect(camera.featureKey == "observation.images.front")
        #expect(camera.label == "camera 'front' (/dev/video0)")
    }

    @Test func parsesEveryField() throws {
        let camera = try make(
            base + [("color_mode", "bgr"), ("rotation", "270"), ("warmup_s", "0.5"), ("fourcc", "mjpg"), ("backend", "200")])
        #expect(camera.colorMode == .bgr)
        #expect(camera.rotation == .counterClockwise90)
        #expect(camera.captureSize == (480, 640))
        #expect(camera.warmupS == 0.5 && camera.fourcc == "MJPG" && camera.backend == .v4l2)
    }

    @Test func resolvesInputs() {
        #expect(CameraInput("3") == .device("/dev/video3"))
        #expect(CameraInput("/dev/video2") == .device("/dev/video2"))
        #expect(CameraInput("rtsp://10.0.0.2/cam") == .stream("rtsp://10.0.0.2/cam"))
        #expect(CameraInput("clip.mp4") == .file("clip.mp4"))
        #expect(CameraInput("file:/tmp/a.avi") == .file("/tmp/a.avi"))
    }

    @Test func refusesFieldByField() {
        #expect(message(base + [("rotation", "45")]) == "--robot.cameras: front.rotation must be one of 0, 90, 180, -90, got '45'")
        #expect(message(base + [("exposure", "3")])?.contains("camera 'front' has an unknown key 'exposure'") == true)
        #expect(message(Array(base.dropLast())) == "--robot.cameras: front.fps is required")
        #expect(message(base.filter { $0.0 != "width" }) == "--robot.cameras: front.width is required")
        #expect(message(base + [("color_mode", "gray")]) == "--robot.cameras: front.color_mode must be one of rgb, bgr, got 'gray'")
        #expect(message(base + [("fourcc", "MJPEG")])?.contains("front.fourcc must be a 4-character code") == true)
        #expect(message(base + [("fourcc", "ABCD")])?.contains("front.fourcc must be one of MJPG") == true)
        #expect(message(base + [("backend", "DSHOW")])?.contains("front.backend DSHOW cannot be honoured") == true)
        #expect(message(base + [("backend", "1400")])?.contains("cannot be honoured") == true)
        #expect(message(base + [("backend", "42")])?.contains("front.backend must be one of ANY (0)") == true)
        #expect(message(with("width", "0")) == "--robot.cameras: front.width must be an integer within 1...8192, got '0'")
        #expect(message(with("fps", "-1"))?.contains("front.fps must be a number") == true)
        #expect(message(with("type", "intelrealsense"))?.contains("front.type must be one of opencv, sim") == true)
        #expect(
            message([("type", "opencv"), ("width", "1"), ("height", "1"), ("fps", "1")])?.contains("front.index_or_path is required")
                == true)
        #expect(message(base + [("width", "320")])?.contains("front.width is given twice") == true)
        #expect(
            message([("type", "opencv"), ("index_or_path", "a.mp4"), ("width", "1"), ("height", "1"), ("fps", "1"), ("backend", "V4L2")])?
                .contains("V4L2 needs a device") == true)
    }

    @Test func simNeedsNoPath() throws {
        let camera = try make([("type", "sim"), ("width", "64"), ("height", "48"), ("fps", "10")])
        #expect(camera.type == .sim && camera.width == 64)
    }
}

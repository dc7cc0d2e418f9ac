import Testing

@testable import Cameras

@Suite struct FormatNegotiationTests {
    static let webcam = [
        DeviceFormat(fourcc: "YUYV", width: 640, height: 480, fps: [30, 15]),
        DeviceFormat(fourcc: "MJPG", width: 640, height: 480, fps: [30]),
        DeviceFormat(fourcc: "MJPG", width: 320, height: 240, fps: [30]),
        DeviceFormat(fourcc: "MJPG", width: 1280, height: 720, fps: [60, 29.97]),
        DeviceFormat(fourcc: "YUYV", width: 1280, height: 720, fps: [10]),
    ]

    private func camera(_ width: Int, _ height: Int, _ fps: Double, fourcc: String? = nil, rotation: CameraConfiguration.Rotation = .none)
        -> CameraConfiguration
    {
        CameraConfiguration(name: "front", indexOrPath: "0", width: width, height: height, fps: fps, rotation: rotation, fourcc: fourcc)
    }

    /// (request, expected fourcc and rate, or nil for a refusal)
    static let table: [(width: Int, height: Int, fps: Double, fourcc: String?, expected: (String, Double)?)] = [
        (640, 480, 30, nil, ("MJPG", 30)),  // MJPEG preferred though the device lists YUYV first
        (640, 480, 30, "YUYV", ("YUYV", 30)),
        (640, 480, 15, nil, ("YUYV", 15)),  // only YUYV offers 15 fps
        (640, 480, 15, "MJPG", nil),
        (1280, 720, 30, nil, ("MJPG", 29.97)),  // within 1 %
        (1280, 720, 10, nil, ("YUYV", 10)),
        (1280, 720, 25, nil, nil),
        (800, 600, 30, nil, nil),
    ]

    @Test(arguments: 0..<table.count) func negotiates(row: Int) throws {
        let entry = Self.table[row]
        let request = camera(entry.width, entry.height, entry.fps, fourcc: entry.fourcc)
        if let (fourcc, fps) = entry.expected {
            let chosen = try FormatNegotiation.choose(for: request, offered: Self.webcam)
            #expect(chosen == NegotiatedFormat(fourcc: fourcc, width: entry.width, height: entry.height, fps: fps))
        } else {
            #expect(throws: CameraError.self) { try FormatNegotiation.choose(for: request, offered: Self.webcam) }
        }
    }

    @Test func rotationNegotiatesTheTransposedSize() throws {
        let chosen = try FormatNegotiation.choose(for: camera(480, 640, 30, rotation: .clockwise90), offered: Self.webcam)
        #expect(chosen.width == 640 && chosen.height == 480)
    }

    @Test func refusalListsWhatTheDeviceOffers() {
        let offered = [
            DeviceFormat(fourcc: "MJPG", width: 640, height: 480, fps: [30]),
            DeviceFormat(fourcc: "MJPG", width: 320, height: 240, fps: [30]),
            DeviceFormat(fourcc: "YUYV", width: 640, height: 480, fps: [30]),
        ]
        do {
            _ = try FormatNegotiation.choose(for: camera(1280, 720, 30), offered: offered)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.code == .formatMismatch)
            #expect(
                error.message
                    == "camera 'front' (/dev/video0) cannot deliver 1280×720 at 30 fps: it offers MJPG 640×480@30, 320×240@30; YUYV 640×480@30 (--robot.cameras front.width/height/fps)"
            )
        }
        do {
            _ = try FormatNegotiation.choose(for: camera(640, 480, 60, fourcc: "YUYV"), offered: offered)
        } catch {
            #expect(error.message.contains("cannot deliver YUYV 640×480 at 60 fps"))
            #expect(error.message.hasSuffix("(--robot.cameras front.fourcc/width/height/fps)"))
        }
    }

    @Test func checksWhatFFmpegReports() throws {
        let file = CameraConfiguration(name: "front", indexOrPath: "file.mp4", width: 640, height: 480, fps: 30)
        try FormatNegotiation.check(StreamInfo(width: 640, height: 480, fps: 29.97, codec: "h264", pixelFormat: "yuv420p"), for: file)
        try FormatNegotiation.check(StreamInfo(width: 640, height: 480, fps: nil, codec: "mjpeg", pixelFormat: "yuvj422p"), for: file)
        #expect(throws: CameraError(.formatMismatch, "camera 'front' (file.mp4) delivers 320×240, but --robot.cameras asks 640×480")) {
            try FormatNegotiation.check(StreamInfo(width: 320, height: 240, fps: 30, codec: "h264", pixelFormat: "yuv420p"), for: file)
        }
        #expect(throws: CameraError(.formatMismatch, "camera 'front' (file.mp4) delivers 25 fps, but --robot.cameras asks front.fps=30")) {
            try FormatNegotiation.check(StreamInfo(width: 640, height: 480, fps: 25, codec: "h264", pixelFormat: "yuv420p"), for: file)
        }
    }
}

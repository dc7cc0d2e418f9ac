import Foundation
import InteropSupport
import MessagePack
import NIOCore
import OrderedCollections
import PolicyWire
import Testing

/// Camera media made here by the `ffmpeg` tool: a camera stand-in file and what a reference decoder makes of it.
struct CameraMedia {
    let directory: URL
    let video: URL
    /// The JPEG packets of an MJPEG file, as they are stored (`-c:v copy`).
    var packets: Set<[UInt8]> = []
    /// Every frame as ffmpeg decodes it to RGB24, 64×48.
    var frames: [[UInt8]] = []

    static let width = 64, height = 48

    static func ffmpeg(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-v", "error", "-y"] + arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PythonRunner.Failure(description: "ffmpeg \(arguments.joined(separator: " ")) failed")
        }
    }

    /// `seconds` of moving colour gradients at 30 fps: MJPEG 4:2:2 in AVI (as UVC webcams send), or raw YUYV in
    /// AVI. Smooth content, so that JPEG's own loss (about 0.5 of 255 here) stays well under the tolerance while a
    /// channel swap, a rotation or a wrong size would not.
    init(mjpeg: Bool, seconds: Int = 8) throws {
        directory = try PythonRunner.temporaryDirectory("camera-media")
        video = directory.appendingPathComponent(mjpeg ? "front.avi" : "front-yuyv.avi")
        let codec = mjpeg ? ["-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj422p"] : ["-c:v", "rawvideo", "-pix_fmt", "yuyv422"]
        try Self.ffmpeg(
            ["-f", "lavfi", "-i", "gradients=size=\(Self.width)x\(Self.height):rate=30:speed=0.05", "-t", "\(seconds)"] + codec + [
                video.path
            ])
        let rgb = directory.appendingPathComponent("frames.rgb")
        try Self.ffmpeg(["-i", video.path, "-f", "rawvideo", "-pix_fmt", "rgb24", rgb.path])
        let all = [UInt8](try Data(contentsOf: rgb))
        let size = Self.width * Self.height * 3
        frames = stride(from: 0, to: all.count - size + 1, by: size).map { Array(all[$0..<$0 + size]) }
        if mjpeg {
            let packetDirectory = directory.appendingPathComponent("packets")
            try FileManager.default.createDirectory(at: packetDirectory, withIntermediateDirectories: true)
            try Self.ffmpeg(["-i", video.path, "-c:v", "copy", "-f", "image2", packetDirectory.appendingPathComponent("%04d.jpg").path])
            for name in try FileManager.default.contentsOfDirectory(atPath: packetDirectory.path) {
                packets.insert([UInt8](try Data(contentsOf: packetDirectory.appendingPathComponent(name))))
            }
        }
    }

    /// The mean absolute difference from `pixels` to the closest source frame.
    func closestFrameDistance(_ pixels: [UInt8]) -> Double {
        frames.map { frame in
            Double(zip(frame, pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(max(1, pixels.count))
        }.min() ?? .infinity
    }
}

/// `python/feetech_bus.py`: six simulated STS3215 servos behind a real pseudo-terminal, and LeRobot's calibration
/// file for them in a directory of its own (`HF_LEROBOT_CALIBRATION`).
struct SimulatedArmBus {
    let process: PythonProcess
    let port: String
    let calibration: URL

    init(id: String = "cam_arm") async throws {
        calibration = try PythonRunner.temporaryDirectory("calibration")
        process = try PythonProcess("feetech_bus.py", ["--calibration-dir", calibration.path, "--id", id])
        try await process.awaitReady()
        guard let line = process.output.first(where: { $0.hasPrefix("PORT ") }) else {
            throw PythonRunner.Failure(description: "feetech_bus.py printed no port: \(process.output)")
        }
        port = String(line.dropFirst(5))
    }

    /// Goal_Position sync writes the arm received.
    var goalWrites: Int { process.output.filter { $0.hasPrefix("{\"goal\"") }.count }
}

/// `lerobot-rollout --robot.type=so101_follower` on a simulated Feetech bus with `type: opencv` cameras that are
/// ffmpeg-made files and streams, read through the same FFmpeg path a `/dev/video*` device uses.
@Suite("lerobot-rollout with real camera data", .serialized)
struct CameraRolloutTests {
    static func arguments(endpoint: String, model: URL, bus: SimulatedArmBus, camera: String, _ extra: [String] = []) -> [String] {
        [
            "--strategy.type=base", "--policy.path=\(model.path)", "--inference.type=remote",
            "--inference.connect_endpoint=\(endpoint)", "--robot.type=so101_follower", "--robot.port=\(bus.port)",
            "--robot.id=cam_arm", "--robot.cameras={ front: {\(camera)}}", "--task=\(EdgeFixture.task)",
            "--return_to_initial_position=false",
        ] + extra
    }

    static func environment(_ bus: SimulatedArmBus) -> [String: String] {
        ["HF_LEROBOT_CALIBRATION": bus.calibration.path]
    }

    @Test("Pass-through to our server: the observations carry the camera's exact JPEG bytes; the arm is driven")
    func passThroughToOurServer() async throws {
        let media = try CameraMedia(mjpeg: true)
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let capture = try PythonRunner.temporaryDirectory("capture")
        let server = try await ServerProcess(router: router.endpoint, model: model, ["--debug.capture_dir=\(capture.path)"])
        defer { server.kill() }
        let bus = try await SimulatedArmBus()
        defer { bus.process.stop() }
        let camera = "type: opencv, index_or_path: \(media.video.path), width: 64, height: 48, fps: 30, warmup_s: 0.2"
        let run = try await RolloutCommandTests.rollout(
            Self.arguments(endpoint: router.endpoint, model: model, bus: bus, camera: camera, ["--duration=3"]),
            environment: Self.environment(bus))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stats["camera_paths"] as? [String] == ["front: MJPEG pass-through (camera JPEG forwarded)"])
        #expect((run.stats["merges"] as? Int ?? 0) >= 1 && bus.goalWrites >= 10, "\(run.stats)")
        // The capture ring writes on a background queue.
        func captured() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: capture.path)) ?? []).filter { $0.hasPrefix("req_") }
        }
        #expect(await EdgeFixture.eventually { !captured().isEmpty })
        let requests = captured()
        for name in requests {
            let body = ByteBuffer(bytes: try Data(contentsOf: capture.appendingPathComponent(name)))
            let observation = try Observation(messagePack: try MessagePackDecoder().decode(body))
            guard case .jpeg(let bytes)? = observation.images[EdgeFixture.camera] else {
                Issue.record("\(name): no JPEG image for \(EdgeFixture.camera)")
                continue
            }
            #expect(media.packets.contains(Array(bytes.readableBytesView)), "\(name): the JPEG is not one of the camera's packets")
        }
    }

    @Test(
        "To a Python server: pass-through bytes as they left the camera and Pillow decodes them; decode + re-encode and a raw YUYV camera deliver the source pixels"
    )
    func toAPythonServer() async throws {
        let mjpeg = try CameraMedia(mjpeg: true)
        let yuyv = try CameraMedia(mjpeg: false)
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let bus = try await SimulatedArmBus()
        defer { bus.process.stop() }
        let cases: [(media: CameraMedia, passthrough: Bool, path: String)] = [
            (mjpeg, true, "front: MJPEG pass-through (camera JPEG forwarded)"),
            (mjpeg, false, "front: decode (mjpeg → RGB)"),
            (yuyv, true, "front: decode (yuyv422 → RGB)"),
        ]
        for (media, passthrough, path) in cases {
            let images = try PythonRunner.temporaryDirectory("python-images")
            let server = try PythonProcess(
                "lerobot_server.py",
                ["-e", router.endpoint, "--model", model.path, "--task", EdgeFixture.task, "--images-dir", images.path])
            try await server.awaitReady()
            let camera =
                "type: opencv, index_or_path: \(media.video.path), width: 64, height: 48, fps: 30, warmup_s: 0.2, "
                + "mjpeg_passthrough: \(passthrough)"
            let run = try await RolloutCommandTests.rollout(
                Self.arguments(endpoint: router.endpoint, model: model, bus: bus, camera: camera, ["--duration=2.5"]),
                environment: Self.environment(bus))
            server.stop()
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stats["camera_paths"] as? [String] == [path])
            let received = try FileManager.default.contentsOfDirectory(atPath: images.path).filter { $0.hasSuffix(".rgb") }
            #expect(received.count >= 1, "\(path): the Python server kept no image")
            for name in received {
                let base = images.appendingPathComponent(String(name.dropLast(4)))
                let pixels = [UInt8](try Data(contentsOf: base.appendingPathExtension("rgb")))
                #expect(pixels.count == 64 * 48 * 3)
                // JPEG at quality 90 (or the camera's own) against ffmpeg's decode of the source frames.
                let distance = media.closestFrameDistance(pixels)
                #expect(distance < 2, "\(path) \(name): mean |Δ| \(distance) to the closest source frame")
                if passthrough && media.packets.count > 0 {
                    let jpeg = [UInt8](try Data(contentsOf: base.appendingPathExtension("jpg")))
                    #expect(media.packets.contains(jpeg), "\(name): the JPEG is not one of the camera's packets")
                }
            }
        }
    }

    @Test(
        "Bad cameras: a missing device refuses before the arm moves; a stream that ends and a stream whose server dies end the run naming the camera"
    )
    func badCameras() async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let model = try EdgeFixture.checkpoint()
        let server = try await ServerProcess(router: router.endpoint, model: model)
        defer { server.kill() }
        let bus = try await SimulatedArmBus()
        defer { bus.process.stop() }

        let missing = try await RolloutCommandTests.rollout(
            Self.arguments(
                endpoint: router.endpoint, model: model, bus: bus,
                camera: "type: opencv, index_or_path: /dev/video99, width: 64, height: 48, fps: 30", ["--duration=3"]),
            environment: Self.environment(bus))
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("error: camera 'front' (/dev/video99)"), "\(missing.stderr)")
        #expect(bus.goalWrites == 0, "the arm moved although a camera could not start")

        let short = try CameraMedia(mjpeg: true, seconds: 2)
        let ended = try await RolloutCommandTests.rollout(
            Self.arguments(
                endpoint: router.endpoint, model: model, bus: bus,
                camera: "type: opencv, index_or_path: \(short.video.path), width: 64, height: 48, fps: 30, warmup_s: 0.2",
                ["--duration=30"]),
            environment: Self.environment(bus))
        #expect(ended.status == 4, "\(ended.stderr)")
        #expect(ended.stderr.contains("error: camera 'front' (\(short.video.path)): stream ended"), "\(ended.stderr)")
        #expect((ended.stats["camera_fault_ticks"] as? Int ?? 0) >= 1 && (ended.stats["duration_s"] as? Double ?? 99) < 20)

        // A live MJPEG stream over HTTP whose server is killed mid-run (a camera unplugged).
        let port = freeLoopbackPort()
        let streamer = Process()
        streamer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        streamer.arguments = [
            "ffmpeg", "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=30", "-t", "60", "-c:v", "mjpeg",
            "-f", "mpjpeg", "-listen", "1", "http://127.0.0.1:\(port)/front",
        ]
        try streamer.run()
        defer { if streamer.isRunning { streamer.terminate() } }
        // Connecting would take the server's only client: wait for its listening socket in /proc/net/tcp instead.
        let listening = String(format: "0100007F:%04X 00000000:0000 0A", port)
        #expect(
            await EdgeFixture.eventually {
                ((try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? "").contains(listening)
            }, "ffmpeg is not listening on 127.0.0.1:\(port)")
        let unplugged = try await RolloutCommandTests.rollout(
            Self.arguments(
                endpoint: router.endpoint, model: model, bus: bus,
                camera: "type: opencv, index_or_path: http://127.0.0.1:\(port)/front, width: 64, height: 48, fps: 30, warmup_s: 0.2",
                ["--duration=40"]),
            environment: Self.environment(bus),
            during: { _ in
                try await Task.sleep(for: .seconds(3))
                kill(streamer.processIdentifier, SIGKILL)  // the camera is gone, mid-frame
            })
        #expect(unplugged.status == 4, "\(unplugged.stderr)")
        #expect(unplugged.stderr.contains("error: camera 'front' (http://127.0.0.1:\(port)/front)"), "\(unplugged.stderr)")
        #expect((unplugged.stats["merges"] as? Int ?? 0) >= 1 && (unplugged.stats["duration_s"] as? Double ?? 99) < 30)
    }
}

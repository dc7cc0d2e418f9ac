import Foundation
import PolicyWire
import Synchronization
import Testing

@testable import Cameras

/// A test double of the capture seam: plays a script of steps, then repeats `afterScript`.
final class ScriptedSource: CaptureSource {
    enum Step: Sendable { case frame, fail(String), stall, end }
    private let steps: Mutex<[Step]>
    private let afterScript: Step
    private let interrupted = Atomic<Bool>(false)

    init(_ steps: [Step], then afterScript: Step = .frame) {
        self.steps = Mutex(steps)
        self.afterScript = afterScript
    }

    func open() throws(CameraError) -> StreamInfo {
        StreamInfo(width: 4, height: 2, fps: 30, codec: "rawvideo", pixelFormat: "rgb24")
    }

    func next(_ delivery: CaptureDelivery) throws(CaptureFailure) -> CapturedPacket {
        let step = steps.withLock { $0.isEmpty ? afterScript : $0.removeFirst() }
        usleep(2_000)
        switch step {
        case .frame: return .image(try! RGBImage(width: 4, height: 2, filledWith: (1, 2, 3)))
        case .fail(let message): throw .readFailed(message)
        case .end: throw .ended("the test source ended")
        case .stall:
            while !interrupted.load(ordering: .relaxed) { usleep(1_000) }
            throw .ended("stopped")
        }
    }

    func interrupt() { interrupted.store(true, ordering: .relaxed) }
    func close() {}
}

@Suite struct ReaderFailureTests {
    private func camera(_ source: ScriptedSource) -> CameraReader {
        let configuration = CameraConfiguration(name: "front", indexOrPath: "/dev/video0", width: 4, height: 2, fps: 30, warmupS: 0)
        return CameraReader(configuration: configuration, source: source, firstFrameTimeout: 5)
    }

    @Test func nineErrorsThenFramesKeepTheCamera() throws {
        let reader = camera(ScriptedSource([.frame] + Array(repeating: .fail("bad frame"), count: 9)))
        try reader.connect()
        defer { reader.disconnect() }
        usleep(200_000)
        #expect((try? reader.readLatest(maxAgeMs: 5000)) != nil)
    }

    @Test func tenConsecutiveErrorsEndTheCamera() throws {
        let reader = camera(ScriptedSource([.frame] + Array(repeating: .fail("bad frame"), count: 10), then: .stall))
        try reader.connect()
        defer { reader.disconnect() }
        var last: CameraError?
        #expect(
            eventually {
                last = readError(reader, maxAgeMs: 60_000); return last != nil
            })
        #expect(last == CameraError(.ended, "camera 'front' (/dev/video0): 10 consecutive read errors, camera stopped; last: bad frame"))
    }

    @Test func aStalledSourceMakesTheFrameTooOld() throws {
        let reader = camera(ScriptedSource([.frame], then: .stall))
        try reader.connect()
        defer { reader.disconnect() }
        usleep(300_000)
        #expect(throws: CameraError.self) { try reader.readLatest(maxAgeMs: 100) }
        do {
            _ = try reader.readLatest(maxAgeMs: 100)
        } catch {
            #expect(error.code == .timeout)
            #expect(error.message.hasPrefix("camera 'front' (/dev/video0): latest frame is too old: "))
            #expect(error.message.hasSuffix(" ms (max allowed: 100.0 ms)"))
        }
        #expect((try? reader.readLatest(maxAgeMs: 60_000)) != nil)
        reader.disconnect()  // interrupts the stalled read and joins the thread
        #expect((try? reader.readLatest(maxAgeMs: 60_000)) == nil)
    }

    @Test func noFrameAtAllFailsConnect() {
        let reader = camera(ScriptedSource([], then: .end))
        #expect(throws: CameraError(.ended, "camera 'front' (/dev/video0): stream ended (the test source ended)")) {
            try reader.connect()
        }
    }

    @Test func corruptJPEGPacketsFromARealFileEndTheCamera() throws {
        let media = try TestMedia()
        defer { media.remove() }
        try media.video("clip.avi", ["-c:v", "mjpeg"])
        // Overwrite every packet's SOI marker: the AVI stays readable, every JPEG inside is corrupt.
        var bytes = try media.bytes("clip.avi")
        var index = 0
        while index + 2 < bytes.count {
            if bytes[index] == 0xFF, bytes[index + 1] == 0xD8, bytes[index + 2] == 0xFF { bytes[index + 1] = 0x00 }
            index += 1
        }
        try Data(bytes).write(to: URL(fileURLWithPath: media.path("corrupt.avi")))
        let reader = CameraReader(configuration: fileCamera(media.path("corrupt.avi")), probe: nil)
        #expect(
            throws: CameraError(
                .ended,
                "camera 'front' (\(media.path("corrupt.avi"))): 10 consecutive read errors, camera stopped; last: JPEG frame does not start with SOI (FF D8)"
            )
        ) {
            try reader.connect()
        }
    }

    @Test func aMissingDeviceSaysSo() {
        let configuration = CameraConfiguration(name: "front", indexOrPath: "/dev/video99", width: 640, height: 480, fps: 30)
        for reader in [CameraReader(configuration: configuration), CameraReader(configuration: configuration, probe: nil)] {
            #expect(throws: CameraError(.cannotOpen, "camera 'front' (/dev/video99): cannot open /dev/video99: No such file or directory"))
            {
                try reader.connect()
            }
        }
    }
}

import Foundation
import NIOCore
import PolicyWire
import Testing

@testable import Cameras

/// Test media made at test time with the `ffmpeg` CLI in a fresh temporary directory (nothing committed).
struct TestMedia {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cameras-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// Runs `ffmpeg -v error -y <arguments>` in the media directory and waits for it.
    @discardableResult
    func ffmpeg(_ arguments: [String]) throws -> String {
        let process = Self.process(["-v", "error", "-y"] + arguments, in: directory)
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: output, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw MediaError(message: "ffmpeg \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    static func process(_ arguments: [String], in directory: URL) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-hide_banner", "-nostdin"] + arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        return process
    }

    /// `testsrc2` at `size` and `fps` for `seconds`, encoded with `codec` arguments into `name`.
    @discardableResult
    func video(_ name: String, size: String = "160x120", fps: Int = 30, seconds: Double = 2, _ codec: [String])
        throws -> String
    {
        try ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=\(size):rate=\(fps)", "-t", "\(seconds)"] + codec + [name])
        return path(name)
    }

    /// FFmpeg's own RGB24 decode of every frame of `name`, one image per frame.
    func referenceFrames(of name: String, width: Int, height: Int) throws -> [RGBImage] {
        try ffmpeg(["-i", name, "-f", "rawvideo", "-pix_fmt", "rgb24", "\(name).rgb"])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path("\(name).rgb"))))
        let size = width * height * 3
        return try stride(from: 0, to: bytes.count - size + 1, by: size).map {
            try RGBImage(width: width, height: height, pixels: Array(bytes[$0..<($0 + size)]))
        }
    }

    func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name)))) }
}

struct MediaError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A camera on a file or stream, warm-up 0 unless given.
func fileCamera(
    _ path: String, width: Int = 160, height: Int = 120, fps: Double = 30, rotation: CameraConfiguration.Rotation = .none,
    colorMode: CameraConfiguration.ColorMode = .rgb, warmupS: Double = 0
) -> CameraConfiguration {
    CameraConfiguration(
        name: "front", indexOrPath: path, width: width, height: height, fps: fps, colorMode: colorMode,
        rotation: rotation, warmupS: warmupS)
}

/// Polls `condition` every 10 ms for up to `seconds` (generous: the machine may be loaded).
func eventually(within seconds: Double = 20, _ condition: () -> Bool) -> Bool {
    let end = MonotonicClock.seconds + seconds
    while MonotonicClock.seconds < end {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// The largest difference between two images' bytes (Int.max when their sizes differ).
func maxDifference(_ a: RGBImage, _ b: RGBImage) -> Int {
    guard a.width == b.width, a.height == b.height else { return .max }
    return zip(a.pixels, b.pixels).reduce(0) { max($0, abs(Int($1.0) - Int($1.1))) }
}

/// The error `readLatest` throws now, or nil when it returns a frame.
func readError(_ reader: CameraReader, maxAgeMs: Double) -> CameraError? {
    do {
        _ = try reader.readLatest(maxAgeMs: maxAgeMs)
        return nil
    } catch {
        return error
    }
}

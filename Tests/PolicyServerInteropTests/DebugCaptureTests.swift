import Foundation
import InteropSupport
import NIOCore
import PolicyServer
import PolicyWire
import Testing

@Suite("Debug capture ring", .serialized)
struct DebugCaptureTests {
    @Test("Served requests and chunks are kept as req_/rep_ files, newest capture_max pairs, byte for byte")
    func ringOfServedBodies() async throws {
        let directory = try PythonRunner.temporaryDirectory("capture").appendingPathComponent("ring")
        let capture = try DebugCapture(directory: directory.path, capacity: 2)
        let fixture = try await ServerFixture(capture: capture)
        let events = try await fixture.client("robot-c", ["--count", "3", "--close"])
        await fixture.stop()
        #expect(events.filter { $0["event"] as? String == "chunk" }.count == 3)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["rep_00001.bin", "rep_00002.bin", "req_00001.bin", "req_00002.bin"])
        for sequence in [1, 2] {
            let request = try Data(contentsOf: directory.appendingPathComponent("req_0000\(sequence).bin"))
            let reply = try Data(contentsOf: directory.appendingPathComponent("rep_0000\(sequence).bin"))
            let observation = try Observation(decoding: ByteBuffer(bytes: request))
            let chunk = try ActionChunk(decoding: ByteBuffer(bytes: reply))
            #expect(observation.state != nil && !observation.task.isEmpty)
            #expect(chunk.seqIDEcho == UInt64(sequence + 1))  // the robot numbers its observations from 1
            // Byte for byte: re-encoding the decoded chunk gives the captured bytes (our encoder is canonical).
            #expect(Data(chunk.encoded().readableBytesView) == reply)
        }
    }

    @Test("A capture directory that cannot be used is refused with its key and path")
    func unusableDirectory() throws {
        let file = try PythonRunner.temporaryDirectory("capture-file").appendingPathComponent("plain")
        try Data("x".utf8).write(to: file)
        #expect {
            try DebugCapture(directory: file.path, capacity: 4)
        } throws: { error in
            "\(error)".contains("debug.capture_dir '\(file.path)'")
        }
    }
}

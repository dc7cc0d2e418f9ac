import Foundation
import NIOCore
import PolicyWire
import Testing

@testable import Cameras

@Suite struct StreamAndJPEGTests {
    /// A loopback HTTP multipart-MJPEG server (what IP cameras serve), read through the same FFmpegSource path.
    @Test func readsAnMJPEGStreamOverHTTP() throws {
        let media = try TestMedia()
        defer { media.remove() }
        let port = Int.random(in: 20_000..<40_000)
        let url = "http://127.0.0.1:\(port)/"
        let server = TestMedia.process(
            [
                "-v", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30", "-t", "20", "-c:v", "mjpeg",
                "-f", "mpjpeg", "-listen", "1", url,
            ], in: media.directory)
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            if server.isRunning { server.terminate() }
            server.waitUntilExit()
        }
        let reader = CameraReader(configuration: fileCamera(url), probe: nil)
        var connected = false
        var lastError: CameraError?
        for _ in 0..<40 where !connected {  // the server may need a moment to listen
            do {
                try reader.connect()
                connected = true
            } catch {
                lastError = error
                usleep(250_000)
            }
        }
        try #require(connected, "\(String(describing: lastError))")
        defer { reader.disconnect() }
        #expect(reader.deliveryPath == .passThrough)
        let first = try reader.readLatest(maxAgeMs: 2000)
        let image = try first.rgb()
        #expect(image.width == 160 && image.height == 120)
        #expect(eventually { ((try? reader.readLatest(maxAgeMs: 2000))?.sequence ?? 0) > first.sequence })
    }

    /// A webcam-style JPEG without DHT gets the Annex K tables back (the very segment FFmpeg writes)
    /// and decodes exactly as the original.
    /// (libjpeg-turbo 2.x itself falls back to these tables; stricter decoders do not.)
    @Test func insertsTheStandardHuffmanTablesWhereACameraLeftThemOut() throws {
        let media = try TestMedia()
        defer { media.remove() }
        try media.ffmpeg([
            "-f", "lavfi", "-i", "testsrc2=size=160x120", "-frames:v", "1", "-c:v", "mjpeg", "-huffman", "default", "one.jpg",
        ])
        let original = try media.bytes("one.jpg")
        let start = try #require((0..<original.count - 1).first { original[$0] == 0xFF && original[$0 + 1] == 0xC4 })
        let length = Int(original[start + 2]) << 8 | Int(original[start + 3])
        // FFmpeg writes the standard tables as one segment, like ours.
        #expect(Array(original[start..<(start + 2 + length)]) == CameraJPEG.standardHuffmanSegment)
        let stripped = Array(original[..<start] + original[(start + 2 + length)...])
        #expect(CameraJPEG.problem(in: ByteBuffer(bytes: stripped)) == nil)
        let repaired = try CameraJPEG.withHuffmanTables(ByteBuffer(bytes: stripped))
        #expect(repaired.readableBytes == original.count)
        #expect(CameraJPEG.problem(in: repaired) == nil)
        let decodedRepaired = try JPEGDecoder().decode(repaired)
        let decodedOriginal = try JPEGDecoder().decode(ByteBuffer(bytes: original))
        #expect(decodedRepaired == decodedOriginal)
        // A JPEG that has its tables is forwarded untouched.
        #expect(try CameraJPEG.withHuffmanTables(ByteBuffer(bytes: original)) == ByteBuffer(bytes: original))
    }
}

/// A dead network peer (accepts, never sends) cannot block `open` forever: the interrupt deadline ends it.
@Suite struct DeadStreamTests {
    @Test func aSilentServerTimesOut() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(listener, 4) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let configuration = fileCamera("tcp://127.0.0.1:\(port)")
        let source = FFmpegSource(configuration: configuration, readTimeout: 1, openTimeout: 1)
        let start = MonotonicClock.seconds
        #expect(throws: CameraError.self) { _ = try source.open() }
        #expect(MonotonicClock.seconds - start < 15)
        source.close()
    }
}

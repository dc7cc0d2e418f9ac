import Foundation
import InteropSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `zenoh-swift` executable itself: publishers that loop until interrupted stop on SIGINT.
@Suite("zenoh-swift stops on SIGINT", .serialized)
struct ZenohSwiftCLITests {
    static var executable: URL {
        get throws {
            let candidates = [
                URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                PythonRunner.packageRoot.appendingPathComponent(".build/debug"),
            ].map { $0.appendingPathComponent("zenoh-swift") }
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw PythonRunner.Failure(
                    description: "zenoh-swift is not built (looked in \(candidates.map(\.path))); run ./scripts/test")
            }
            return found
        }
    }

    @Test(arguments: [["pub-thr", "-s", "1024"], ["pub", "-k", "demo/cli", "--interval", "0.05"]])
    func publisherLoopStopsOnSIGINT(_ command: [String]) async throws {
        let router = try await ZenohRouter.start()
        defer { router.stop() }
        let process = Process()
        process.executableURL = try Self.executable
        process.arguments = command + ["-e", router.endpoint]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try await Task.sleep(for: .seconds(2))  // connected and publishing
        #expect(process.isRunning)
        kill(process.processIdentifier, SIGINT)
        // It must end on its own; a process that ignores SIGINT is killed after 15 s and fails here.
        let exited = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let deadline = Date().addingTimeInterval(15)
                while process.isRunning && Date() < deadline { usleep(50_000) }
                continuation.resume(returning: !process.isRunning)
            }
        }
        #expect(exited, "\(command[0]) ignored SIGINT")
        if exited { #expect(process.terminationStatus == 0) }
    }
}

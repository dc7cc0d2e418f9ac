import ArgumentParser
import Foundation
import NIOCore
import Synchronization
import Zenoh

/// Round trip: publishes on test/ping, waits for the echo on test/pong. Prints one JSON summary line.
struct Ping: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure round trips through a `pong`.")
    @OptionGroup var connection: ConnectionOptions
    @Option(name: [.short, .long], help: "Payload size in bytes.") var size: Int = 64
    @Option(name: [.customShort("n"), .customLong("count")], help: "Measured round trips.") var count: Int = 1000
    @Option(name: [.short, .long], help: "Round trips before measuring.") var warmup: Int = 50

    func run() async throws {
        let opening = ContinuousClock.now
        let session = try await connection.open()
        let openTime = ContinuousClock.now - opening
        let openMilliseconds = Double(openTime.components.seconds) * 1e3 + Double(openTime.components.attoseconds) / 1e15
        let pongs = try session.declareSubscriber("test/pong", bufferingPolicy: .bufferingNewest(16))
        let publisher = try session.declarePublisher(
            "test/ping", options: ZenohPublicationOptions(congestionControl: .block, isExpress: true))
        try await Task.sleep(for: .milliseconds(500))
        let payload = ByteBuffer(repeating: 0, count: size)
        var iterator = pongs.makeAsyncIterator()
        var samples: [Double] = []
        let clock = ContinuousClock()
        for i in 0..<(warmup + count) {
            let start = clock.now
            try publisher.put(payload)
            guard await iterator.next() != nil else { throw ValidationError("the pong subscription ended") }
            let elapsed = clock.now - start
            if i >= warmup {
                samples.append(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
            }
        }
        samples.sort()
        let p50 = samples[samples.count / 2]
        let p99 = samples[min(samples.count - 1, samples.count * 99 / 100)]
        let mean = samples.reduce(0, +) / Double(samples.count)
        print(
            String(
                format:
                    "{\"impl\": \"swift\", \"size\": %d, \"n\": %d, \"p50_us\": %.1f, \"p99_us\": %.1f, \"mean_us\": %.1f, \"open_ms\": %.2f}",
                size, samples.count, p50, p99, mean, openMilliseconds))
        await session.close()
    }
}

struct Pong: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Echo test/ping to test/pong until interrupted.")
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let session = try await connection.open()
        let publisher = try session.declarePublisher(
            "test/pong", options: ZenohPublicationOptions(congestionControl: .block, isExpress: true))
        let subscriber = try session.declareSubscriber("test/ping") { sample in _ = try? publisher.put(sample.payload) }
        print("READY")
        fflush(nil)
        await waitForInterrupt(seconds: nil)
        subscriber.undeclare()
        await session.close()
    }
}

struct PubThr: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pub-thr", abstract: "Publish on test/thr as fast as possible.")
    @OptionGroup var connection: ConnectionOptions
    @Option(name: [.short, .long], help: "Payload size in bytes.") var size: Int = 1024

    func run() async throws {
        let session = try await connection.open()
        let publisher = try session.declarePublisher("test/thr", options: ZenohPublicationOptions(congestionControl: .block))
        let payload = ByteBuffer(repeating: 0, count: size)
        print("READY")
        fflush(nil)
        let stop = InterruptWatch()
        var n = 0
        while !stop.isSet {
            _ = try publisher.put(payload)
            n += 1
            if n % 1024 == 0 { await Task.yield() }
        }
        stop.cancel()
        await session.close()
    }
}

struct SubThr: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sub-thr", abstract: "Count messages on test/thr; print msgs/s and MB/s.")
    @OptionGroup var connection: ConnectionOptions
    @Option(name: [.short, .long], help: "Payload size (for MB/s).") var size: Int = 1024
    @Option(name: [.customShort("n"), .customLong("count")], help: "Messages to measure.") var count: Int = 100_000
    @Option(name: [.short, .long], help: "Messages before measuring.") var warmup: Int = 1000

    func run() async throws {
        let session = try await connection.open()
        let state = Mutex((n: 0, start: ContinuousClock.Instant?.none, end: ContinuousClock.Instant?.none))
        let (total, warm) = (warmup + count, warmup)
        let subscriber = try session.declareSubscriber("test/thr") { _ in
            state.withLock { s in
                s.n += 1
                if s.n == warm { s.start = .now } else if s.n == total { s.end = .now }
            }
        }
        print("READY")
        fflush(nil)
        let deadline = Date().addingTimeInterval(120)
        while state.withLock({ $0.end == nil }) && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        subscriber.undeclare()
        let (start, end) = state.withLock { ($0.start, $0.end) }
        guard let start, let end else { throw ValidationError("only \(state.withLock { $0.n }) messages within 120 s") }
        let seconds = Double((end - start).components.seconds) + Double((end - start).components.attoseconds) / 1e18
        print(
            String(
                format: "{\"impl\": \"swift\", \"size\": %d, \"n\": %d, \"msgs_per_s\": %.1f, \"mb_per_s\": %.2f}", size, count,
                Double(count) / seconds, Double(count * size) / seconds / 1e6))
        await session.close()
    }
}

// Load generator for `lerobot-policy-server`: N robots, each in a closed loop (publish an observation, wait
// for its chunk, repeat) for a fixed time, with two 480×640 JPEG cameras and a 6-joint state. Prints one
// JSON line: clients, requests, requests per second, publish→chunk latency p50/p99 in ms.
//
//   policy-server-bench -e tcp/127.0.0.1:7447 --model M --clients 4 --seconds 10 [--task T]
import Foundation
import JSON
import NIOCore
import OrderedCollections
import PolicyWire
import Synchronization
import Zenoh
import ZenohTransport

struct Options {
    var endpoint = "tcp/127.0.0.1:7447"
    var model = ""
    var task = ""
    var clients = 1
    var seconds = 10.0
    var cameras = ["observation.images.front", "observation.images.wrist"]
    var actionNames = ["shoulder_pan.pos", "shoulder_lift.pos", "elbow_flex.pos", "wrist_flex.pos", "wrist_roll.pos", "gripper.pos"]

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        while let flag = rest.popFirst() {
            let value = rest.popFirst() ?? ""
            switch flag {
            case "-e", "--connect": self.endpoint = value
            case "--model": self.model = value
            case "--task": self.task = value
            case "--clients": self.clients = Int(value) ?? 1
            case "--seconds": self.seconds = Double(value) ?? 10
            default:
                FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8))
                exit(2)
            }
        }
    }
}

/// One observation body: the same two camera frames (a gradient, so JPEG has real content) and state.
func observationBody() throws -> ByteBuffer {
    var pixels = [UInt8](repeating: 0, count: 480 * 640 * 3)
    for y in 0..<480 {
        for x in 0..<640 {
            let i = (y * 640 + x) * 3
            pixels[i] = UInt8(x & 0xFF)
            pixels[i + 1] = UInt8(y & 0xFF)
            pixels[i + 2] = UInt8((x ^ y) & 0xFF)
        }
    }
    let image = try RGBImage(width: 640, height: 480, pixels: pixels)
    let encoder = try JPEGEncoder()
    let frame = try WireImage(image, quality: 90, encoder: encoder)
    let observation = Observation(
        state: try PolicyTensor(float32: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
        images: ["observation.images.front": frame, "observation.images.wrist": frame], task: "")
    return observation.encoded()
}

/// What one robot measured: its latencies in milliseconds and when its loop began and ended.
struct ClientRun: Sendable {
    var latencies: [Double]
    /// Observations whose chunk never came (given up after 2 s; the next one goes out under a new seq).
    var lost: Int
    var started: ContinuousClock.Instant
    var ended: ContinuousClock.Instant
}

/// One robot: opens its session, then loops until `deadline`.
func runClient(index: Int, options: Options, keys: ServiceKeys, body: ByteBuffer, deadline: ContinuousClock.Instant) async throws
    -> ClientRun
{
    var configuration = ZenohConfiguration(connect: [try ZenohEndpoint(parsing: options.endpoint)])
    configuration.queryTimeout = .seconds(10)
    let session = try await ZenohSession.open(configuration: configuration, connector: TCPTransportConnector())
    defer { Task { await session.close() } }
    let uuid = String(format: "bench%027d", index)
    let actions = try session.declareSubscriber(try keys.actions(client: uuid))
    let token = try session.liveliness.declareToken(try keys.alive(client: uuid))
    defer { token.undeclare() }
    let publisher = try session.declarePublisher(try keys.observations(client: uuid))
    let open = SessionOpen(
        clientUUID: uuid, robotType: "bench", policyType: "mock", fps: 30, actionNames: options.actionNames,
        cameraNames: options.cameras, stateDim: 6, task: options.task)
    var accepted = false
    for try await reply in try session.get(keys.session, payload: open.encoded()) {
        if let sample = reply.sample {
            let ack = try SessionAck(decoding: sample.payload)
            guard ack.accepted else { throw BenchError("client \(index): session refused: \(ack.error)") }
            accepted = true
        }
    }
    guard accepted else { throw BenchError("client \(index): no session ack") }
    try await Task.sleep(for: .milliseconds(300))  // let the action subscription reach the server
    // Echoed seqs and give-ups in one stream: a lost chunk costs 2 s, never the whole run.
    enum Event: Sendable {
        case echo(UInt64)
        case gaveUp(UInt64)
    }
    let (events, sink) = AsyncStream<Event>.makeStream()
    let reader = Task {
        for await sample in actions {
            if let attachment = sample.attachment, let echoed = try? AttachmentHeader(unpacking: attachment) {
                sink.yield(.echo(echoed.seqID))
            }
        }
        sink.finish()
    }
    defer { reader.cancel() }
    var latencies: [Double] = []
    var lost = 0
    var iterator = events.makeAsyncIterator()
    var seq: UInt64 = 0
    let clock = ContinuousClock()
    let started = clock.now
    while clock.now < deadline {
        seq += 1
        let header = AttachmentHeader(seqID: seq, episodeID: 1, clientMonoNs: Int64(seq))
        let sent = clock.now
        try publisher.put(body, attachment: header.packed())
        let timer = Task { [seq] in
            try await Task.sleep(for: .seconds(2))
            sink.yield(.gaveUp(seq))
        }
        waiting: while true {
            switch await iterator.next() {
            case nil: throw BenchError("client \(index): action stream ended")
            case .echo(let echoed) where echoed == seq:
                latencies.append(milliseconds(clock.now - sent))
                break waiting
            case .gaveUp(let expired) where expired == seq:
                lost += 1
                break waiting
            default: continue
            }
        }
        timer.cancel()
    }
    let ended = clock.now
    let close = SessionClose(clientUUID: uuid)
    for try await _ in try session.get(keys.session, payload: close.encoded()) {}
    return ClientRun(latencies: latencies, lost: lost, started: started, ended: ended)
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

let options = Options(CommandLine.arguments)
do {
    let keys = try ServiceKeys(modelID: options.model, task: options.task)
    let body = try observationBody()
    // Sessions open in the first second; every robot then runs until the same deadline.
    let deadline = ContinuousClock.now + .milliseconds(Int(options.seconds * 1000) + 1000)
    let runs = try await withThrowingTaskGroup(of: ClientRun.self) { group in
        for index in 0..<options.clients {
            group.addTask { try await runClient(index: index, options: options, keys: keys, body: body, deadline: deadline) }
        }
        var runs: [ClientRun] = []
        for try await run in group { runs.append(run) }
        return runs
    }
    let all = runs.flatMap(\.latencies)
    // Requests per second from the first robot's first observation to the last robot's last chunk.
    let window = (runs.map(\.ended).max() ?? deadline) - (runs.map(\.started).min() ?? deadline)
    let seconds = milliseconds(window) / 1000
    let sorted = all.sorted()
    let line: JSONValue = [
        "clients": .integer(options.clients), "requests": .integer(all.count), "lost": .integer(runs.map(\.lost).reduce(0, +)),
        "observation_bytes": .integer(body.readableBytes),
        "req_per_s": .double((Double(all.count) / max(seconds, 0.001) * 10).rounded() / 10),
        "p50_ms": .double((percentile(sorted, 0.5) * 100).rounded() / 100),
        "p99_ms": .double((percentile(sorted, 0.99) * 100).rounded() / 100),
    ]
    print(line.serialized(.sortedKeys))
} catch {
    FileHandle.standardError.write(Data("policy-server-bench: \(error)\n".utf8))
    exit(1)
}

// Encode + decode cost of the LeRobot wire format in Swift: a full observation (state of 6, two 480×640
// JPEG cameras at q90, RTC prefixes 10×6) and an action chunk (50×14).
//
//   swift run -c release policy-wire-bench FRAME.rgb [iterations]
//
// FRAME.rgb is a raw 480×640×3 frame (scripts/bench-wire makes one, and runs the Python side on the same
// frame in the same run). Prints one JSON line per operation with the median and p90 in microseconds.
import Foundation
import MessagePack
import NIOCore
import OrderedCollections
import PolicyWire

let arguments = CommandLine.arguments
guard arguments.count >= 2, let frameBytes = FileManager.default.contents(atPath: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: policy-wire-bench FRAME.rgb [iterations]\n".utf8))
    exit(2)
}
let iterations = arguments.count >= 3 ? Int(arguments[2]) ?? 200 : 200
let width = 640
let height = 480
guard frameBytes.count == width * height * 3 else {
    FileHandle.standardError.write(Data("FRAME.rgb must hold 480×640×3 bytes, has \(frameBytes.count)\n".utf8))
    exit(2)
}
let front = try RGBImage(width: width, height: height, pixels: [UInt8](frameBytes))
// The second camera: the same frame mirrored left to right (the Python side does the same).
var mirrored = [UInt8](repeating: 0, count: front.pixels.count)
for y in 0..<height {
    for x in 0..<width {
        let source = (y * width + (width - 1 - x)) * 3
        let target = (y * width + x) * 3
        mirrored[target] = front.pixels[source]
        mirrored[target + 1] = front.pixels[source + 1]
        mirrored[target + 2] = front.pixels[source + 2]
    }
}
let wrist = try RGBImage(width: width, height: height, pixels: mirrored)

// Flat row-major arrays, as numpy holds them on the Python side.
let state: [Float] = (0..<6).map { Float($0) * 0.1 + 0.5 }
let prefix: [Float] = (0..<60).map { Float($0) * 0.01 }
let chunk: [Float] = (0..<700).map { Float($0) * 0.001 }

let encoder = try JPEGEncoder()
let decoder = try JPEGDecoder()

@MainActor func measure(_ name: String, bytes: () throws -> Int) rethrows {
    var samples: [Duration] = []
    samples.reserveCapacity(iterations)
    var size = 0
    for _ in 0..<max(5, iterations / 10) { size = try bytes() }  // warm-up
    let clock = ContinuousClock()
    for _ in 0..<iterations {
        let start = clock.now
        size = try bytes()
        samples.append(clock.now - start)
    }
    samples.sort()
    func micros(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12
    }
    let median = micros(samples[samples.count / 2])
    let p90 = micros(samples[samples.count * 9 / 10])
    print(
        "{\"impl\": \"swift\", \"op\": \"\(name)\", \"median_us\": \(String(format: "%.1f", median)), "
            + "\"p90_us\": \(String(format: "%.1f", p90)), \"bytes\": \(size)}")
}

@MainActor func makeObservation() throws -> Observation {
    Observation(
        state: try PolicyTensor(float32: state),
        images: [
            "observation.images.front": try WireImage(front, quality: 90, encoder: encoder),
            "observation.images.wrist": try WireImage(wrist, quality: 90, encoder: encoder),
        ],
        task: "pick up the cube",
        inferenceDelaySteps: 3,
        prefixModel: try PolicyTensor(float32: prefix, shape: [10, 6]),
        prefixRobot: try PolicyTensor(float32: prefix, shape: [10, 6]),
        episodeStart: false)
}

@MainActor func makeChunk() throws -> ActionChunk {
    ActionChunk(
        seqIDEcho: 1234, clientMonoNsEcho: 987_654_321, episodeIDEcho: 3,
        chunkModel: try PolicyTensor(float32: chunk, shape: [50, 14]),
        chunkRobot: try PolicyTensor(float32: chunk, shape: [50, 14]),
        queueWaitMs: 0.4, inferenceMs: 12.5, supersededSeqs: 0, serverLoad: 0.2)
}

let observationBody = try makeObservation().encoded()
let chunkBody = try makeChunk().encoded()

// Whole paths, as the robot and the server run them.
try measure("observation_encode") { try makeObservation().encoded().readableBytes }
try measure("observation_decode") {
    let obs = try Observation(decoding: observationBody)
    var n = obs.state?.floats().count ?? 0
    n += obs.prefixModel?.floats().count ?? 0
    n += obs.prefixRobot?.floats().count ?? 0
    for image in obs.images.values { n += try image.rgbImage(decoder: decoder).pixels.count }
    return n
}
try measure("chunk_encode") { try makeChunk().encoded().readableBytes }
try measure("chunk_decode") {
    let chunk = try ActionChunk(decoding: chunkBody)
    return (chunk.chunkModel?.floats().count ?? 0) + (chunk.chunkRobot?.floats().count ?? 0)
}
// The parts: JPEG alone, MessagePack alone.
try measure("jpeg_encode_one_camera") { try encoder.encode(front, quality: 90).readableBytes }
let frontJPEG = try encoder.encode(front, quality: 90)
try measure("jpeg_decode_one_camera") { try decoder.decode(frontJPEG).pixels.count }
let preEncoded = try makeObservation()
measure("observation_msgpack_encode") { preEncoded.encoded().readableBytes }
try measure("observation_msgpack_decode") {
    try Observation(decoding: observationBody).images.count
}

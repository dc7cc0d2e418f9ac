import Foundation
import InteropSupport
import ONNXRuntime
import Testing
@testable import PolicyRuntime

/// RTC guidance and the Euler sampler against the values LeRobot pins (edge-semantics §3.2–§3.3) and
/// against hand computation.
@Suite("Flow matching: prefix weights, guidance, Euler sampler")
struct FlowMatchingTests {
    static func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-4) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    @Test func linearAndExpRamps() {
        let linear = PrefixSchedule.linear.weights(start: 5, end: 14, total: 25)
        #expect(Self.close(linear, [1, 1, 1, 1, 1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1] + [Float](repeating: 0, count: 11)))
        let exp = PrefixSchedule.exp.weights(start: 5, end: 14, total: 25)
        #expect(Self.close(Array(exp[5..<14]), [0.7645, 0.5706, 0.4130, 0.2871, 0.1888, 0.1145, 0.0611, 0.0258, 0.0061]))
        #expect(exp.prefix(5).allSatisfy { $0 == 1 } && exp.suffix(11).allSatisfy { $0 == 0 })
    }

    @Test func zerosOnesAndDegenerateRanges() {
        let ones = [Float](repeating: 1, count: 20)
        let zeros = [Float](repeating: 0, count: 20)
        #expect(PrefixSchedule.zeros.weights(start: 5, end: 10, total: 20) == Array(ones.prefix(5)) + Array(zeros.prefix(15)))
        #expect(PrefixSchedule.ones.weights(start: 5, end: 15, total: 20) == Array(ones.prefix(15)) + Array(zeros.prefix(5)))
        #expect(PrefixSchedule.linear.weights(start: 10, end: 10, total: 20) == Array(ones.prefix(10)) + Array(zeros.prefix(10)))
        #expect(PrefixSchedule.linear.weights(start: 15, end: 10, total: 20) == Array(ones.prefix(10)) + Array(zeros.prefix(10)))
        #expect(PrefixSchedule.linear.weights(start: 10, end: 10, total: 5) == [1, 1, 1, 1, 1])
    }

    @Test func defaultRolloutWeights() {
        let d0 = PrefixSchedule.linear.weights(start: 0, end: 10, total: 50)
        #expect(Self.close(Array(d0.prefix(10)), (1...10).map { Float(11 - $0) / 11 }, 1e-6) && d0.suffix(40).allSatisfy { $0 == 0 })
        let d3 = PrefixSchedule.linear.weights(start: 3, end: 10, total: 50)
        #expect(Self.close(Array(d3.prefix(10)), [1, 1, 1] + (1...7).map { Float(8 - $0) / 8 }, 1e-6))
        #expect(PrefixSchedule.linear.weights(start: 12, end: 10, total: 50).prefix(10).allSatisfy { $0 == 1 })
    }

    @Test func guidanceWeightsOfTheTenStepSampler() {
        let g = (0..<10).map { RTCGuidance.guidanceWeight(t: Float(1.0 - Double($0) / 10), maxGuidanceWeight: 10) }
        #expect(Self.close(g, [10, 9.111, 4.25, 2.762, 2.167, 2.0, 2.167, 2.762, 4.25, 9.111], 1e-3))
        #expect(RTCGuidance.guidanceWeight(t: 0, maxGuidanceWeight: 10) == 0)  // 0 · ∞ = NaN → 0
        #expect(RTCGuidance.guidanceWeight(t: 1, maxGuidanceWeight: 3) == 3)  // τ = 0 → G
    }

    /// v = 0.5·x, x ≡ 1, prefix ≡ 0.1, t = 0.5, d = 5, G = 10 (LeRobot's own pinned case).
    static func guidedRows(horizon: Int, prefixRows: Int, t: Float, chunk: Int = 20, dimension: Int = 3) -> [Float] {
        let guide = RTCGuidance(
            prefix: [Float](repeating: 0.1, count: prefixRows * dimension), prefixRows: prefixRows, actionDimension: dimension,
            delay: 5, executionHorizon: horizon, schedule: .linear, maxGuidanceWeight: 10)
        let x = [Float](repeating: 1, count: chunk * dimension)
        var v = x.map { 0.5 * $0 }[...]
        guide.guide(velocity: &v, sample: x[...], t: t, chunkLength: chunk, dimension: dimension, weights: guide.rowWeights(chunkLength: chunk))
        return stride(from: 0, to: chunk * dimension, by: dimension).map { v[$0] }
    }

    @Test func guidedVelocityMatchesThePinnedRows() {
        let h10 = Self.guidedRows(horizon: 10, prefixRows: 10, t: 0.5)
        #expect(Self.close(Array(h10.prefix(5)), [Float](repeating: 1.8, count: 5)))
        #expect(Self.close(Array(h10[5..<10]), [1.5833, 1.3667, 1.15, 0.9333, 0.7167]))
        #expect(h10.suffix(10).allSatisfy { $0 == 0.5 })
        let h15 = Self.guidedRows(horizon: 15, prefixRows: 15, t: 0.5)
        #expect(Self.close(Array(h15[5..<15]), (0..<10).map { 1.6818 - 0.11818 * Float($0) }))
        // t = 0: no guidance at all; t = 1: full strength G on the frozen rows (x̂₀ = x − v = 0.5 → v' = 0.5 − 10·(0.1 − 0.5)).
        #expect(Self.guidedRows(horizon: 10, prefixRows: 10, t: 0).allSatisfy { $0 == 0.5 })
        #expect(Self.close(Array(Self.guidedRows(horizon: 10, prefixRows: 10, t: 1).prefix(5)), [Float](repeating: 4.5, count: 5)))
    }

    @Test func aShortPrefixIsZeroPaddedAndTheHorizonCappedByIt() {
        // A 3-row, 2-column prefix in a 4-dimension chunk: the horizon (10) is capped at 3 rows; padded
        // columns are pulled toward 0.
        let guide = RTCGuidance(prefix: [1, 1, 1, 1, 1, 1], prefixRows: 3, actionDimension: 2, delay: 0, executionHorizon: 10)
        #expect(Self.close(guide.rowWeights(chunkLength: 6), [0.75, 0.5, 0.25, 0, 0, 0], 1e-6))
        let x = [Float](repeating: 0, count: 6 * 4)
        var v = [Float](repeating: 0, count: 6 * 4)[...]
        guide.guide(velocity: &v, sample: x[...], t: 0.5, chunkLength: 6, dimension: 4, weights: guide.rowWeights(chunkLength: 6))
        // x̂₀ = 0, e = W·(Y − 0): v' = −g·W·Y with g(0.5) = 2.
        #expect(Self.close(Array(v.prefix(4)), [-1.5, -1.5, 0, 0]))
        #expect(v.suffix(12).allSatisfy { $0 == 0 })
    }

    /// v(x, t) = x: x shrinks by (1 − 1/N) per step.
    struct Proportional: FlowVelocityField {
        func velocity(sample: [Float], t: Float, batch: Int) throws -> [Float] { sample }
    }

    /// A velocity that depends on t and on the row, so that guidance order errors show.
    struct Mixing: FlowVelocityField {
        let dimension: Int
        let rowSize: Int
        func velocity(sample: [Float], t: Float, batch: Int) throws -> [Float] {
            sample.indices.map { sample[$0] * (0.3 + t) + Float(($0 % rowSize) % (7 * dimension)) * 0.01 }
        }
    }

    @Test func eulerLoopWithoutGuidanceIsTheClosedForm() throws {
        let sampler = FlowMatchingSampler(steps: 10, chunkLength: 4, dimension: 2)
        var noise = GaussianNoise(seed: 7)
        let x0 = noise.values(8)
        let out = try sampler.sample(noise: x0, guidance: [nil], field: Proportional())
        let factor = Float(pow(0.9, 10.0))
        #expect(Self.close(out, x0.map { $0 * factor }, 1e-5))
    }

    @Test func batchedRobotsKeepTheirOwnPrefixDelayAndHorizon() throws {
        let (chunk, dimension) = (12, 4)
        let sampler = FlowMatchingSampler(steps: 10, chunkLength: chunk, dimension: dimension)
        var noise = GaussianNoise(seed: 42)
        let rows = (0..<3).map { _ in noise.values(chunk * dimension) }
        let guides: [RTCGuidance?] = [
            RTCGuidance(prefix: [Float](repeating: 0.3, count: 5 * 2), prefixRows: 5, actionDimension: 2, delay: 2, executionHorizon: 5),
            nil,
            RTCGuidance(
                prefix: (0..<8 * 4).map { Float($0) / 32 }, prefixRows: 8, actionDimension: 4, delay: 0, executionHorizon: 6,
                schedule: .exp, maxGuidanceWeight: 5),
        ]
        let field = Mixing(dimension: dimension, rowSize: chunk * dimension)
        let batched = try sampler.sample(noise: rows.flatMap { $0 }, guidance: guides, field: field)
        for robot in 0..<3 {
            let alone = try sampler.sample(noise: rows[robot], guidance: [guides[robot]], field: field)
            #expect(Array(batched[robot * chunk * dimension..<(robot + 1) * chunk * dimension]) == alone, "robot \(robot)")
        }
        // Guidance changed the guided robot's chunk.
        let unguided0 = try sampler.sample(noise: rows[0], guidance: [nil], field: field)
        #expect(Array(batched.prefix(dimension)) != Array(unguided0.prefix(dimension)))
    }

    @Test func seededNoiseIsReproducibleAndStandard() {
        var a = GaussianNoise(seed: 1)
        var b = GaussianNoise(seed: 1)
        #expect(a.values(101) == b.values(101))
        var c = GaussianNoise(seed: 2)
        let values = c.values(200_000)
        let mean = values.reduce(0, +) / Float(values.count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count)
        #expect(abs(mean) < 0.01 && abs(variance - 1) < 0.02)
    }
}

/// The Swift sampler against an independent numpy implementation (python/flow_reference.py) of the same
/// specification, on a linear velocity field, every schedule, several delays and prefixes, single and batched.
@Suite("Flow matching: Swift sampler vs numpy reference")
struct FlowMatchingReferenceTests {
    struct Linear: FlowVelocityField {
        let matrix: [Float]
        let bias: [Float]
        let dimension: Int
        func velocity(sample: [Float], t: Float, batch: Int) throws -> [Float] {
            var v = [Float](repeating: 0, count: sample.count)
            for row in 0..<(sample.count / dimension) {
                for j in 0..<dimension {
                    var sum: Float = 0
                    for k in 0..<dimension { sum += sample[row * dimension + k] * matrix[k * dimension + j] }
                    v[row * dimension + j] = sum + t * bias[j]
                }
            }
            return v
        }
    }

    @Test(arguments: PrefixSchedule.allCases)
    func matchesNumpy(_ schedule: PrefixSchedule) throws {
        let (steps, chunk, dimension) = (10, 16, 6)
        var noise = GaussianNoise(seed: 2024)
        let matrix = noise.values(dimension * dimension).map { $0 * 0.2 }
        let bias = noise.values(dimension)
        let guides: [RTCGuidance?] = [
            RTCGuidance(prefix: noise.values(8 * 4), prefixRows: 8, actionDimension: 4, delay: 3, executionHorizon: 6,
                        schedule: schedule, maxGuidanceWeight: 10),
            nil,
            RTCGuidance(prefix: noise.values(5 * 6), prefixRows: 5, actionDimension: 6, delay: 0, executionHorizon: 10,
                        schedule: schedule, maxGuidanceWeight: 4),
            RTCGuidance(prefix: noise.values(16 * 2), prefixRows: 16, actionDimension: 2, delay: 20, executionHorizon: 12,
                        schedule: schedule, maxGuidanceWeight: 10),
        ]
        let x0 = noise.values(guides.count * chunk * dimension)
        let field = Linear(matrix: matrix, bias: bias, dimension: dimension)
        let swift = try FlowMatchingSampler(steps: steps, chunkLength: chunk, dimension: dimension)
            .sample(noise: x0, guidance: guides, field: field)

        let guidanceJSON: [Any] = guides.map { guide -> Any in
            guard let guide else { return NSNull() }
            return [
                "prefix": guide.prefix.map(Double.init), "rows": guide.prefixRows, "cols": guide.actionDimension,
                "delay": guide.delay, "horizon": guide.executionHorizon, "schedule": guide.schedule.rawValue,
                "max_g": Double(guide.maxGuidanceWeight),
            ] as [String: Any]
        }
        let caseJSON: [String: Any] = [
            "steps": steps, "chunk": chunk, "dim": dimension, "noise": x0.map(Double.init),
            "matrix": matrix.map(Double.init), "bias": bias.map(Double.init), "guidance": guidanceJSON,
        ]
        let file = try PythonRunner.temporaryDirectory("flow").appendingPathComponent("case.json")
        try JSONSerialization.data(withJSONObject: caseJSON).write(to: file)
        let output = try PythonRunner.succeed("flow_reference.py", [file.path])
        let numpy = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [Double]).map(Float.init)
        #expect(numpy.count == swift.count)
        let worst = zip(swift, numpy).map { abs($0 - $1) }.max() ?? .infinity
        // Float32 on both sides; only the order of the matrix product's sums differs.
        #expect(worst < 1e-4, "max |Swift − numpy| = \(worst)")
        // And guidance did something: the guided robots differ from an unguided run.
        let plain = try FlowMatchingSampler(steps: steps, chunkLength: chunk, dimension: dimension)
            .sample(noise: x0, guidance: [nil, nil, nil, nil], field: field)
        #expect(Array(plain.prefix(chunk * dimension)) != Array(swift.prefix(chunk * dimension)))
    }
}

/// The sampler around a velocity graph on ONNX Runtime (python/flow_fixture.py: x @ M + t·b + tanh(cache @ C)),
/// against the numpy reference of the whole loop: the plumbing a real exported action expert goes through
/// (batched noisy chunks, one time per robot, per-robot conditioning kept across steps, RTC per robot).
@Suite("Flow matching: sampler on an ONNX velocity graph vs numpy")
struct ONNXFlowMatchingTests {
    @Test func onnxVelocityGraphWithRTCMatchesNumpy() throws {
        let (steps, chunk, dimension, cacheWidth) = (10, 12, 8, 5)
        let directory = try PythonRunner.temporaryDirectory("flow-onnx")
        try PythonRunner.succeed("flow_fixture.py", [directory.path, "\(chunk)", "\(dimension)", "\(cacheWidth)", "3"])
        let params = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("params.json"))) as? [String: [Double]])
        var noise = GaussianNoise(seed: 99)
        let guides: [RTCGuidance?] = [
            RTCGuidance(prefix: noise.values(10 * 6), prefixRows: 10, actionDimension: 6, delay: 2, executionHorizon: 8),
            nil,
            RTCGuidance(prefix: noise.values(4 * 8), prefixRows: 4, actionDimension: 8, delay: 5, executionHorizon: 10, schedule: .exp),
        ]
        let batch = guides.count
        let cache = noise.values(batch * cacheWidth)
        let x0 = noise.values(batch * chunk * dimension)
        let session = try ORTSession(
            library: try ORTLibrary.load(), modelPath: directory.appendingPathComponent("velocity.onnx").path)
        let field = ONNXVelocityField(
            session: session, chunkLength: chunk, dimension: dimension,
            conditioning: ["cache": try ORTTensor(cache, shape: [batch, cacheWidth])])
        let swift = try FlowMatchingSampler(steps: steps, chunkLength: chunk, dimension: dimension)
            .sample(noise: x0, guidance: guides, field: field)

        let caseJSON: [String: Any] = [
            "steps": steps, "chunk": chunk, "dim": dimension, "noise": x0.map(Double.init),
            "matrix": params["M"] ?? [], "bias": params["b"] ?? [], "cache": cache.map(Double.init),
            "cache_matrix": params["C"] ?? [],
            "guidance": guides.map { guide -> Any in
                guard let guide else { return NSNull() }
                return [
                    "prefix": guide.prefix.map(Double.init), "rows": guide.prefixRows, "cols": guide.actionDimension,
                    "delay": guide.delay, "horizon": guide.executionHorizon, "schedule": guide.schedule.rawValue,
                    "max_g": Double(guide.maxGuidanceWeight),
                ] as [String: Any]
            },
        ]
        let file = directory.appendingPathComponent("case.json")
        try JSONSerialization.data(withJSONObject: caseJSON).write(to: file)
        let numpy = try #require(
            try JSONSerialization.jsonObject(with: Data(try PythonRunner.succeed("flow_reference.py", [file.path]).utf8)) as? [Double]
        ).map(Float.init)
        let worst = zip(swift, numpy).map { abs($0 - $1) }.max() ?? .infinity
        #expect(numpy.count == swift.count && worst < 1e-4, "max |Swift+ORT − numpy| = \(worst)")
    }
}

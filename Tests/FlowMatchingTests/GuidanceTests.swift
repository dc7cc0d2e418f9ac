import FlowMatching
import Testing

@Suite("RTC guidance: weight g(t) and the guided velocity (edge-semantics §3.2)")
struct GuidanceTests {
    @Test("g(t) for the 10-step sampler and G = 10; g(1) = G, g(0) = 0")
    func guidanceWeights() {
        let expected: [(Double, Float)] = [
            (1.0, 10), (0.9, 9.111), (0.8, 4.25), (0.7, 2.762), (0.6, 2.167), (0.5, 2.0), (0.4, 2.167), (0.3, 2.762),
            (0.2, 4.25), (0.1, 9.111),
        ]
        for (t, g) in expected {
            #expect(abs(RTCGuidance.guidanceWeight(time: t, maxGuidanceWeight: 10) - g) < 1e-3, "t = \(t)")
        }
        #expect(RTCGuidance.guidanceWeight(time: 1, maxGuidanceWeight: 10) == 10)
        #expect(RTCGuidance.guidanceWeight(time: 0, maxGuidanceWeight: 10) == 0)
        #expect(RTCGuidance.guidanceWeight(time: 0.5, maxGuidanceWeight: 10) == 2)
        // The clip: (t² + (1−t)²)/(t(1−t)) is at least 2, so G = 1.5 clips every t in (0, 1].
        for t in stride(from: 0.05, through: 1.0, by: 0.05) {
            #expect(RTCGuidance.guidanceWeight(time: t, maxGuidanceWeight: 1.5) == 1.5)
        }
        #expect(RTCGuidance.guidanceWeight(time: 0, maxGuidanceWeight: 1.5) == 0)
        // The closed form inside (0, 1).
        for t in stride(from: 0.01, to: 1.0, by: 0.01) {
            let closed = min(100, (t * t + (1 - t) * (1 - t)) / (t * (1 - t)))
            #expect(abs(Double(RTCGuidance.guidanceWeight(time: t, maxGuidanceWeight: 100)) - closed) <= 1e-5 * closed, "t = \(t)")
        }
    }

    /// LeRobot's denoise-step case: v = 0.5·x, x ≡ 1, prefix ≡ 0.1, d = 5, G = 10.
    static func pinnedStep(time: Double, horizon: Int, prefixRows: Int, rows: Int = 20, dims: Int = 3) throws -> [[Float]] {
        let guidance = try RTCGuidance(schedule: .linear, maxGuidanceWeight: 10, executionHorizon: horizon)
        let guide = try RTCGuide(
            prefix: [Float](repeating: 0.1, count: prefixRows * dims), prefixRows: prefixRows, prefixColumns: dims,
            delay: 5, guidance: guidance, rows: rows, dims: dims)
        let x = [Float](repeating: 1, count: rows * dims)
        var v = x.map { 0.5 * $0 }
        guide.guide(&v, sample: x, time: time)
        // Every dimension of a row gets the same weight, so the same value.
        for i in 0..<rows { #expect(Set(v[(i * dims)..<((i + 1) * dims)]).count == 1) }
        return (0..<rows).map { Array(v[($0 * dims)..<(($0 + 1) * dims)]) }
    }

    @Test("Pinned values at t = 0.5: rows 0–4 give 1.8, the ramp 1.5833 … 0.7167, then 0.5")
    func pinnedHalf() throws {
        let rows = try Self.pinnedStep(time: 0.5, horizon: 10, prefixRows: 10).map { $0[0] }
        // By hand: x̂₀ = 1 − 0.5·0.5 = 0.75, e = W·(0.1 − 0.75) = −0.65·W, g(0.5) = 2, v' = 0.5 + 1.3·W.
        for i in 0..<5 { #expect(abs(rows[i] - 1.8) < 1e-6) }
        let ramp: [Float] = [1.5833, 1.3667, 1.15, 0.9333, 0.7167]
        for (i, want) in ramp.enumerated() { #expect(abs(rows[5 + i] - want) < 1e-4, "row \(5 + i)") }
        for i in 10..<20 { #expect(rows[i] == 0.5) }
        // H = 15 with a 15-row prefix: rows 5–14 from 1.6818 down to 0.6182 in steps of 0.11818.
        let long = try Self.pinnedStep(time: 0.5, horizon: 15, prefixRows: 15).map { $0[0] }
        for i in 0..<5 { #expect(abs(long[i] - 1.8) < 1e-6) }
        for k in 0..<10 { #expect(abs(long[5 + k] - (1.6818 - Float(k) * 0.11818)) < 1e-4, "row \(5 + k)") }
        for i in 15..<20 { #expect(long[i] == 0.5) }
        // The horizon is cut to the prefix: H = 15 with a 10-row prefix is H = 10.
        #expect(try Self.pinnedStep(time: 0.5, horizon: 15, prefixRows: 10) == Self.pinnedStep(time: 0.5, horizon: 10, prefixRows: 10))
    }

    @Test("At t = 0 (g = 0) every row is the plain velocity; at t = 1 (g = G) fully weighted rows get v + G·(x − v − Y)")
    func ends() throws {
        let atZero = try Self.pinnedStep(time: 0, horizon: 10, prefixRows: 10)
        #expect(atZero.allSatisfy { $0.allSatisfy { $0 == 0.5 } })
        // t = 1: x̂₀ = x − v = 0.5, e = W·(0.1 − 0.5) = −0.4·W, g = 10: v' = 0.5 + 4·W.
        let atOne = try Self.pinnedStep(time: 1, horizon: 10, prefixRows: 10).map { $0[0] }
        for i in 0..<5 { #expect(abs(atOne[i] - 4.5) < 1e-6) }
        for (k, w) in [5.0 / 6, 4.0 / 6, 3.0 / 6, 2.0 / 6, 1.0 / 6].enumerated() {
            #expect(abs(atOne[5 + k] - Float(0.5 + 4 * w)) < 1e-5)
        }
        for i in 10..<20 { #expect(atOne[i] == 0.5) }
    }

    @Test("Prefix padding: columns past the prefix are pulled toward 0, rows past the horizon are untouched")
    func padding() throws {
        let guidance = try RTCGuidance(schedule: .ones, maxGuidanceWeight: 10, executionHorizon: 4)
        // A 2-column prefix in a 3-dim sample; 3 rows of prefix: the horizon is cut to 3.
        let guide = try RTCGuide(
            prefix: [1, 2, 3, 4, 5, 6], prefixRows: 3, prefixColumns: 2, delay: 0, guidance: guidance, rows: 5, dims: 3)
        #expect(guide.target == [1, 2, 0, 3, 4, 0, 5, 6, 0, 0, 0, 0, 0, 0, 0])
        #expect(guide.weights == [1, 1, 1, 0, 0])
        var v = [Float](repeating: 0, count: 15)
        let x = [Float](repeating: 2, count: 15)
        guide.guide(&v, sample: x, time: 0.5)
        // v = 0: x̂₀ = x = 2, e = W·(Y − 2), g = 2: v' = −2·W·(Y − 2).
        #expect(v == [2, 0, 4, -2, -4, 4, -6, -8, 4, 0, 0, 0, 0, 0, 0])
    }

    @Test("Settings and prefixes that do not fit are refused with what was expected")
    func errors() throws {
        #expect(throws: FlowMatchingError.self) { try RTCGuidance(maxGuidanceWeight: 0) }
        #expect { try RTCGuidance(maxGuidanceWeight: -1) } throws: {
            ($0 as? FlowMatchingError)?.message == "max_guidance_weight must be a positive number, got -1.0"
        }
        #expect { try RTCGuidance(executionHorizon: -1) } throws: {
            ($0 as? FlowMatchingError)?.message == "execution_horizon must not be negative, got -1"
        }
        let guidance = try RTCGuidance(executionHorizon: 60)
        #expect {
            try RTCGuide(
                prefix: [Float](repeating: 0, count: 60 * 6), prefixRows: 60, prefixColumns: 6, delay: 0, guidance: guidance, rows: 50,
                dims: 32)
        } throws: {
            ($0 as? FlowMatchingError)?.message
                == "the RTC prefix is [60, 6]; it must fit the chunk [50, 32] (execution_horizon 60 must not exceed the chunk size)"
        }
        #expect(throws: FlowMatchingError.self) {
            try RTCGuide(
                prefix: [Float](repeating: 0, count: 10 * 33), prefixRows: 10, prefixColumns: 33, delay: 0, guidance: guidance, rows: 50,
                dims: 32)
        }
        #expect {
            try RTCGuide(prefix: [1, 2, 3], prefixRows: 2, prefixColumns: 2, delay: 0, guidance: guidance, rows: 50, dims: 32)
        } throws: {
            ($0 as? FlowMatchingError)?.message == "the RTC prefix has 3 values, not 2 rows × 2 columns"
        }
        #expect { try RTCGuide(prefix: [], prefixRows: 0, prefixColumns: 6, delay: -1, guidance: guidance, rows: 50, dims: 32) } throws: {
            ($0 as? FlowMatchingError)?.message == "the inference delay must not be negative, got -1"
        }
        // An empty prefix is accepted and weighs nothing.
        let empty = try RTCGuide(prefix: [], prefixRows: 0, prefixColumns: 6, delay: 3, guidance: guidance, rows: 50, dims: 32)
        #expect(empty.weights == [Float](repeating: 0, count: 50))
        #expect(throws: FlowMatchingError.self) { try FlowMatchingSampler(steps: 0, rows: 50, dims: 32) }
    }
}

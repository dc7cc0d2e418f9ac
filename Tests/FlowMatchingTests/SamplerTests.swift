import FlowMatching
import Foundation
import Synchronization
import Testing

/// A field that records the times it is asked for.
final class RecordingField: VelocityField, Sendable {
    let times = Mutex<[Float]>([])
    let body: @Sendable ([Float], Float, Int) -> [Float]

    init(_ body: @escaping @Sendable ([Float], Float, Int) -> [Float]) { self.body = body }

    func velocity(_ x: [Float], time: Float, batch: Int) -> [Float] {
        times.withLock { $0.append(time) }
        return body(x, time, batch)
    }
}

@Suite("Flow-matching Euler sampler (edge-semantics §3.1, §3.6)")
struct SamplerTests {
    @Test("Times 1, 0.9, …, 0.1 (1 + k·(−1/N) in double, given to the network as float32); t = 0 is never evaluated")
    func times() throws {
        let sampler = try FlowMatchingSampler(steps: 10, rows: 2, dims: 1)
        #expect(sampler.times == (0..<10).map { 1.0 + Double($0) * (-0.1) })
        #expect(sampler.times.first == 1 && abs(sampler.times.last! - 0.1) < 1e-15)
        let field = RecordingField { x, _, _ in x.map { _ in 0 } }
        _ = sampler.sample(noise: [0, 0], batch: 1, field: field)
        #expect(field.times.withLock { $0 } == sampler.times.map(Float.init))
        #expect(try FlowMatchingSampler(steps: 1, rows: 1, dims: 1).times == [1])
    }

    @Test("Without guidance: a constant field moves x by −v; v = a·x gives x₀·(1 − a/N)^N")
    func plainEuler() throws {
        let sampler = try FlowMatchingSampler(steps: 10, rows: 3, dims: 2)
        let noise: [Float] = [1, -2, 0.5, 3, -1, 0]
        let constant = sampler.sample(noise: noise, batch: 1, field: VelocityClosure<Never> { x, _, _ in x.map { _ in 0.25 } })
        for (got, start) in zip(constant, noise) { #expect(abs(got - (start - 0.25)) < 1e-6) }
        let a: Float = 0.7
        let linear = sampler.sample(noise: noise, batch: 1, field: VelocityClosure<Never> { x, _, _ in x.map { a * $0 } })
        let factor = Float(pow(1 - 0.7 / 10, 10.0))
        for (got, start) in zip(linear, noise) { #expect(abs(got - start * factor) < 1e-6) }
        // x depends on t only through the field: v = t integrates to x₀ − Σ tₖ/N = x₀ − 0.55.
        let timed = sampler.sample(noise: noise, batch: 1, field: VelocityClosure<Never> { x, t, _ in x.map { _ in t } })
        for (got, start) in zip(timed, noise) { #expect(abs(got - (start - 0.55)) < 1e-6) }
    }

    @Test("With a prefix, rows inside the delay end at the prefix for a field that predicts nothing (v = 0, ZEROS)")
    func pullsTowardPrefix() throws {
        // v = 0: each step adds (1/N)·g(t)·W·(Y − x). With G large and W = 1 the frozen rows converge on Y.
        let guidance = try RTCGuidance(schedule: .zeros, maxGuidanceWeight: 10, executionHorizon: 4)
        let guide = try RTCGuide(
            prefix: [1, 1, -1, -1, 2, 2, 5, 5], prefixRows: 4, prefixColumns: 2, delay: 2, guidance: guidance, rows: 6, dims: 2)
        let sampler = try FlowMatchingSampler(steps: 10, rows: 6, dims: 2)
        let noise = [Float](repeating: 0, count: 12)
        let out = sampler.sample(noise: noise, batch: 1, guides: [guide], field: VelocityClosure<Never> { x, _, _ in x.map { _ in 0 } })
        // Hand-computed: x ← x + 0.1·g(t)·(Y − x) over t = 1 … 0.1, i.e. x = Y·(1 − Π(1 − 0.1·g(tₖ))).
        var keep = 1.0
        for t in sampler.times { keep *= 1 - 0.1 * Double(RTCGuidance.guidanceWeight(time: t, maxGuidanceWeight: 10)) }
        for (got, y) in zip(out[0..<4], [1, 1, -1, -1] as [Float]) { #expect(abs(Double(got) - Double(y) * (1 - keep)) < 1e-5) }
        // Rows past the delay keep the plain (zero) velocity.
        #expect(Array(out[4...]) == [0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test("A batch: each row keeps its own delay and prefix, a row without a guide follows the plain velocity")
    func batchEqualsSingles() throws {
        let rows = 8, dims = 4
        let sampler = try FlowMatchingSampler(steps: 5, rows: rows, dims: dims)
        let guidance = try RTCGuidance(schedule: .linear, maxGuidanceWeight: 10, executionHorizon: 5)
        // A field with per-row conditioning (as a per-robot prefix cache) and a non-linear term.
        let conditioning: [Float] = [0.3, -0.2, 0.7]
        func field(for rowsOfBatch: [Int]) -> VelocityClosure<Never> {
            VelocityClosure { x, t, batch in
                var v = x
                for b in 0..<batch {
                    for k in 0..<(rows * dims) {
                        let i = b * rows * dims + k
                        v[i] = 0.5 * x[i] - conditioning[rowsOfBatch[b]] * t + 0.1 * x[i] * x[i]
                    }
                }
                return v
            }
        }
        let noise = GaussianNoise.standardNormal(count: 3 * rows * dims, seed: 7)
        let guides: [RTCGuide?] = [
            try RTCGuide(
                prefix: (0..<(5 * 3)).map { Float($0) / 10 }, prefixRows: 5, prefixColumns: 3, delay: 2, guidance: guidance, rows: rows,
                dims: dims),
            nil,
            try RTCGuide(
                prefix: (0..<(3 * 4)).map { -Float($0) / 7 }, prefixRows: 3, prefixColumns: 4, delay: 0, guidance: guidance, rows: rows,
                dims: dims),
        ]
        let batched = sampler.sample(noise: noise, batch: 3, guides: guides, field: field(for: [0, 1, 2]))
        let per = rows * dims
        for b in 0..<3 {
            let single = sampler.sample(
                noise: Array(noise[(b * per)..<((b + 1) * per)]), batch: 1, guides: [guides[b]], field: field(for: [b]))
            #expect(Array(batched[(b * per)..<((b + 1) * per)]) == single, "row \(b)")
        }
        // The unguided row is the plain run; the guided ones differ from it.
        let plain = sampler.sample(noise: noise, batch: 3, field: field(for: [0, 1, 2]))
        #expect(Array(plain[per..<(2 * per)]) == Array(batched[per..<(2 * per)]))
        #expect(Array(plain[0..<per]) != Array(batched[0..<per]))
        #expect(sampler.sample(noise: noise, batch: 3, guides: [nil, nil, nil], field: field(for: [0, 1, 2])) == plain)
    }

    @Test("actions(_:) keeps the first A columns of every row")
    func cut() throws {
        let sampler = try FlowMatchingSampler(steps: 1, rows: 2, dims: 3)
        #expect(sampler.actions([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], batch: 2, actionDim: 2) == [1, 2, 4, 5, 7, 8, 10, 11])
    }

    @Test("The field's errors come out typed")
    func errors() throws {
        struct Boom: Error, Equatable {}
        let sampler = try FlowMatchingSampler(steps: 3, rows: 1, dims: 1)
        #expect(throws: Boom()) {
            try sampler.sample(
                noise: [0], batch: 1,
                field: VelocityClosure<Boom> { _, t, _ throws(Boom) in
                    if t < 0.5 { throw Boom() }
                    return [1]
                })
        }
    }
}

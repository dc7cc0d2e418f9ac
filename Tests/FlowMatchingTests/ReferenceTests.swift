import FlowMatching
import Foundation
import InteropSupport
import Testing

/// The numpy reference of `python/flow_matching_reference.py` (edge-semantics §3 restated in numpy, float32), made at
/// test time: prefix weights, guidance weights, single guided steps, whole sampler runs (every schedule, several
/// delays and prefixes, single and batched) and the noise generator.
///
/// Tolerances: ZEROS/ONES weights, g(t) and every run without guidance are the same float32 operations in the same
/// order, so they must be bit-identical. LINEAR/EXP ramps are torch's float32 `linspace` formula here and numpy's
/// double-then-round `linspace` there (one unit in the last place apart at most), and EXP adds `expm1f` against
/// numpy's `expm1`: weights within 2.4e-7 (two units of 1.0), guided values within 1e-5 (a weight error of 2.4e-7
/// times g ≤ 10 times |Y − x̂₀| of a few units, accumulated over ≤ 10 steps of 1/N). Measured: weights 1.8e-7,
/// whole runs 2.4e-7 (LINEAR) and 4.8e-7 (EXP).
@Suite("Flow matching against the numpy reference")
struct ReferenceTests {
    static func load() throws -> (URL, [String: Any]) {
        let directory = try PythonRunner.temporaryDirectory("flow-matching")
        try PythonRunner.succeed("flow_matching_reference.py", [directory.path])
        let data = try Data(contentsOf: directory.appendingPathComponent("cases.json"))
        return (directory, try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]))
    }

    static func floats(_ directory: URL, _ name: String) throws -> [Float] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
            }
        }
    }

    static func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
        // A NaN anywhere counts as an infinite difference (max() would skip it).
        return zip(a, b).map { $0 == $1 ? 0 : (abs($0 - $1).isNaN ? .infinity : abs($0 - $1)) }.max() ?? 0
    }

    static func schedule(_ entry: [String: Any]) throws -> PrefixAttentionSchedule {
        try #require(PrefixAttentionSchedule(rawValue: entry["schedule"] as! String))
    }

    @Test("Prefix weights: every schedule over 20 (start, end, total) triples")
    func weights() throws {
        let (_, cases) = try Self.load()
        let entries = try #require(cases["weights"] as? [[String: Any]])
        #expect(entries.count == 80)
        var worst: Float = 0
        for entry in entries {
            let schedule = try Self.schedule(entry)
            let (start, end, total) = (entry["start"] as! Int, entry["end"] as! Int, entry["total"] as! Int)
            let want = (entry["weights"] as! [Double]).map(Float.init)
            let got = schedule.weights(start: start, end: end, total: total)
            #expect(got.count == want.count, "\(schedule) (\(start), \(end), \(total))")
            guard got.count == want.count else { continue }
            let diff = Self.maxAbsDiff(got, want)
            worst = max(worst, diff)
            if schedule == .zeros || schedule == .ones {
                #expect(got == want, "\(schedule) (\(start), \(end), \(total))")
            } else {
                #expect(diff <= 2.4e-7, "\(schedule) (\(start), \(end), \(total)): Δ \(diff)")
            }
        }
        print("prefix weights: max |Swift − numpy| = \(worst)")
    }

    @Test("Guidance weight g(t): bit-identical at 14 times (t = 0 and t = 1 included) for 4 clips")
    func guidanceWeights() throws {
        let (_, cases) = try Self.load()
        let entries = try #require(cases["guidance_weights"] as? [[String: Any]])
        #expect(entries.count == 56)
        for entry in entries {
            let time = try #require(Double(entry["time"] as! String))
            let clip = Float(entry["max"] as! Double)
            let got = RTCGuidance.guidanceWeight(time: time, maxGuidanceWeight: clip)
            #expect(got == Float(entry["g"] as! Double), "t = \(time), G = \(clip)")
        }
    }

    @Test("One guided step on random values, every schedule, t = 0 and t = 1 included")
    func steps() throws {
        let (directory, cases) = try Self.load()
        let entries = try #require(cases["steps"] as? [[String: Any]])
        #expect(entries.count == 8)
        for entry in entries {
            let (rows, dims) = (entry["rows"] as! Int, entry["dims"] as! Int)
            let guidance = try RTCGuidance(
                schedule: try Self.schedule(entry), maxGuidanceWeight: Float(entry["max"] as! Double),
                executionHorizon: entry["horizon"] as! Int)
            let guide = try RTCGuide(
                prefix: try Self.floats(directory, entry["prefix"] as! String), prefixRows: entry["prefix_rows"] as! Int,
                prefixColumns: entry["prefix_columns"] as! Int, delay: entry["delay"] as! Int, guidance: guidance,
                rows: rows, dims: dims)
            var v = try Self.floats(directory, entry["v"] as! String)
            let x = try Self.floats(directory, entry["x"] as! String)
            let time = try #require(Double(entry["time"] as! String))
            guide.guide(&v, sample: x, time: time)
            let want = try Self.floats(directory, entry["expected"] as! String)
            let diff = Self.maxAbsDiff(v, want)
            #expect(diff <= 1e-5, "\(entry["schedule"]!) t = \(time): Δ \(diff)")
            if time == 0 || [PrefixAttentionSchedule.zeros, .ones].contains(guidance.schedule) {
                #expect(diff == 0, "t = \(time): Δ \(diff), exact expected")
            }
        }
    }

    @Test("Whole sampler runs: 11 set-ups × 4 schedules, single and batched, guided and plain")
    func samplers() throws {
        let (directory, cases) = try Self.load()
        let entries = try #require(cases["samplers"] as? [[String: Any]])
        #expect(entries.count == 44)
        var worst: [String: Float] = [:]
        for (n, entry) in entries.enumerated() {
            let (rows, dims, batch) = (entry["rows"] as! Int, entry["dims"] as! Int, entry["batch"] as! Int)
            let schedule = try Self.schedule(entry)
            let guidance = try RTCGuidance(
                schedule: schedule, maxGuidanceWeight: Float(entry["max"] as! Double), executionHorizon: entry["horizon"] as! Int)
            let a = try Self.floats(directory, entry["a"] as! String)
            let c = try Self.floats(directory, entry["c"] as! String)
            let cond = try Self.floats(directory, entry["cond"] as! String)
            let q = Float(entry["q"] as! Double)
            // v[b,i,j] = a[j]·x + c[i,j]·t + cond[b,j] + q·x·x[b,i,(j+1) mod D], in numpy's operation order.
            let field = VelocityClosure<Never> { x, t, batch in
                var v = x
                for b in 0..<batch {
                    for i in 0..<rows {
                        for j in 0..<dims {
                            let k = (b * rows + i) * dims + j
                            let next = (b * rows + i) * dims + (j + 1) % dims
                            v[k] = a[j] * x[k] + c[i * dims + j] * t + cond[b * dims + j] + q * x[k] * x[next]
                        }
                    }
                }
                return v
            }
            var guides: [RTCGuide?] = []
            for spec in entry["guides"] as! [Any] {
                guard let spec = spec as? [String: Any] else {
                    guides.append(nil)
                    continue
                }
                guides.append(
                    try RTCGuide(
                        prefix: try Self.floats(directory, spec["prefix"] as! String), prefixRows: spec["prefix_rows"] as! Int,
                        prefixColumns: spec["prefix_columns"] as! Int, delay: spec["delay"] as! Int, guidance: guidance,
                        rows: rows, dims: dims))
            }
            let sampler = try FlowMatchingSampler(steps: entry["steps"] as! Int, rows: rows, dims: dims)
            #expect(sampler.times == (entry["times"] as! [String]).map { Double($0)! })
            let noise = try Self.floats(directory, entry["noise"] as! String)
            let label = "run \(n) \(schedule.rawValue) B=\(batch) T=\(rows) D=\(dims) steps=\(sampler.steps)"

            let plain = sampler.sample(noise: noise, batch: batch, field: field)
            let plainDiff = Self.maxAbsDiff(plain, try Self.floats(directory, entry["expected_plain"] as! String))
            #expect(plainDiff == 0, "\(label): plain run Δ \(plainDiff), exact expected")

            let guided = sampler.sample(noise: noise, batch: batch, guides: guides, field: field)
            let want = try Self.floats(directory, entry["expected"] as! String)
            let diff = Self.maxAbsDiff(guided, want)
            worst[schedule.rawValue] = max(worst[schedule.rawValue] ?? 0, diff)
            if schedule == .zeros || schedule == .ones {
                #expect(diff == 0, "\(label): Δ \(diff), exact expected")
            } else {
                #expect(diff <= 1e-5, "\(label): Δ \(diff)")
            }
            // Guidance changed something wherever a row has a non-empty prefix with weight.
            #expect(guided != plain || guides.allSatisfy { $0 == nil || $0!.weights.allSatisfy { $0 == 0 } }, "\(label)")
        }
        print("sampler runs: max |Swift − numpy| by schedule = \(worst.sorted { $0.key < $1.key })")
    }

    @Test("Noise: the Python re-implementation of xoshiro256** + Box–Muller gives the same floats")
    func noise() throws {
        let (_, cases) = try Self.load()
        let entries = try #require(cases["noise"] as? [[String: Any]])
        #expect(entries.count == 12)
        for entry in entries {
            let seed = try #require(UInt64(entry["seed"] as! String))
            let count = entry["count"] as! Int
            var generator = Xoshiro256StarStar(seed: seed)
            let values = GaussianNoise.standardNormal(count: count, using: &generator)
            let want = (entry["values"] as! [Double]).map(Float.init)
            #expect(values.count == want.count && Self.maxAbsDiff(values, want) == 0, "seed \(seed), count \(count)")
            #expect(generator.next() == UInt64(entry["next_after"] as! String), "draws consumed for seed \(seed), count \(count)")
        }
    }
}

import FlowMatching
import Foundation
import Testing

@Suite("Seeded Gaussian noise")
struct NoiseTests {
    @Test("Same seed, same noise; other seeds differ; a long draw has mean 0 and variance 1")
    func statistics() {
        #expect(GaussianNoise.standardNormal(count: 100, seed: 3) == GaussianNoise.standardNormal(count: 100, seed: 3))
        #expect(GaussianNoise.standardNormal(count: 100, seed: 3) != GaussianNoise.standardNormal(count: 100, seed: 4))
        // A prefix of a longer draw is the shorter draw.
        #expect(Array(GaussianNoise.standardNormal(count: 101, seed: 9).prefix(50)) == GaussianNoise.standardNormal(count: 50, seed: 9))
        let n = 200_000
        let values = GaussianNoise.standardNormal(count: n, seed: 12345).map(Double.init)
        let mean = values.reduce(0, +) / Double(n)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)
        let fourth = values.map { pow($0 - mean, 4) }.reduce(0, +) / Double(n)
        // Standard errors: 1/√n ≈ 0.0022 for the mean, √(2/n) ≈ 0.0032 for the variance; five of them.
        #expect(abs(mean) < 0.011, "mean \(mean)")
        #expect(abs(variance - 1) < 0.016, "variance \(variance)")
        #expect(abs(fourth - 3) < 0.1, "fourth moment \(fourth)")
        #expect(values.allSatisfy { $0.isFinite })
        let within1 = Double(values.filter { abs($0) < 1 }.count) / Double(n)
        #expect(abs(within1 - 0.6827) < 0.005, "P(|z| < 1) = \(within1)")
    }

    @Test("xoshiro256** from SplitMix64(0): the published first outputs")
    func generator() {
        // SplitMix64 from state 0 gives e220a8397b1dcdaf, 6e789e6aa1b965f4, 06c45d188009454f, f88bb8a8724c81ec (the
        // reference outputs); xoshiro256** from that state gives, by its definition, rotl(s1·5, 7)·9 first.
        var generator = Xoshiro256StarStar(seed: 0)
        let s1: UInt64 = 0x6E78_9E6A_A1B9_65F4
        let product = s1 &* 5
        #expect(generator.next() == ((product << 7) | (product >> 57)) &* 9)
    }
}

import Foundation

/// The seeded pseudo-random generator behind the sampler's initial noise: xoshiro256** (Blackman and Vigna,
/// 2018), its 256-bit state filled from the 64-bit seed by four outputs of SplitMix64. Same seed, same sequence, on
/// every platform. Not cryptographic.
///
/// LeRobot draws its noise from PyTorch's global generator (`torch.normal`), which this does not reproduce: a chunk
/// sampled here equals LeRobot's only when both are given the same noise explicitly.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Hashable {
    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var z = seed
        func splitMix64() -> UInt64 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var r = z
            r = (r ^ (r >> 30)) &* 0xBF58_476D_1CE4_E5B9
            r = (r ^ (r >> 27)) &* 0x94D0_49BB_1331_11EB
            return r ^ (r >> 31)
        }
        (s0, s1, s2, s3) = (splitMix64(), splitMix64(), splitMix64(), splitMix64())
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// Standard normal noise for the sampler (`x ~ N(0, I)` at `t = 1`).
public enum GaussianNoise {
    /// `count` independent N(0, 1) float32 values from `generator`, by the Box–Muller transform in double:
    /// each pair takes two 64-bit outputs `a`, `b`; `u₁ = 1 − (a >> 11)·2⁻⁵³` ∈ (0, 1], `u₂ = (b >> 11)·2⁻⁵³` ∈ [0, 1),
    /// `r = √(−2 ln u₁)`, and the pair is `(r cos 2πu₂, r sin 2πu₂)`, each rounded to float32. An odd count drops the
    /// last pair's second value.
    public static func standardNormal<G: RandomNumberGenerator>(count: Int, using generator: inout G) -> [Float] {
        precondition(count >= 0)
        var out: [Float] = []
        out.reserveCapacity(count + 1)
        let scale = 1.0 / Double(UInt64(1) << 53)
        while out.count < count {
            let u1 = 1.0 - Double(generator.next() >> 11) * scale
            let u2 = Double(generator.next() >> 11) * scale
            let r = (-2.0 * log(u1)).squareRoot()
            let theta = 2.0 * Double.pi * u2
            out.append(Float(r * cos(theta)))
            if out.count < count { out.append(Float(r * sin(theta))) }
        }
        return out
    }

    /// `count` N(0, 1) values from a fresh ``Xoshiro256StarStar`` seeded with `seed`.
    public static func standardNormal(count: Int, seed: UInt64) -> [Float] {
        var generator = Xoshiro256StarStar(seed: seed)
        return standardNormal(count: count, using: &generator)
    }
}

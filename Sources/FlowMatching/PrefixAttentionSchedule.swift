import Foundation

/// How strongly each row of a new chunk is pulled toward the RTC prefix (`rtc.prefix_attention_schedule`;
/// edge-semantics §3.3). The four values are LeRobot's `RTCAttentionSchedule` strings.
public enum PrefixAttentionSchedule: String, Sendable, Hashable, CaseIterable {
    /// Weight 1 on the rows inside the inference delay, 0 elsewhere.
    case zeros = "ZEROS"
    /// Weight 1 on every row of the execution horizon, 0 after it (the delay is ignored).
    case ones = "ONES"
    /// 1 inside the delay, then a linear ramp down to (but excluding) 0 at the end of the horizon, then 0.
    case linear = "LINEAR"
    /// As ``linear`` with every ramp value `r` replaced by `r · (eʳ − 1) / (e − 1)`.
    case exp = "EXP"

    /// LeRobot's `get_prefix_weights(start, end, total)`: one weight per chunk row (`total` values).
    ///
    /// `start` is the inference delay `d` and `end` the execution horizon `H` (already cut to the prefix length);
    /// `start` is first lowered to `min(start, end)`. The ramp of ``linear`` and ``exp`` covers rows
    /// `s ..< min(end, total)` with the values `1 − k/(n+1)`, `k = 1…n`, strictly between 1 and 0. Every value is
    /// float32, as LeRobot's (the ramp uses the float32 formula of `torch.linspace`; see ``ramp(_:)``).
    /// - Precondition: `start`, `end` and `total` are not negative (``RTCGuide`` checks them before calling).
    public func weights(start: Int, end: Int, total: Int) -> [Float] {
        precondition(start >= 0 && end >= 0 && total >= 0, "prefix weights need non-negative start, end and total")
        let s = min(start, end)
        switch self {
        case .zeros:
            return (0..<total).map { $0 < s ? 1 : 0 }
        case .ones:
            return (0..<total).map { $0 < end ? 1 : 0 }
        case .linear, .exp:
            var ramp = Self.ramp(max(0, min(total, end) - s))
            if self == .exp {
                // r · expm1(r) / (e − 1), float32 like LeRobot's tensor expression.
                let eMinusOne = Float(M_E - 1)
                ramp = ramp.map { $0 * (expm1($0) / eMinusOne) }
            }
            // Leading ones (at most `total`), the ramp, then zeros up to `total`.
            var out = [Float](repeating: 1, count: min(s, total))
            out += ramp
            out += [Float](repeating: 0, count: max(0, total - out.count))
            return out
        }
    }

    /// The `n` interior points of an evenly spaced grid from 1 down to 0 with `n + 2` points (`1 − k/(n+1)`,
    /// `k = 1…n`), computed as `torch.linspace(1, 0, n + 2)` does in float32 on the CPU: `step = −1/(n+1)`, points in
    /// the first half `1 + k·step`, points in the second half `−(n+1−k)·step`.
    public static func ramp(_ n: Int) -> [Float] {
        guard n > 0 else { return [] }
        let points = n + 2
        let step = Float(-1) / Float(points - 1)
        let halfway = points / 2
        return (1...n).map { k in
            k < halfway ? 1 + step * Float(k) : 0 - step * Float(points - 1 - k)
        }
    }
}

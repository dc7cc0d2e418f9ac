import Foundation

/// How RTC weights the rows of the previous chunk's leftover (edge-semantics §3.3, LeRobot's
/// `prefix_attention_schedule`).
public enum PrefixSchedule: String, Sendable, Hashable, CaseIterable {
    /// 1 on the frozen delay rows (`< min(delay, horizon)`), 0 elsewhere.
    case zeros = "ZEROS"
    /// 1 on the whole horizon (`< horizon`), ignoring the delay.
    case ones = "ONES"
    /// 1 on the delay rows, then a linear ramp down to (but excluding) 0 until the horizon, then 0.
    case linear = "LINEAR"
    /// As ``linear`` with each ramp value `r` bent to `r · (eʳ − 1)/(e − 1)`.
    case exp = "EXP"

    /// The weight of each of `total` rows, for a prefix frozen on `start` rows and guided up to row `end`.
    ///
    /// With `s = min(start, end)`: the ramp has `n = min(total, end) − s` interior points of an even grid from
    /// 1 to 0 (`1 − k/(n+1)`, k = 1…n); `start > total` gives all ones.
    public func weights(start: Int, end: Int, total: Int) -> [Float] {
        guard total > 0 else { return [] }
        if start > total { return [Float](repeating: 1, count: total) }
        let s = max(0, min(start, end))
        var weights = [Float](repeating: 0, count: total)
        switch self {
        case .zeros:
            for index in 0..<min(s, total) { weights[index] = 1 }
        case .ones:
            for index in 0..<min(max(end, 0), total) { weights[index] = 1 }
        case .linear, .exp:
            for index in 0..<min(s, total) { weights[index] = 1 }
            let rampLength = total - max(total - end, 0) - s
            guard end > s, rampLength > 0 else { return weights }
            for k in 1...rampLength {
                // Float32, as LeRobot computes it in torch's default dtype.
                var value = 1 - Float(k) / Float(rampLength + 1)
                if self == .exp { value = value * (Foundation.exp(value) - 1) / (Foundation.exp(Float(1)) - 1) }
                weights[s + k - 1] = value
            }
        }
        return weights
    }
}

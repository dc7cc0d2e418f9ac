import FlowMatching
import Testing

@Suite("RTC prefix weights (edge-semantics §3.3)")
struct PrefixWeightsTests {
    static func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-4) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    @Test("LINEAR (5, 14, 25): five ones, the ramp 0.9 … 0.1, eleven zeros")
    func linear() {
        let w = PrefixAttentionSchedule.linear.weights(start: 5, end: 14, total: 25)
        let ramp: [Float] = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]
        #expect(Self.close(w, Array(repeating: 1, count: 5) + ramp + Array(repeating: 0, count: 11), 1e-6))
        #expect(Array(w[0..<5]) == Array(repeating: 1, count: 5) && Array(w[14...]) == Array(repeating: 0, count: 11))
    }

    @Test("EXP (5, 14, 25): each ramp value r becomes r·(eʳ − 1)/(e − 1)")
    func exp() {
        let w = PrefixAttentionSchedule.exp.weights(start: 5, end: 14, total: 25)
        let ramp: [Float] = [0.7645, 0.5706, 0.4130, 0.2871, 0.1888, 0.1145, 0.0611, 0.0258, 0.0061]
        #expect(Self.close(w, Array(repeating: 1, count: 5) + ramp + Array(repeating: 0, count: 11)))
    }

    @Test("ZEROS and ONES, and the start clipped to the end")
    func zerosOnes() {
        #expect(
            PrefixAttentionSchedule.zeros.weights(start: 5, end: 10, total: 20) == Array(repeating: 1, count: 5)
                + Array(repeating: 0, count: 15))
        #expect(
            PrefixAttentionSchedule.ones.weights(start: 5, end: 15, total: 20) == Array(repeating: 1, count: 15)
                + Array(repeating: 0, count: 5))
        let tenTen = Array(repeating: Float(1), count: 10) + Array(repeating: 0, count: 10)
        #expect(PrefixAttentionSchedule.linear.weights(start: 10, end: 10, total: 20) == tenTen)
        #expect(PrefixAttentionSchedule.linear.weights(start: 15, end: 10, total: 20) == tenTen)
        #expect(PrefixAttentionSchedule.linear.weights(start: 10, end: 10, total: 5) == Array(repeating: 1, count: 5))
        // ZEROS with a delay beyond the horizon only freezes the horizon.
        #expect(PrefixAttentionSchedule.zeros.weights(start: 15, end: 10, total: 20) == tenTen)
    }

    @Test("The default rollout case (T = 50, H = 10, LINEAR) for delays 0, 3 and ≥ 10")
    func rolloutDefaults() {
        let zeros40 = [Float](repeating: 0, count: 40)
        let d0 = PrefixAttentionSchedule.linear.weights(start: 0, end: 10, total: 50)
        #expect(Self.close(d0, (1...10).map { Float(11 - $0) / 11 } + zeros40, 1e-6))
        let d3 = PrefixAttentionSchedule.linear.weights(start: 3, end: 10, total: 50)
        #expect(Self.close(d3, [1, 1, 1] + (1...7).map { Float(8 - $0) / 8 } + zeros40, 1e-6))
        for d in [10, 11, 49, 50, 1000] {
            #expect(PrefixAttentionSchedule.linear.weights(start: d, end: 10, total: 50) == [Float](repeating: 1, count: 10) + zeros40)
            #expect(PrefixAttentionSchedule.exp.weights(start: d, end: 10, total: 50) == [Float](repeating: 1, count: 10) + zeros40)
        }
    }

    @Test("Every schedule gives `total` weights in [0, 1], never increasing", arguments: PrefixAttentionSchedule.allCases)
    func shape(schedule: PrefixAttentionSchedule) {
        for total in [0, 1, 5, 50] {
            for end in [0, 1, 4, 10, 50, 70] {
                for start in [0, 1, 3, 10, 60] {
                    let w = schedule.weights(start: start, end: end, total: total)
                    #expect(w.count == total, "\(schedule) (\(start), \(end), \(total))")
                    #expect(w.allSatisfy { $0 >= 0 && $0 <= 1 })
                    #expect(zip(w, w.dropFirst()).allSatisfy { $0 >= $1 }, "\(schedule) (\(start), \(end), \(total)): \(w)")
                    // Nothing is weighted past the horizon.
                    #expect(w.enumerated().allSatisfy { $0.offset < end || $0.element == 0 })
                }
            }
        }
    }

    @Test("The ramp holds the interior points of linspace(1, 0, n + 2)")
    func ramp() {
        #expect(PrefixAttentionSchedule.ramp(0).isEmpty)
        #expect(PrefixAttentionSchedule.ramp(1) == [0.5])
        #expect(PrefixAttentionSchedule.ramp(3) == [0.75, 0.5, 0.25])
        for n in 1...64 {
            let ramp = PrefixAttentionSchedule.ramp(n)
            let exact = (1...n).map { 1 - Double($0) / Double(n + 1) }
            // float32 arithmetic: within two units in the last place of 1.
            #expect(zip(ramp, exact).allSatisfy { abs(Double($0) - $1) <= 2 * Double(Float.ulpOfOne) }, "n = \(n)")
        }
    }
}

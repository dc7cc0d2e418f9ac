import Foundation
import Testing

@testable import PolicyRuntime

@Suite("LeRobot normalization in Swift against numpy")
struct NormalizationTests {
    @Test("Every mode, both directions, bit-identical to numpy (state stats, per-channel image stats, zero ranges)")
    func modesMatchNumpy() throws {
        let directory = try Fixtures.make("normalization")
        let file = try SafetensorsFile(contentsOf: directory.appendingPathComponent("stats.safetensors"))
        let cases = try #require(try Fixtures.json(directory.appendingPathComponent("cases.json")) as? [[String: Any]])
        #expect(cases.count == 2)
        for entry in cases {
            let key = entry["key"] as! String
            let prefix = entry["file_key"] as! String
            var stats: [String: [Float]] = [:]
            for name in ["mean", "std", "min", "max", "q01", "q99", "q10", "q90"] { stats[name] = try file.floats("\(key).\(name)") }
            let x = try Fixtures.floats(directory.appendingPathComponent("\(prefix).x.bin"))
            let y = try Fixtures.floats(directory.appendingPathComponent("\(prefix).y.bin"))
            for mode in NormalizationMode.allCases {
                let normalization = try FeatureNormalization(
                    key: key, mode: mode, shape: entry["shape"] as! [Int], stats: stats, eps: 1e-8, source: "stats")
                let norm = try Fixtures.floats(directory.appendingPathComponent("\(prefix).\(mode.rawValue).norm.bin"))
                let unnorm = try Fixtures.floats(directory.appendingPathComponent("\(prefix).\(mode.rawValue).unnorm.bin"))
                #expect(normalization.normalized(x) == norm, "\(key) \(mode.rawValue) normalize")
                #expect(normalization.unnormalized(y) == unnorm, "\(key) \(mode.rawValue) unnormalize")
            }
        }
    }

    @Test("Missing statistics and shapes that do not fit name the feature")
    func errors() {
        #expect {
            try FeatureNormalization(key: "observation.state", mode: .minMax, shape: [2], stats: ["mean": [0, 0]], eps: 1e-8, source: "s")
        } throws: {
            ($0 as? PolicyRuntimeError)?.message
                == "s: MIN_MAX for 'observation.state' needs the 'observation.state.min' and 'observation.state.max' statistics"
        }
        #expect {
            try FeatureNormalization(
                key: "action", mode: .meanStd, shape: [3], stats: ["mean": [0, 0], "std": [1, 1]], eps: 1e-8, source: "s")
        } throws: {
            ($0 as? PolicyRuntimeError)?.message
                == "s: 'action.mean' has 2 values, which fits neither the feature shape [3] nor its channels"
        }
    }
}

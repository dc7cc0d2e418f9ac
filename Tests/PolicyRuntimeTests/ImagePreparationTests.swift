import Foundation
import PolicyRuntime
import PolicyWire
import Testing

@Suite("Camera frames to policy images")
struct ImagePreparationTests {
    @Test("uint8 HWC → float CHW in [0, 1], resized bilinearly: matches numpy (same size exactly, resized to 1e-6)")
    func matchesNumpy() throws {
        let directory = try Fixtures.make("images")
        let cases = try #require(try Fixtures.json(directory.appendingPathComponent("cases.json")) as? [[String: Int]])
        #expect(cases.count == 4)
        for entry in cases {
            let i = entry["index"]!
            let frame = try RGBImage(
                width: entry["width"]!, height: entry["height"]!,
                pixels: try Fixtures.bytes(directory.appendingPathComponent("frame\(i).u8.bin")))
            let (h, w) = (entry["target_height"]!, entry["target_width"]!)
            var out = [Float](repeating: -1, count: 3 * h * w)
            out.withUnsafeMutableBufferPointer { ImagePreparation.fill($0, from: frame, height: h, width: w) }
            let want = try Fixtures.floats(directory.appendingPathComponent("frame\(i).chw.bin"))
            if h == frame.height && w == frame.width {
                #expect(out == want, "frame \(i)")
            } else {
                // Same formula, different float association than numpy's vectorised form.
                #expect(Fixtures.maxAbsDiff(out, want) <= 1e-6, "frame \(i)")
            }
        }
    }
}

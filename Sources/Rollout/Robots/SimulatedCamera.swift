import Foundation
public import PolicyWire

/// A camera looking at the simulated arm: a static textured background, the arm drawn as a planar stick
/// figure from its joint angles, and per-frame sensor noise, so frames cost what real ones cost to JPEG.
public struct SimulatedCamera: Sendable {
    public let width: Int
    public let height: Int
    /// Seen from the front (pan moves the base sideways) or from the wrist (closer, offset view).
    public let viewpoint: Viewpoint
    private let background: [UInt8]
    private var noiseState: UInt64

    public enum Viewpoint: Sendable {
        case front
        case wrist
    }

    public init(width: Int = 640, height: Int = 480, viewpoint: Viewpoint = .front, seed: UInt64 = 1) {
        self.width = width
        self.height = height
        self.viewpoint = viewpoint
        self.noiseState = seed | 1
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                let checker = ((x / 40) + (y / 40)) % 2 == 0 ? 12 : 0
                pixels[i] = UInt8(clamping: 60 + x * 100 / max(1, width) + checker)
                pixels[i + 1] = UInt8(clamping: 70 + y * 90 / max(1, height) + checker)
                pixels[i + 2] = UInt8(clamping: 90 + (x + y) * 60 / max(1, width + height))
            }
        }
        // A table edge.
        for y in (height * 3 / 4)..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                pixels[i] = 120
                pixels[i + 1] = 90
                pixels[i + 2] = 60
            }
        }
        background = pixels
    }

    /// Renders the arm at `positions` (degrees, SimulatedArm order).
    public mutating func frame(positions: [Float]) -> RGBImage {
        var pixels = background
        let scale = Float(viewpoint == .front ? 1.0 : 1.6) * Float(height) / 480
        let pan = positions.count > 0 ? positions[0] : 0
        var x = Float(width) / 2 + pan * 1.5 * scale
        var y = Float(height) * 0.75
        var angle = Float.pi / 2
        let segments: [(Float, Float, (UInt8, UInt8, UInt8))] = [
            (positions.count > 1 ? positions[1] : 0, 110, (230, 120, 30)),
            (positions.count > 2 ? positions[2] : 0, 100, (240, 200, 40)),
            (positions.count > 3 ? positions[3] : 0, 50, (60, 160, 220)),
        ]
        for (degrees, length, color) in segments {
            angle -= degrees * .pi / 180
            let nx = x + cos(angle) * length * scale
            let ny = y - sin(angle) * length * scale
            drawLine(&pixels, x, y, nx, ny, thickness: 9 * scale, color: color)
            x = nx
            y = ny
        }
        let opening = (positions.count > 5 ? positions[5] : 0) / 100 * 30 * scale
        drawLine(&pixels, x - opening, y, x + opening, y, thickness: 6 * scale, color: (200, 60, 200))
        // Sensor noise: ±3 per channel.
        var s = noiseState
        for i in pixels.indices {
            s ^= s << 13
            s ^= s >> 7
            s ^= s << 17
            let n = Int(s & 7) - 3
            pixels[i] = UInt8(clamping: Int(pixels[i]) + n)
        }
        noiseState = s
        // The size always matches, so this cannot fail.
        return (try? RGBImage(width: width, height: height, pixels: pixels))!
    }

    private func drawLine(
        _ pixels: inout [UInt8], _ x0: Float, _ y0: Float, _ x1: Float, _ y1: Float, thickness: Float,
        color: (UInt8, UInt8, UInt8)
    ) {
        let steps = Int(max(abs(x1 - x0), abs(y1 - y0))) + 1
        let r = Int(thickness / 2)
        for s in 0...steps {
            let t = Float(s) / Float(steps)
            let cx = Int(x0 + (x1 - x0) * t)
            let cy = Int(y0 + (y1 - y0) * t)
            for dy in -r...r {
                for dx in -r...r where dx * dx + dy * dy <= r * r {
                    let px = cx + dx
                    let py = cy + dy
                    guard px >= 0, py >= 0, px < width, py < height else { continue }
                    let i = (py * width + px) * 3
                    pixels[i] = color.0
                    pixels[i + 1] = color.1
                    pixels[i + 2] = color.2
                }
            }
        }
    }
}

/// An RGB image in memory: height × width × 3 bytes, row-major, channels R, G, B (HWC, uint8).
///
/// Both ends of the wire hold images this way; JPEG and the raw codec convert from and to it.
public struct RGBImage: Sendable, Hashable {
    public let width: Int
    public let height: Int
    /// `height * width * 3` bytes, HWC, RGB.
    public var pixels: [UInt8]

    /// Wraps `pixels`, which must hold exactly `height * width * 3` bytes.
    public init(width: Int, height: Int, pixels: [UInt8]) throws(PolicyWireError) {
        guard (1...Self.maxDimension).contains(width), (1...Self.maxDimension).contains(height) else {
            throw PolicyWireError(
                .invalidImage, "image of \(height)×\(width): sides must be within 1...\(Self.maxDimension)")
        }
        guard pixels.count == width * height * 3 else {
            throw PolicyWireError(
                .invalidImage,
                "image must be uint8 HWC RGB: \(height)×\(width)×3 needs \(width * height * 3) bytes, "
                    + "got \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image of one colour.
    public init(width: Int, height: Int, filledWith rgb: (UInt8, UInt8, UInt8)) throws(PolicyWireError) {
        guard (1...Self.maxDimension).contains(width), (1...Self.maxDimension).contains(height) else {
            throw PolicyWireError(
                .invalidImage, "image of \(height)×\(width): sides must be within 1...\(Self.maxDimension)")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        var i = 0
        while i + 2 < pixels.count {
            pixels[i] = rgb.0
            pixels[i + 1] = rgb.1
            pixels[i + 2] = rgb.2
            i += 3
        }
        try self.init(width: width, height: height, pixels: pixels)
    }

    /// The largest side accepted, from the wire or from a JPEG header (bounds the memory one image can take).
    public static let maxDimension = 16_384

    /// The pixel at row `y`, column `x`.
    public subscript(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }
}

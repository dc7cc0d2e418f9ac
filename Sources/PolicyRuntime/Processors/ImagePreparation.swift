public import PolicyWire

/// A camera frame as the policy sees it before normalization: uint8 HWC RGB → float32 CHW in [0, 1]
/// (`x / 255`, LeRobot's `prepare_observation_for_inference`), resized to the policy's `[3, H, W]` when the frame
/// has another size.
///
/// The resize is bilinear with half-pixel centres and edge clamping, without antialiasing (PyTorch's
/// `F.interpolate(mode="bilinear", align_corners=False)`), applied to the [0, 1] image.
public enum ImagePreparation {
    /// Writes `image` into `output` (`3 · height · width` floats, CHW).
    public static func fill(_ output: UnsafeMutableBufferPointer<Float>, from image: RGBImage, height: Int, width: Int) {
        precondition(output.count == 3 * height * width, "output must hold 3·height·width floats")
        let plane = height * width
        image.pixels.withUnsafeBufferPointer { pixels in
            if image.height == height && image.width == width {
                for i in 0..<plane {
                    output[i] = Float(pixels[3 * i]) / 255
                    output[plane + i] = Float(pixels[3 * i + 1]) / 255
                    output[2 * plane + i] = Float(pixels[3 * i + 2]) / 255
                }
                return
            }
            let xs = taps(source: image.width, target: width)
            let ys = taps(source: image.height, target: height)
            let rowStride = image.width * 3
            for (y, ty) in ys.enumerated() {
                for (x, tx) in xs.enumerated() {
                    for c in 0..<3 {
                        func p(_ row: Int, _ column: Int) -> Float { Float(pixels[row * rowStride + column * 3 + c]) / 255 }
                        let top = p(ty.0, tx.0) * (1 - tx.2) + p(ty.0, tx.1) * tx.2
                        let bottom = p(ty.1, tx.0) * (1 - tx.2) + p(ty.1, tx.1) * tx.2
                        output[c * plane + y * width + x] = top * (1 - ty.2) + bottom * ty.2
                    }
                }
            }
        }
    }

    /// For each target index: the two source indices and the weight of the second.
    static func taps(source: Int, target: Int) -> [(Int, Int, Float)] {
        let scale = Float(source) / Float(target)
        return (0..<target).map { i in
            let centre = max(0, (Float(i) + 0.5) * scale - 0.5)
            let lower = min(Int(centre), source - 1)
            let upper = min(lower + 1, source - 1)
            return (lower, upper, centre - Float(lower))
        }
    }
}

import CTurboJPEG
public import NIOCore

/// Compresses RGB images to JPEG with libjpeg-turbo (4:2:0 chroma subsampling, as LeRobot's encoders do).
///
/// Holds a TurboJPEG handle and a reusable output buffer: keep one per thread (it is not `Sendable`) and
/// reuse it across frames.
public final class JPEGEncoder {
    private let handle: tjhandle
    private var output: UnsafeMutablePointer<UInt8>?
    private var outputCapacity: UInt = 0

    public init() throws(PolicyWireError) {
        guard let handle = tjInitCompress() else {
            throw PolicyWireError(.jpegFailure, "libjpeg-turbo: cannot create a compressor (tjInitCompress failed)")
        }
        self.handle = handle
    }

    deinit {
        if let output { tjFree(output) }
        tjDestroy(handle)
    }

    /// JPEG bytes of `image` at `quality` (1...100).
    public func encode(_ image: RGBImage, quality: Int = 90) throws(PolicyWireError) -> ByteBuffer {
        guard (1...100).contains(quality) else {
            throw PolicyWireError(.jpegFailure, "JPEG quality must be within 1...100, got \(quality)")
        }
        let needed = tjBufSize(Int32(image.width), Int32(image.height), Int32(TJSAMP_420.rawValue))
        if needed > outputCapacity {
            if let output { tjFree(output) }
            output = tjAlloc(Int32(clamping: needed))
            outputCapacity = output == nil ? 0 : needed
        }
        guard let allocated = output else {
            throw PolicyWireError(.jpegFailure, "libjpeg-turbo: cannot allocate \(needed) bytes")
        }
        var destination: UnsafeMutablePointer<UInt8>? = allocated
        var size = outputCapacity
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            tjCompress2(
                handle, pixels.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(TJPF_RGB.rawValue),
                &destination, &size, Int32(TJSAMP_420.rawValue), Int32(quality), TJFLAG_NOREALLOC)
        }
        guard status == 0 else {
            throw PolicyWireError(.jpegFailure, "libjpeg-turbo: \(String(cString: tjGetErrorStr2(handle)))")
        }
        return ByteBuffer(bytes: UnsafeBufferPointer(start: allocated, count: Int(size)))
    }
}

/// Decompresses JPEG to RGB images with libjpeg-turbo (accurate integer IDCT, as Pillow's default decoder).
///
/// Not `Sendable`: keep one per thread and reuse it.
public final class JPEGDecoder {
    private let handle: tjhandle

    public init() throws(PolicyWireError) {
        guard let handle = tjInitDecompress() else {
            throw PolicyWireError(
                .jpegFailure, "libjpeg-turbo: cannot create a decompressor (tjInitDecompress failed)")
        }
        self.handle = handle
    }

    deinit { tjDestroy(handle) }

    /// Decodes `jpeg` (its readable bytes) to RGB. Sides above ``RGBImage/maxDimension`` are refused
    /// before any pixel memory is allocated.
    public func decode(_ jpeg: ByteBuffer) throws(PolicyWireError) -> RGBImage {
        let result: Result<RGBImage, PolicyWireError> = jpeg.withUnsafeReadableBytes { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), !raw.isEmpty else {
                return .failure(PolicyWireError(.invalidImage, "JPEG data is empty"))
            }
            let length = UInt(raw.count)
            var width: Int32 = 0
            var height: Int32 = 0
            var subsampling: Int32 = 0
            var colorspace: Int32 = 0
            guard tjDecompressHeader3(handle, base, length, &width, &height, &subsampling, &colorspace) == 0 else {
                return .failure(self.error("cannot read the JPEG header"))
            }
            guard width > 0, height > 0, width <= RGBImage.maxDimension, height <= RGBImage.maxDimension else {
                return .failure(
                    PolicyWireError(
                        .invalidImage,
                        "JPEG is \(width)×\(height); sides must be within 1...\(RGBImage.maxDimension)"))
            }
            let count = Int(width) * Int(height) * 3
            var status: Int32 = 0
            let pixels = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
                status = tjDecompress2(
                    handle, base, length, out.baseAddress, width, 0, height, Int32(TJPF_RGB.rawValue), 0)
                // On failure libjpeg-turbo may leave rows unwritten; zero them so the array is initialized.
                if status != 0 { out.initialize(repeating: 0) }
                initialized = count
            }
            // Warnings (e.g. a truncated but displayable stream) still produce pixels; errors do not.
            if status != 0 && tjGetErrorCode(handle) == TJERR_FATAL.rawValue {
                return .failure(self.error("cannot decode the JPEG"))
            }
            do throws(PolicyWireError) {
                return .success(try RGBImage(width: Int(width), height: Int(height), pixels: pixels))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private func error(_ what: String) -> PolicyWireError {
        PolicyWireError(.invalidImage, "\(what): \(String(cString: tjGetErrorStr2(handle)))")
    }
}

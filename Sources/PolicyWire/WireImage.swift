public import MessagePack
public import NIOCore

/// An image as it travels: `{"codec": "jpeg", "data": bin}` or `{"codec": "raw", "shape": [H, W, 3], "data": bin}`.
///
/// A missing codec means JPEG. Only uint8 H×W×3 (RGB) content is accepted.
public enum WireImage: Sendable, Hashable {
    /// JPEG bytes of an RGB image.
    case jpeg(ByteBuffer)
    /// Raw HWC RGB bytes (`height * width * 3`).
    case raw(height: Int, width: Int, data: ByteBuffer)

    /// Encodes `image` as JPEG at `quality` (1...100), or raw when `quality <= 0` (LeRobot's `jpeg_quality` rule).
    public init(_ image: RGBImage, quality: Int, encoder: JPEGEncoder) throws(PolicyWireError) {
        if quality <= 0 {
            self = .raw(height: image.height, width: image.width, data: ByteBuffer(bytes: image.pixels))
        } else {
            self = .jpeg(try encoder.encode(image, quality: min(quality, 100)))
        }
    }

    /// The RGB pixels: JPEG is decoded with `decoder`, raw is copied out.
    public func rgbImage(decoder: JPEGDecoder) throws(PolicyWireError) -> RGBImage {
        switch self {
        case .jpeg(let bytes):
            return try decoder.decode(bytes)
        case .raw(let height, let width, let data):
            return try RGBImage(width: width, height: height, pixels: Array(data.readableBytesView))
        }
    }

    /// Decodes the wire map of one image (`field` names it in errors).
    public init(messagePack value: MessagePackValue, field: String = "image") throws(PolicyWireError) {
        let fields = try FieldReader(value, message: field)
        let codec = try fields.string("codec", default: "jpeg")
        var data: ByteBuffer
        switch fields.value("data") {
        case .binary(let bytes)?: data = bytes
        case nil: data = ByteBuffer()
        case let other?: throw fields.wrongType("data", expected: "bin", got: other)
        }
        switch codec {
        case "jpeg":
            self = .jpeg(data)
        case "raw":
            var dims: [Int] = []
            if case .array(let items)? = fields.value("shape") {
                for item in items.prefix(4) {
                    guard let d = item.int64Value, let n = Int(exactly: d) else { break }
                    dims.append(n)
                }
            }
            guard dims.count == 3, dims[2] == 3, (1...RGBImage.maxDimension).contains(dims[0]),
                (1...RGBImage.maxDimension).contains(dims[1]), data.readableBytes == dims[0] * dims[1] * 3
            else {
                throw PolicyWireError(
                    .invalidImage,
                    "\(field): raw image must be uint8 HWC RGB with shape [H, W, 3] and H*W*3 data bytes "
                        + "(got shape \(dims), \(data.readableBytes) bytes)")
            }
            self = .raw(height: dims[0], width: dims[1], data: data)
        default:
            throw PolicyWireError(.unknownImageCodec, "\(field): Unknown image codec '\(codec)' (expected jpeg or raw)")
        }
    }

    /// Writes the wire map.
    public func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .jpeg(let bytes):
            buffer.reserveCapacity(minimumWritableBytes: bytes.readableBytes + 24)
            buffer.writeMessagePackMapHeader(count: 2)
            buffer.writeMessagePackString("codec")
            buffer.writeMessagePackString("jpeg")
            buffer.writeMessagePackString("data")
            buffer.writeMessagePackBinary(bytes)
        case .raw(let height, let width, let data):
            buffer.reserveCapacity(minimumWritableBytes: data.readableBytes + 48)
            buffer.writeMessagePackMapHeader(count: 3)
            buffer.writeMessagePackString("codec")
            buffer.writeMessagePackString("raw")
            buffer.writeMessagePackString("shape")
            buffer.writeMessagePackArrayHeader(count: 3)
            buffer.writeMessagePackInt(height)
            buffer.writeMessagePackInt(width)
            buffer.writeMessagePackInt(3)
            buffer.writeMessagePackString("data")
            buffer.writeMessagePackBinary(data)
        }
    }
}

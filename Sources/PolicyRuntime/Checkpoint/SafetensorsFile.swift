public import Foundation
import JSON

/// A `.safetensors` file read whole and checked: `u64` little-endian header length, a JSON header
/// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, then the raw little-endian data
/// (offsets relative to its start). Every length, offset and shape is bounds-checked; a malformed file is an
/// error naming the file and the tensor, never a trap.
public struct SafetensorsFile: Sendable {
    public struct TensorInfo: Sendable, Hashable {
        public var dtype: String
        public var shape: [Int]
        /// Byte range inside the data section.
        public var range: Range<Int>
    }

    /// Largest accepted header (the format's own limit is 100 MB).
    public static let maxHeaderBytes = 100_000_000
    /// Bytes per element of the dtypes this reader converts.
    static let widths: [String: Int] = [
        "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
    ]

    public let source: String
    public let tensors: [String: TensorInfo]
    public let metadata: [String: String]
    private let data: Data

    /// Reads `url`; `maxBytes` bounds the file (normalizer statistics are small).
    public init(contentsOf url: URL, maxBytes: Int = 1 << 30) throws(PolicyRuntimeError) {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        guard let size else { throw PolicyRuntimeError(.invalidCheckpoint, "cannot read \(url.path)") }
        guard size <= maxBytes else {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(url.path): \(size) bytes is over the \(maxBytes)-byte limit")
        }
        let bytes: Data
        do { bytes = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw PolicyRuntimeError(.invalidCheckpoint, "cannot read \(url.path): \(error.localizedDescription)")
        }
        try self.init(bytes: bytes, source: url.path)
    }

    /// Parses `bytes`; `source` names the file in errors.
    public init(bytes: Data, source: String) throws(PolicyRuntimeError) {
        func fail(_ why: String) -> PolicyRuntimeError { PolicyRuntimeError(.invalidCheckpoint, "\(source): \(why)") }
        guard bytes.count >= 8 else { throw fail("\(bytes.count) bytes is too short for a safetensors header length") }
        var headerLength: UInt64 = 0
        for (i, byte) in bytes.prefix(8).enumerated() { headerLength |= UInt64(byte) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(min(Self.maxHeaderBytes, bytes.count - 8)) else {
            throw fail("header length \(headerLength) does not fit in the file's \(bytes.count) bytes")
        }
        let headerEnd = bytes.startIndex + 8 + Int(headerLength)
        let header: JSONValue
        do { header = try JSONValue(parsing: [UInt8](bytes[(bytes.startIndex + 8)..<headerEnd])) } catch {
            throw fail("the header is not valid JSON")
        }
        guard let members = header.object else { throw fail("the header is not a JSON object") }
        let data = bytes[headerEnd...]
        var tensors: [String: TensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in members {
            if name == "__metadata__" {
                for (k, v) in value.object ?? [] { metadata[k] = v.string }
                continue
            }
            guard let dtype = value["dtype"]?.string, let shapeValues = value["shape"]?.array,
                let offsets = value["data_offsets"]?.array, offsets.count == 2,
                let begin = offsets[0].int, let end = offsets[1].int
            else { throw fail("tensor '\(name)' needs dtype, shape and two data_offsets") }
            guard let width = Self.widths[dtype] else { throw fail("tensor '\(name)' has unsupported dtype \(dtype)") }
            let shapeText = JSONValue.array(shapeValues).pythonRepr
            var count = 1
            var shape: [Int] = []
            for dimension in shapeValues {
                guard let d = dimension.int, d >= 0 else { throw fail("tensor '\(name)' has a bad shape \(shapeText)") }
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, product <= data.count else { throw fail("tensor '\(name)' shape \(shapeText) is too large") }
                count = product
                shape.append(d)
            }
            guard begin >= 0, begin <= end, end <= data.count else {
                throw fail("tensor '\(name)' data_offsets [\(begin), \(end)] fall outside the \(data.count) data bytes")
            }
            guard end - begin == count * width else {
                throw fail("tensor '\(name)': \(dtype) \(shape) needs \(count * width) bytes, data_offsets give \(end - begin)")
            }
            tensors[name] = TensorInfo(dtype: dtype, shape: shape, range: begin..<end)
        }
        self.source = source
        self.tensors = tensors
        self.metadata = metadata
        self.data = Data(data)
    }

    /// The tensor `name` converted to `Float` (from F32, F64, F16, BF16 or an integer type), row-major.
    public func floats(_ name: String) throws(PolicyRuntimeError) -> [Float] {
        guard let info = tensors[name] else {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(source) has no tensor '\(name)'")
        }
        let width = Self.widths[info.dtype]!
        let count = info.range.count / width
        return data.withUnsafeBytes { raw in
            let bytes = UnsafeRawBufferPointer(rebasing: raw[info.range])
            return (0..<count).map { i in Self.element(bytes, at: i * width, dtype: info.dtype) }
        }
    }

    private static func element(_ bytes: UnsafeRawBufferPointer, at offset: Int, dtype: String) -> Float {
        func u<T: FixedWidthInteger>(_: T.Type) -> T { T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        switch dtype {
        case "F32": return Float(bitPattern: u(UInt32.self))
        case "F64": return Float(Double(bitPattern: u(UInt64.self)))
        case "BF16": return Float(bitPattern: UInt32(u(UInt16.self)) << 16)
        case "F16": return halfToFloat(u(UInt16.self))
        case "I64": return Float(u(Int64.self))
        case "I32": return Float(u(Int32.self))
        case "I16": return Float(u(Int16.self))
        case "I8": return Float(u(Int8.self))
        case "U8": return Float(u(UInt8.self))
        default: return u(UInt8.self) != 0 ? 1 : 0  // BOOL
        }
    }

    /// IEEE 754 binary16 → binary32.
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h >> 15) << 31
        let exponent = Int(h >> 10) & 0x1f
        let mantissa = UInt32(h & 0x3ff)
        switch exponent {
        case 0:
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        case 31: return Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13))
        default: return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
        }
    }
}

public import NIOCore

/// An n-dimensional array as LeRobot puts it on the wire: `{"dtype": "<f4", "shape": [..], "data": bin}`.
///
/// `data` holds the raw little-endian element bytes, row-major; its length always equals
/// `shape.product × dtype.itemSize` (checked on every construction and decode).
public struct PolicyTensor: Sendable, Hashable {
    public private(set) var dtype: DType
    public private(set) var shape: [Int]
    /// Little-endian, C-order element bytes.
    public private(set) var data: ByteBuffer

    /// The largest rank accepted from the wire.
    public static let maxRank = 16

    /// Builds a tensor from raw little-endian bytes, checking the length against the shape.
    public init(dtype: DType, shape: [Int], data: ByteBuffer) throws(PolicyWireError) {
        let count = try Self.elementCount(shape)
        let (expected, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow, data.readableBytes == expected else {
            throw PolicyWireError(
                .invalidTensor,
                "tensor data has \(data.readableBytes) bytes but shape \(shape) of \(dtype.wireName) needs "
                    + (overflow ? "more than Int.max" : "\(expected)"))
        }
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    /// A float32 tensor holding `values` with `shape` (defaults to 1-D).
    public init(float32 values: [Float], shape: [Int]? = nil) throws(PolicyWireError) {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(values.count * 4)
        #if _endian(little)
        values.withUnsafeBytes { _ = buffer.writeBytes($0) }
        #else
        for v in values { buffer.writeInteger(v.bitPattern, endianness: .little) }
        #endif
        try self.init(dtype: .float32, shape: shape ?? [values.count], data: buffer)
    }

    /// A float32 tensor `[rows.count, columns]` from equal-length rows.
    public init(float32Rows rows: [[Float]], columns: Int? = nil) throws(PolicyWireError) {
        let width = columns ?? rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == width }) else {
            throw PolicyWireError(.invalidTensor, "rows of a 2-D tensor must all have \(width) columns")
        }
        try self.init(float32: rows.flatMap { $0 }, shape: [rows.count, width])
    }

    /// Number of elements (product of the shape; 1 for a 0-d tensor).
    public var elementCount: Int { (try? Self.elementCount(shape)) ?? 0 }

    static func elementCount(_ shape: [Int]) throws(PolicyWireError) -> Int {
        guard shape.count <= maxRank else {
            throw PolicyWireError(.invalidTensor, "tensor rank \(shape.count) exceeds \(maxRank)")
        }
        var count = 1
        for dim in shape {
            guard dim >= 0 else {
                throw PolicyWireError(.invalidTensor, "tensor shape \(shape) has a negative dimension")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else {
                throw PolicyWireError(.invalidTensor, "tensor shape \(shape) overflows the element count")
            }
            count = product
        }
        return count
    }
}

extension PolicyTensor {
    /// The element types accepted on the wire, named by numpy's dtype strings.
    public enum DType: String, Sendable, Hashable, CaseIterable {
        case float16 = "<f2"
        case float32 = "<f4"
        case float64 = "<f8"
        case int8 = "|i1"
        case int16 = "<i2"
        case int32 = "<i4"
        case int64 = "<i8"
        case uint8 = "|u1"
        case uint16 = "<u2"
        case uint32 = "<u4"
        case uint64 = "<u8"
        case bool = "|b1"

        /// numpy's `dtype.str` for this type, as written on the wire.
        public var wireName: String { rawValue }

        /// Bytes per element.
        public var itemSize: Int {
            switch self {
            case .int8, .uint8, .bool: 1
            case .float16, .int16, .uint16: 2
            case .float32, .int32, .uint32: 4
            case .float64, .int64, .uint64: 8
            }
        }

        /// Parses a numpy dtype string. Little-endian (`<`), native (`=`) and byte-order-free (`|`) forms are
        /// accepted as is; big-endian (`>`) forms are reported through `isBigEndian` so the caller swaps bytes.
        static func parse(_ string: String) throws(PolicyWireError) -> (DType, isBigEndian: Bool) {
            guard let order = string.first, "<>=|".contains(order) else {
                return try parseBody(string, original: string, bigEndian: false)
            }
            return try parseBody(String(string.dropFirst()), original: string, bigEndian: order == ">")
        }

        private static func parseBody(_ body: String, original: String, bigEndian: Bool) throws(PolicyWireError)
            -> (DType, isBigEndian: Bool)
        {
            if body.hasPrefix("O") {
                throw PolicyWireError(.invalidTensor, "object dtype '\(original)' is refused: tensors carry numbers only")
            }
            for type in DType.allCases where type.rawValue.dropFirst() == body {
                return (type, bigEndian && type.itemSize > 1)
            }
            throw PolicyWireError(
                .invalidTensor,
                "unsupported dtype '\(original)' (accepted: \(DType.allCases.map(\.rawValue).joined(separator: " ")))")
        }
    }
}

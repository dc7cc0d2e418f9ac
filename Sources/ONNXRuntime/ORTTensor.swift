/// Element types of ONNX tensors this binding creates and reads (`ONNXTensorElementDataType` values).
public enum ORTElementType: Int32, Sendable, Hashable, CustomStringConvertible {
    case float32 = 1, uint8 = 2, int8 = 3, int32 = 6, int64 = 7, bool = 9, float64 = 11

    public var byteWidth: Int {
        switch self {
        case .float32, .int32: 4
        case .uint8, .int8, .bool: 1
        case .int64, .float64: 8
        }
    }

    public var description: String {
        switch self {
        case .float32: "float32"
        case .uint8: "uint8"
        case .int8: "int8"
        case .int32: "int32"
        case .int64: "int64"
        case .bool: "bool"
        case .float64: "float64"
        }
    }
}

/// A Swift type that is stored as one ONNX element type.
public protocol ORTElement: BitwiseCopyable, Sendable {
    static var ortElementType: ORTElementType { get }
}

extension Float: ORTElement { public static var ortElementType: ORTElementType { .float32 } }
extension UInt8: ORTElement { public static var ortElementType: ORTElementType { .uint8 } }
extension Int8: ORTElement { public static var ortElementType: ORTElementType { .int8 } }
extension Int32: ORTElement { public static var ortElementType: ORTElementType { .int32 } }
extension Int64: ORTElement { public static var ortElementType: ORTElementType { .int64 } }
extension Bool: ORTElement { public static var ortElementType: ORTElementType { .bool } }
extension Double: ORTElement { public static var ortElementType: ORTElementType { .float64 } }

/// A dense CPU tensor: a shape, an element type and one buffer.
///
/// Inputs are handed to ONNX Runtime without a copy (the run wraps this buffer); outputs of a run keep the
/// runtime's own buffer alive instead of copying it. Fill a tensor in place with
/// ``withUnsafeMutableBufferPointer(of:_:)``. Not for concurrent mutation: one owner writes at a time.
// @unchecked: owns an OrtValue C handle and its buffer; one owner writes at a time (see above).
public final class ORTTensor: @unchecked Sendable, CustomStringConvertible {
    public let elementType: ORTElementType
    public let shape: [Int]
    /// Number of elements (the product of `shape`; 1 for a scalar).
    public let count: Int
    let data: UnsafeMutableRawPointer
    private let release: @Sendable (UnsafeMutableRawPointer) -> Void

    /// A zero-filled tensor.
    public init(zeros elementType: ORTElementType, shape: [Int]) throws(ORTError) {
        let count = try Self.elementCount(shape)
        self.elementType = elementType
        self.shape = shape
        self.count = count
        let bytes = max(1, count * elementType.byteWidth)
        self.data = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        self.data.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        self.release = { $0.deallocate() }
    }

    /// A tensor holding a copy of `values`, which must have as many elements as `shape` describes.
    public convenience init<T: ORTElement>(_ values: [T], shape: [Int]) throws(ORTError) {
        try self.init(zeros: T.ortElementType, shape: shape)
        guard values.count == count else {
            throw ORTError(.invalidArgument, "\(values.count) values do not fill a tensor of shape \(shape) (\(count))")
        }
        values.withUnsafeBytes { data.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    /// Wraps memory that `release` frees (an output of a run).
    init(
        wrapping data: UnsafeMutableRawPointer, elementType: ORTElementType, shape: [Int],
        release: @escaping @Sendable (UnsafeMutableRawPointer) -> Void
    ) throws(ORTError) {
        self.count = try Self.elementCount(shape)
        self.elementType = elementType
        self.shape = shape
        self.data = data
        self.release = release
    }

    deinit { release(data) }

    /// The bytes of the buffer.
    public var byteCount: Int { count * elementType.byteWidth }

    /// Calls `body` with the elements, viewed as `T`, which must be the tensor's element type.
    public func withUnsafeMutableBufferPointer<T: ORTElement, R>(
        of type: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R
    ) throws -> R {
        guard T.ortElementType == elementType else {
            throw ORTError(.invalidArgument, "tensor of \(elementType) read as \(T.ortElementType)")
        }
        return try body(UnsafeMutableBufferPointer(start: data.assumingMemoryBound(to: T.self), count: count))
    }

    /// A copy of the elements as `T`, which must be the tensor's element type.
    public func values<T: ORTElement>(as type: T.Type) throws(ORTError) -> [T] {
        guard T.ortElementType == elementType else {
            throw ORTError(.invalidArgument, "tensor of \(elementType) read as \(T.ortElementType)")
        }
        return Array(UnsafeBufferPointer(start: data.assumingMemoryBound(to: T.self), count: count))
    }

    public var description: String { "ORTTensor(\(elementType), \(shape))" }

    static func elementCount(_ shape: [Int]) throws(ORTError) -> Int {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { throw ORTError(.invalidArgument, "negative dimension in tensor shape \(shape)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= 1 << 34 else {
                throw ORTError(.invalidArgument, "tensor shape \(shape) is too large")
            }
            count = product
        }
        return count
    }
}

public import MessagePack
public import NIOCore

/// Reads the fields of one message map tolerantly: unknown keys are ignored, a missing key or an explicit
/// nil takes the default, and a present value of the wrong type is an error naming `Message.field`.
struct FieldReader {
    let pairs: [MessagePackPair]
    let message: String

    init(_ value: MessagePackValue, message: String) throws(PolicyWireError) {
        guard case .map(let pairs) = value else {
            throw PolicyWireError(.malformedBody, "\(message) body must be a MessagePack map, got \(value.kindName)")
        }
        self.pairs = pairs
        self.message = message
    }

    /// The value under `key`, or nil when absent or nil.
    func value(_ key: String) -> MessagePackValue? {
        for pair in pairs {
            if case .string(let name) = pair.key, name == key {
                return pair.value.isNull ? nil : pair.value
            }
        }
        return nil
    }

    func wrongType(_ key: String, expected: String, got value: MessagePackValue) -> PolicyWireError {
        PolicyWireError(.wrongType, "\(message).\(key) must be \(expected), got \(value.kindName)")
    }

    func string(_ key: String, default fallback: String = "") throws(PolicyWireError) -> String {
        guard let value = value(key) else { return fallback }
        guard case .string(let s) = value else { throw wrongType(key, expected: "a string", got: value) }
        return s
    }

    func int(_ key: String, default fallback: Int64 = 0) throws(PolicyWireError) -> Int64 {
        guard let value = value(key) else { return fallback }
        if case .bool(let b) = value { return b ? 1 : 0 }
        guard let v = value.int64Value else { throw wrongType(key, expected: "an integer (int64)", got: value) }
        return v
    }

    func uint(_ key: String, default fallback: UInt64 = 0) throws(PolicyWireError) -> UInt64 {
        guard let value = value(key) else { return fallback }
        guard let v = value.uint64Value else {
            throw wrongType(key, expected: "a non-negative integer", got: value)
        }
        return v
    }

    func double(_ key: String, default fallback: Double = 0) throws(PolicyWireError) -> Double {
        guard let value = value(key) else { return fallback }
        guard let v = value.doubleValue else { throw wrongType(key, expected: "a number", got: value) }
        return v
    }

    func bool(_ key: String, default fallback: Bool = false) throws(PolicyWireError) -> Bool {
        guard let value = value(key) else { return fallback }
        switch value {
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .uint(let u): return u != 0
        default: throw wrongType(key, expected: "a bool", got: value)
        }
    }

    func strings(_ key: String) throws(PolicyWireError) -> [String] {
        guard let value = value(key) else { return [] }
        guard case .array(let items) = value else { throw wrongType(key, expected: "a list of strings", got: value) }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard case .string(let s) = item else {
                throw wrongType(key, expected: "a list of strings", got: item)
            }
            out.append(s)
        }
        return out
    }

    func tensor(_ key: String) throws(PolicyWireError) -> PolicyTensor? {
        guard let value = value(key) else { return nil }
        return try PolicyTensor(messagePack: value, field: "\(message).\(key)")
    }
}

extension PolicyTensor {
    /// Decodes `{"dtype", "shape", "data"}`; big-endian input is converted to little-endian.
    public init(messagePack value: MessagePackValue, field: String = "tensor") throws(PolicyWireError) {
        let fields = try FieldReader(value, message: field)
        let dtypeName = try fields.string("dtype")
        guard !dtypeName.isEmpty else {
            throw PolicyWireError(.invalidTensor, "\(field).dtype is missing")
        }
        let (dtype, isBigEndian): (DType, Bool)
        do throws(PolicyWireError) {
            (dtype, isBigEndian) = try DType.parse(dtypeName)
        } catch {
            throw PolicyWireError(.invalidTensor, "\(field): \(error.message)")
        }
        var shape: [Int] = []
        if let rawShape = fields.value("shape") {
            guard case .array(let dims) = rawShape, dims.count <= PolicyTensor.maxRank else {
                throw PolicyWireError(
                    .invalidTensor, "\(field).shape must be a list of at most \(PolicyTensor.maxRank) integers")
            }
            for dim in dims {
                guard let d = dim.int64Value, d >= 0, let n = Int(exactly: d) else {
                    throw PolicyWireError(.invalidTensor, "\(field).shape must hold non-negative integers")
                }
                shape.append(n)
            }
        }
        var data: ByteBuffer
        switch fields.value("data") {
        case .binary(let bytes)?: data = bytes
        case nil: data = ByteBuffer()
        case let other?: throw fields.wrongType("data", expected: "bin", got: other)
        }
        if isBigEndian {
            data = Self.swapped(data, itemSize: dtype.itemSize)
        }
        do throws(PolicyWireError) {
            try self.init(dtype: dtype, shape: shape, data: data)
        } catch {
            throw PolicyWireError(.invalidTensor, "\(field): \(error.message)")
        }
    }

    private static func swapped(_ data: ByteBuffer, itemSize: Int) -> ByteBuffer {
        var bytes = Array(data.readableBytesView)
        var i = 0
        while i + itemSize <= bytes.count {
            bytes[i..<i + itemSize].reverse()
            i += itemSize
        }
        return ByteBuffer(bytes: bytes)
    }

    /// Writes `{"dtype", "shape", "data"}` as LeRobot's Python encoder does.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: data.readableBytes + 32 + shape.count * 9)
        buffer.writeMessagePackMapHeader(count: 3)
        buffer.writeMessagePackString("dtype")
        buffer.writeMessagePackString(dtype.wireName)
        buffer.writeMessagePackString("shape")
        buffer.writeMessagePackArrayHeader(count: shape.count)
        for dim in shape { buffer.writeMessagePackInt(dim) }
        buffer.writeMessagePackString("data")
        buffer.writeMessagePackBinary(data)
    }
}

extension ByteBuffer {
    /// Writes an optional tensor (nil stays nil).
    mutating func writePolicyTensor(_ tensor: PolicyTensor?) {
        if let tensor { tensor.encode(into: &self) } else { writeMessagePackNil() }
    }

    /// Writes a list of strings.
    mutating func writePolicyStrings(_ strings: [String]) {
        writeMessagePackArrayHeader(count: strings.count)
        for s in strings { writeMessagePackString(s) }
    }
}

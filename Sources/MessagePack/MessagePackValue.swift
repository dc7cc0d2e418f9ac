public import NIOCore

/// One MessagePack value, as decoded from the wire or built for encoding.
///
/// Integers keep their sign class: non-negative values that do not fit `Int64` decode as ``uint(_:)``,
/// every other integer decodes as ``int(_:)``. Encoding always picks the smallest wire form for the
/// value, so the case used to build an integer never changes the bytes.
///
/// `bin` payloads are ``NIOCore/ByteBuffer`` slices of the decoded input: no bytes are copied.
/// Maps keep their wire order (``MessagePackPair`` list), as Python's `dict` does.
public enum MessagePackValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case float32(Float)
    case float64(Double)
    case string(String)
    case binary(ByteBuffer)
    case array([MessagePackValue])
    case map([MessagePackPair])
}

/// A key/value entry of a MessagePack map, in wire order.
public struct MessagePackPair: Sendable, Hashable {
    public var key: MessagePackValue
    public var value: MessagePackValue

    public init(_ key: MessagePackValue, _ value: MessagePackValue) {
        self.key = key
        self.value = value
    }
}

extension MessagePackValue {
    /// The name of this value's kind, for error messages ("int", "str", "bin", "map", ...).
    public var kindName: String {
        switch self {
        case .null: "nil"
        case .bool: "bool"
        case .int, .uint: "int"
        case .float32, .float64: "float"
        case .string: "str"
        case .binary: "bin"
        case .array: "array"
        case .map: "map"
        }
    }

    /// Looks a string key up in a map value (first match, linear: wire maps are small).
    /// Returns nil when this is not a map or the key is absent.
    public subscript(key: String) -> MessagePackValue? {
        guard case .map(let pairs) = self else { return nil }
        for pair in pairs {
            if case .string(let name) = pair.key, name == key { return pair.value }
        }
        return nil
    }

    /// The value as a signed 64-bit integer, when it is an integer that fits.
    public var int64Value: Int64? {
        switch self {
        case .int(let v): v
        case .uint(let v): v <= UInt64(Int64.max) ? Int64(v) : nil
        default: nil
        }
    }

    /// The value as an unsigned 64-bit integer, when it is a non-negative integer.
    public var uint64Value: UInt64? {
        switch self {
        case .int(let v): v >= 0 ? UInt64(v) : nil
        case .uint(let v): v
        default: nil
        }
    }

    /// The value as a `Double`: floats of either width, and integers (converted).
    public var doubleValue: Double? {
        switch self {
        case .float64(let v): v
        case .float32(let v): Double(v)
        case .int(let v): Double(v)
        case .uint(let v): Double(v)
        default: nil
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var binaryValue: ByteBuffer? {
        if case .binary(let b) = self { return b }
        return nil
    }

    public var arrayValue: [MessagePackValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var mapValue: [MessagePackPair]? {
        if case .map(let m) = self { return m }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension MessagePackValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .float64(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: MessagePackValue...) { self = .array(elements) }
}

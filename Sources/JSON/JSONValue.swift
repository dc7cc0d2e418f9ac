/// A parsed or built JSON document.
///
/// Objects keep their members in file order, duplicates included (LeRobot's camera order is the order of
/// `input_features` in `config.json`). Strings keep their Unicode scalars exactly: values and keys compare by their
/// UTF-8 bytes, never by canonical equivalence, so distinct tokenizer vocabulary entries stay distinct.
///
/// Numbers that are integers and fit `Int` are ``integer(_:)``; every other number is ``double(_:)``. Booleans are
/// never numbers.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])
}

extension JSONValue {
    /// The kind of value with its article, for error messages ("a boolean", "a number", "an object", ...).
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The value of a boolean; nil for anything else (numbers included).
    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The value of a string; nil for anything else.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The value of a number that is an integer (`2` or `2.0`) and fits `Int`; nil for anything else.
    public var int: Int? {
        switch self {
        case .integer(let i): i
        case .double(let d): Int(exactly: d)
        default: nil
        }
    }

    /// The value of any number; nil for anything else.
    public var double: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    /// The items of an array; nil for anything else.
    public var array: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// The members of an object, in order; nil for anything else.
    public var object: [(key: String, value: JSONValue)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// An object's members as Python's `dict` holds them: each key once, at its first place, with its last value;
    /// nil when this is not an object.
    public var uniqueMembers: [(key: String, value: JSONValue)]? {
        guard case .object(let members) = self else { return nil }
        var out: [(key: String, value: JSONValue)] = []
        var places: [[UInt8]: Int] = [:]
        for member in members {
            if let place = places[Array(member.key.utf8)] {
                out[place].value = member.value
            } else {
                places[Array(member.key.utf8)] = out.count
                out.append(member)
            }
        }
        return out
    }

    /// The member `key` of an object (the last one when the key repeats, as Python's `json` reads it); nil when this
    /// is not an object or has no such member. Linear: for the small objects of configuration files.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for member in members.reversed() where member.key.utf8.elementsEqual(key.utf8) { return member.value }
        return nil
    }

    /// Item `index` of an array; nil when this is not an array or the index is out of range.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    /// The items of an array of strings; nil when this is not an array or an item is not a string.
    public var strings: [String]? {
        guard case .array(let items) = self else { return nil }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard case .string(let s) = item else { return nil }
            out.append(s)
        }
        return out
    }

    /// The items of an array of integers (``int``); nil when this is not an array or an item is not an integer.
    public var ints: [Int]? {
        guard case .array(let items) = self else { return nil }
        var out: [Int] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let i = item.int else { return nil }
            out.append(i)
        }
        return out
    }

    /// An object's members as a dictionary (the last one wins when a key repeats); nil when this is not an object.
    public var dictionary: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        var out: [String: JSONValue] = [:]
        for member in members { out[member.key] = member.value }
        return out
    }
}

extension JSONValue: Equatable {
    /// Structural equality: same case, same items and members in the same order, strings equal byte for byte.
    /// `integer(1)` and `double(1)` differ.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count
                && zip(a, b).allSatisfy { $0.key.utf8.elementsEqual($1.key.utf8) && $0.value == $1.value }
        default: return false
        }
    }
}

extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Members in the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }
}

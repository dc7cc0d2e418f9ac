/// How ``JSONValue/serialized(_:)`` lays out its text. The default is compact, members in their order.
public struct JSONWriteOptions: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Object members sorted by key (by code point, as Python's `sort_keys`) instead of in their order.
    public static let sortedKeys = JSONWriteOptions(rawValue: 1 << 0)
    /// `", "` and `": "` between items, as Python's `json.dumps` writes by default; `","` and `":"` otherwise.
    public static let spaced = JSONWriteOptions(rawValue: 1 << 1)
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { serialized() }

    /// The value as one line of JSON text.
    ///
    /// Strings are escaped by ``jsonQuoted(_:)``. Doubles are written as Python's `json.dumps` writes floats
    /// (`30.0`, `0.1`, `1e-05`, `1e+16`: the shortest text that reads back the same value); a NaN or an infinity,
    /// which JSON cannot hold, is written as `null`.
    public func serialized(_ options: JSONWriteOptions = []) -> String {
        var out: [UInt8] = []
        write(to: &out, options)
        return String(decoding: out, as: UTF8.self)
    }

    private func write(to out: inout [UInt8], _ options: JSONWriteOptions) {
        switch self {
        case .null:
            out.append(contentsOf: "null".utf8)
        case .bool(let b):
            out.append(contentsOf: (b ? "true" : "false").utf8)
        case .integer(let i):
            out.append(contentsOf: String(i).utf8)
        case .double(let d):
            out.append(contentsOf: (d.isFinite ? d.description : "null").utf8)
        case .string(let s):
            appendQuoted(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { appendSeparator(options, to: &out) }
                item.write(to: &out, options)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            let ordered =
                options.contains(.sortedKeys)
                ? members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : members
            out.append(UInt8(ascii: "{"))
            for (i, member) in ordered.enumerated() {
                if i > 0 { appendSeparator(options, to: &out) }
                appendQuoted(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                if options.contains(.spaced) { out.append(UInt8(ascii: " ")) }
                member.value.write(to: &out, options)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private func appendSeparator(_ options: JSONWriteOptions, to out: inout [UInt8]) {
        out.append(UInt8(ascii: ","))
        if options.contains(.spaced) { out.append(UInt8(ascii: " ")) }
    }
}

/// `string` as a JSON string literal, quotes included: `"` and `\` escaped, `\b \f \n \r \t` for those controls,
/// `\u00XX` for the other control characters; every other character as it is (UTF-8, like Python's
/// `json.dumps(..., ensure_ascii=False)`).
public func jsonQuoted(_ string: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(string.utf8.count + 2)
    appendQuoted(string, to: &out)
    return String(decoding: out, as: UTF8.self)
}

private func appendQuoted(_ string: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    // Every byte that needs escaping is ASCII, so the UTF-8 bytes can be walked one by one.
    for byte in string.utf8 {
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
        case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
        case 0x08: out.append(contentsOf: #"\b"#.utf8)
        case 0x0C: out.append(contentsOf: #"\f"#.utf8)
        case 0x0A: out.append(contentsOf: #"\n"#.utf8)
        case 0x0D: out.append(contentsOf: #"\r"#.utf8)
        case 0x09: out.append(contentsOf: #"\t"#.utf8)
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            out.append(contentsOf: #"\u00"#.utf8)
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        default: out.append(byte)
        }
    }
    out.append(UInt8(ascii: "\""))
}

extension JSONValue {
    /// Nesting accepted by default: far deeper than any configuration file, shallow enough for the parser's
    /// recursion to stay well inside a thread's stack.
    public static let defaultMaxDepth = 128

    /// Parses one JSON document (RFC 8259) from UTF-8 bytes.
    ///
    /// Strict and bounded: arrays and objects nest at most `maxDepth` levels, strings must be valid UTF-8 without
    /// control characters, `\u` escapes must form valid scalars (surrogate pairs are joined, a lone surrogate is an
    /// error), numbers follow the JSON grammar, and only whitespace may follow the value.
    public init(parsing bytes: [UInt8], maxDepth: Int = JSONValue.defaultMaxDepth) throws(JSONError) {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else {
            throw parser.fail(.trailingContent, "unexpected content after the JSON value")
        }
        self = value
    }

    /// Parses one JSON document from text; see ``init(parsing:maxDepth:)-([UInt8],_)``.
    public init(parsing text: String, maxDepth: Int = JSONValue.defaultMaxDepth) throws(JSONError) {
        try self.init(parsing: Array(text.utf8), maxDepth: maxDepth)
    }
}

private struct JSONParser {
    let bytes: [UInt8]
    var index = 0
    let maxDepth: Int

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func fail(_ code: JSONError.Code, _ why: String) -> JSONError {
        let offset = min(index, bytes.count)
        var line = 1
        var column = 1
        for byte in bytes[..<offset] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return JSONError(code, why, offset: offset, line: line, column: column)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
        guard index < bytes.count else { throw fail(.truncated, "unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw fail(.depthExceeded, "nesting deeper than \(maxDepth) levels") }
            return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw fail(.depthExceeded, "nesting deeper than \(maxDepth) levels") }
            return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw fail(.invalidSyntax, "unexpected character")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let start = literal.utf8Start
        for i in 0..<literal.utf8CodeUnitCount {
            guard index < bytes.count else { throw fail(.truncated, "unexpected end of input") }
            guard bytes[index] == start[i] else { throw fail(.invalidSyntax, "invalid literal") }
            index += 1
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONError) -> JSONValue {
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw fail(.truncated, "unexpected end of input in an object") }
            guard bytes[index] == UInt8(ascii: "\"") else { throw fail(.invalidSyntax, "expected a member name") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count else { throw fail(.truncated, "unexpected end of input in an object") }
            guard bytes[index] == UInt8(ascii: ":") else { throw fail(.invalidSyntax, "expected ':'") }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            members.append((key, value))
            skipWhitespace()
            guard index < bytes.count else { throw fail(.truncated, "unexpected end of input in an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw fail(.invalidSyntax, "expected ',' or '}'") }
            index += 1
            return .object(members)
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONError) -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw fail(.truncated, "unexpected end of input in an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw fail(.invalidSyntax, "expected ',' or ']'") }
            index += 1
            return .array(items)
        }
    }

    private mutating func parseString() throws(JSONError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                guard let s = String(validating: bytes[start..<index], as: UTF8.self) else {
                    index = start
                    throw fail(.invalidString, "a string is not valid UTF-8")
                }
                index += 1
                return s
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw fail(.invalidString, "a control character in a string") }
            index += 1
        }
        var buffer = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard let s = String(validating: buffer, as: UTF8.self) else {
                    index = start
                    throw fail(.invalidString, "a string is not valid UTF-8")
                }
                index += 1
                return s
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw fail(.truncated, "unexpected end of input in a string") }
                let escape = bytes[index]
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(escape)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    index += 1
                    var code = try parseHex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else {
                            if index >= bytes.count || (bytes[index] == UInt8(ascii: "\\") && index + 1 >= bytes.count) {
                                throw fail(.truncated, "unexpected end of input in a string")
                            }
                            throw fail(.invalidString, "a lone leading surrogate in a \\u escape")
                        }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else {
                            index -= 6
                            throw fail(.invalidString, "an invalid surrogate pair in a \\u escape")
                        }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        index -= 6
                        throw fail(.invalidString, "a lone trailing surrogate in a \\u escape")
                    }
                    // Every value left is a scalar: below 0xD800, 0xE000...0xFFFF, or a joined pair.
                    guard let scalar = Unicode.Scalar(code) else { throw fail(.invalidString, "an invalid \\u escape") }
                    buffer.append(contentsOf: UTF8.encode(scalar)!)
                    continue
                default:
                    index -= 1
                    throw fail(.invalidString, "an invalid escape")
                }
                index += 1
            default:
                guard byte >= 0x20 else { throw fail(.invalidString, "a control character in a string") }
                buffer.append(byte)
                index += 1
            }
        }
        throw fail(.truncated, "unexpected end of input in a string")
    }

    /// Four hex digits after `\u`; leaves `index` after them.
    private mutating func parseHex4() throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw fail(.truncated, "unexpected end of input in a \\u escape") }
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail(.invalidString, "an invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func digits() -> Int {
        var count = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            index += 1
            count += 1
        }
        return count
    }

    private mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < bytes.count else { throw fail(.truncated, "unexpected end of input in a number") }
        let integerStart = index
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            throw fail(.invalidSyntax, "an invalid number")
        }
        let integerEnd = index
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            isInteger = false
            guard index < bytes.count else { throw fail(.truncated, "unexpected end of input in a number") }
            guard digits() > 0 else { throw fail(.invalidSyntax, "an invalid number") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            isInteger = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count else { throw fail(.truncated, "unexpected end of input in a number") }
            guard digits() > 0 else { throw fail(.invalidSyntax, "an invalid number") }
        }
        // Up to 18 digits always fit an Int; longer integers go through the text.
        if isInteger, integerEnd - integerStart <= 18 {
            var value = 0
            for byte in bytes[integerStart..<integerEnd] { value = value * 10 + Int(byte - UInt8(ascii: "0")) }
            return .integer(negative ? -value : value)
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let value = Int(text) { return .integer(value) }
        guard let value = Double(text), value.isFinite else {
            index = start
            throw fail(.invalidSyntax, "a number out of the range of a double")
        }
        return .double(value)
    }
}

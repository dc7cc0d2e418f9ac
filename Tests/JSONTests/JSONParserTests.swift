import JSON
import Testing

@Suite("JSON parsing: order, kinds, escapes, numbers, bounds")
struct JSONParserTests {
    @Test("Objects keep their members in file order, duplicates included; the last duplicate is the one read")
    func order() throws {
        let value = try JSONValue(parsing: #"{"zeta": 1, "alpha": {"b": 2, "a": 3}, "mid": [], "alpha": 4}"#)
        #expect(value.object?.map(\.key) == ["zeta", "alpha", "mid", "alpha"])
        #expect(value["alpha"] == 4)
        #expect(value.object?[1].value.object?.map(\.key) == ["b", "a"])
        #expect(value.dictionary?["alpha"] == 4 && value.dictionary?.count == 3)
        // As Python's dict: first place, last value.
        #expect(value.uniqueMembers?.map(\.key) == ["zeta", "alpha", "mid"] && value.uniqueMembers?[1].value == 4)
        #expect(JSONValue.array([]).uniqueMembers == nil)
    }

    @Test("Nesting: arrays in objects in arrays, with whitespace everywhere JSON allows it")
    func nesting() throws {
        let value = try JSONValue(parsing: " \n\t{ \"a\" : [ 1 , { \"b\" : [ [ ] , { } , null ] } ] }\r\n ")
        #expect(value == ["a": [1, ["b": [[], [:], .null]]]])
        #expect(value["a"]?[1]?["b"]?[2]?.isNull == true)
        #expect(value["a"]?[5] == nil && value["missing"] == nil && value[0] == nil)
    }

    @Test("Booleans are never numbers, and numbers never booleans")
    func booleans() throws {
        let value = try JSONValue(parsing: "[true, false, 1, 0, 1.0]")
        let items = try #require(value.array)
        #expect(items[0].bool == true && items[0].int == nil && items[0].double == nil)
        #expect(items[1].bool == false && items[1].int == nil)
        #expect(items[2].bool == nil && items[2].int == 1 && items[2] == .integer(1))
        #expect(items[3].bool == nil && items[3].int == 0)
        #expect(items[4] == .double(1) && items[4].int == 1 && items[4].bool == nil)
        #expect(items.map(\.kindName) == ["a boolean", "a boolean", "a number", "a number", "a number"])
    }

    @Test(
        "Numbers: exact integers where they fit Int, doubles otherwise",
        arguments: [
            ("0", .integer(0)), ("-0", .integer(0)), ("42", .integer(42)), ("-17", .integer(-17)),
            ("999999999999999999", .integer(999_999_999_999_999_999)),
            ("9223372036854775807", .integer(Int.max)), ("-9223372036854775808", .integer(Int.min)),
            ("9223372036854775808", .double(9_223_372_036_854_775_808)),
            ("18446744073709551615", .double(18_446_744_073_709_551_616)),
            ("100000000000000000000000", .double(1e23)),
            ("0.5", .double(0.5)), ("-2.5e-3", .double(-0.0025)), ("1E2", .double(100)), ("1e+2", .double(100)),
            ("4.0", .double(4)), ("1.7976931348623157e308", .double(.greatestFiniteMagnitude)),
        ] as [(String, JSONValue)])
    func numbers(text: String, expected: JSONValue) throws {
        #expect(try JSONValue(parsing: text) == expected)
    }

    @Test("Integer and double accessors")
    func accessors() throws {
        #expect(JSONValue.double(3).int == 3 && JSONValue.double(3.5).int == nil && JSONValue.double(1e300).int == nil)
        #expect(JSONValue.integer(7).double == 7 && JSONValue.string("7").int == nil)
        #expect(JSONValue.array(["a", "b"]).strings == ["a", "b"] && JSONValue.array(["a", 1]).strings == nil)
        #expect(JSONValue.array([1, 2.0]).ints == [1, 2] && JSONValue.array([1, 2.5]).ints == nil)
        #expect(JSONValue.string("x").array == nil && JSONValue.array([]).object == nil)
    }

    @Test("Escapes: the short forms, \\u escapes, surrogate pairs joined, the solidus")
    func escapes() throws {
        let value = try JSONValue(parsing: #"["\"\\\/\b\f\n\r\t", "\u00e9\u4e2D", "\ud83d\ude00", "a\u0000b", "é😀"]"#)
        #expect(value == ["\"\\/\u{8}\u{c}\n\r\t", "é中", "😀", "a\u{0}b", "é😀"])
    }

    @Test("Strings keep their scalars: composed and decomposed forms stay distinct")
    func exactScalars() throws {
        let value = try JSONValue(parsing: #"{"\u00e9": 1, "e\u0301": 2}"#)
        #expect(value["\u{e9}"] == 1 && value["e\u{301}"] == 2)
        #expect(JSONValue.string("\u{e9}") != JSONValue.string("e\u{301}"))
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        var text: String
        var code: JSONError.Code
        var offset: Int
        var mentions: String
        var testDescription: String { text.debugDescription }
    }

    static let malformed: [Malformed] = [
        Malformed(text: "", code: .truncated, offset: 0, mentions: "end of input"),
        Malformed(text: "   ", code: .truncated, offset: 3, mentions: "end of input"),
        Malformed(text: "{", code: .truncated, offset: 1, mentions: "end of input in an object"),
        Malformed(text: #"{"a""#, code: .truncated, offset: 4, mentions: "end of input in an object"),
        Malformed(text: #"{"a":"#, code: .truncated, offset: 5, mentions: "end of input"),
        Malformed(text: #"{"a":1"#, code: .truncated, offset: 6, mentions: "end of input in an object"),
        Malformed(text: "[1, 2", code: .truncated, offset: 5, mentions: "end of input in an array"),
        Malformed(text: #""abc"#, code: .truncated, offset: 4, mentions: "end of input in a string"),
        Malformed(text: #""a\"#, code: .truncated, offset: 3, mentions: "end of input in a string"),
        Malformed(text: #""\u12"#, code: .truncated, offset: 5, mentions: "\\u escape"),
        Malformed(text: "tru", code: .truncated, offset: 3, mentions: "end of input"),
        Malformed(text: "-", code: .truncated, offset: 1, mentions: "number"),
        Malformed(text: "1.", code: .truncated, offset: 2, mentions: "number"),
        Malformed(text: "1e", code: .truncated, offset: 2, mentions: "number"),
        Malformed(text: "nul", code: .truncated, offset: 3, mentions: "end of input"),
        Malformed(text: "{} x", code: .trailingContent, offset: 3, mentions: "after the JSON value"),
        Malformed(text: "[1] [2]", code: .trailingContent, offset: 4, mentions: "after the JSON value"),
        Malformed(text: "01", code: .trailingContent, offset: 1, mentions: "after the JSON value"),
        Malformed(text: "[1,]", code: .invalidSyntax, offset: 3, mentions: "unexpected character"),
        Malformed(text: #"{"a": 1,}"#, code: .invalidSyntax, offset: 8, mentions: "member name"),
        Malformed(text: #"{"a" 1}"#, code: .invalidSyntax, offset: 5, mentions: "':'"),
        Malformed(text: #"{"a": 1 "b": 2}"#, code: .invalidSyntax, offset: 8, mentions: "',' or '}'"),
        Malformed(text: "[1 2]", code: .invalidSyntax, offset: 3, mentions: "',' or ']'"),
        Malformed(text: "{a: 1}", code: .invalidSyntax, offset: 1, mentions: "member name"),
        Malformed(text: "[true, flase]", code: .invalidSyntax, offset: 8, mentions: "literal"),
        Malformed(text: "NaN", code: .invalidSyntax, offset: 0, mentions: "unexpected character"),
        Malformed(text: "-x", code: .invalidSyntax, offset: 1, mentions: "number"),
        Malformed(text: "1.e5", code: .invalidSyntax, offset: 2, mentions: "number"),
        Malformed(text: "1e400", code: .invalidSyntax, offset: 0, mentions: "range"),
        Malformed(text: "'a'", code: .invalidSyntax, offset: 0, mentions: "unexpected character"),
        Malformed(text: #"["\x"]"#, code: .invalidString, offset: 2, mentions: "invalid escape"),
        Malformed(text: #"["\u12G4"]"#, code: .invalidString, offset: 6, mentions: "\\u escape"),
        Malformed(text: #"["\ud800"]"#, code: .invalidString, offset: 8, mentions: "lone leading surrogate"),
        Malformed(text: #""\ud800""#, code: .invalidString, offset: 7, mentions: "lone leading surrogate"),
        Malformed(text: #"["\ud800\u0041"]"#, code: .invalidString, offset: 8, mentions: "surrogate pair"),
        Malformed(text: #"["\udc00"]"#, code: .invalidString, offset: 2, mentions: "lone trailing surrogate"),
        Malformed(text: "[\"a\tb\"]", code: .invalidString, offset: 3, mentions: "control character"),
        Malformed(text: "[\"a\nb\"]", code: .invalidString, offset: 3, mentions: "control character"),
    ]

    @Test("Truncated and invalid texts are errors with the code, the byte offset and the reason", arguments: malformed)
    func errors(_ entry: Malformed) {
        #expect {
            try JSONValue(parsing: entry.text)
        } throws: { error in
            guard let error = error as? JSONError else { return false }
            return error.code == entry.code && error.offset == entry.offset && error.message.contains(entry.mentions)
                && error.description.contains("(byte \(entry.offset))")
        }
    }

    @Test("Bytes that are not UTF-8 inside a string are refused")
    func invalidUTF8() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0x5C, 0x6E, 0xED, 0xA0, 0x80, 0x22]] {
            #expect(throws: JSONError.self) { try JSONValue(parsing: bytes) }
        }
    }

    @Test("The error names the line and column")
    func lineAndColumn() {
        let error = #expect(throws: JSONError.self) { try JSONValue(parsing: "{\n  \"é\": [1,\n   2,,]}") }
        #expect(error?.line == 3 && error?.column == 6 && error?.offset == 19)
        #expect(error?.description == "unexpected character at line 3, column 6 (byte 19)")
    }

    @Test("Nesting is bounded: a depth bomb is refused, not a stack overflow")
    func depth() throws {
        let bomb = String(repeating: "[", count: 1_000_000)
        let error = #expect(throws: JSONError.self) { try JSONValue(parsing: bomb) }
        #expect(error?.code == .depthExceeded && error?.offset == JSONValue.defaultMaxDepth)
        let objects = String(repeating: #"{"a":"#, count: 200) + "1" + String(repeating: "}", count: 200)
        #expect(throws: JSONError.self) { try JSONValue(parsing: objects) }
        // Exactly at the limit is fine.
        let deep = String(repeating: "[", count: 8) + String(repeating: "]", count: 8)
        #expect(try JSONValue(parsing: deep, maxDepth: 8).array?.count == 1)
        #expect(throws: JSONError.self) { try JSONValue(parsing: "[" + deep + "]", maxDepth: 8) }
    }

    @Test("Every prefix of a document is an error, never a trap")
    func truncations() throws {
        let text =
            #"{"type": "act", "input_features": {"observation.images.front": {"type": "VISUAL", "shape": [3, 96, 96]}}, "x": [true, false, null, -1.5e-3, "\u00e9\ud83d\ude00\n"]}"#
        let bytes = Array(text.utf8)
        _ = try JSONValue(parsing: bytes)
        for length in 0..<bytes.count {
            #expect(throws: JSONError.self) { try JSONValue(parsing: Array(bytes[..<length])) }
        }
    }
}

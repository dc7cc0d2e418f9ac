import JSON
import Testing

@Suite("JSON writing, the string escaper and Python's repr")
struct JSONWriterTests {
    static let document: JSONValue = [
        "type": "act", "n": 3, "half": 0.5, "whole": 30.0, "tiny": 1e-5, "huge": 1e16, "flag": true, "none": .null,
        "list": [1, "two", [], [:]], "nested": ["b": 2, "a": ["x/y": "é😀"]],
    ]

    @Test("Compact text keeps member order; doubles are written as Python writes floats")
    func compact() {
        #expect(
            Self.document.serialized()
                == #"{"type":"act","n":3,"half":0.5,"whole":30.0,"tiny":1e-05,"huge":1e+16,"flag":true,"none":null,"list":[1,"two",[],{}],"nested":{"b":2,"a":{"x/y":"é😀"}}}"#
        )
        #expect(Self.document.description == Self.document.serialized())
    }

    @Test("Sorted keys and Python's default spacing")
    func options() {
        let value: JSONValue = ["b": [1, 2], "a": ["d": 1, "c": 2], "B": .null]
        #expect(value.serialized(.sortedKeys) == #"{"B":null,"a":{"c":2,"d":1},"b":[1,2]}"#)
        #expect(value.serialized(.spaced) == #"{"b": [1, 2], "a": {"d": 1, "c": 2}, "B": null}"#)
        #expect(value.serialized([.sortedKeys, .spaced]) == #"{"B": null, "a": {"c": 2, "d": 1}, "b": [1, 2]}"#)
    }

    @Test("NaN and infinities, which JSON cannot hold, are written as null")
    func nonFinite() {
        #expect(
            JSONValue.array([.double(.nan), .double(.infinity), .double(-.infinity), .double(-0.0)]).serialized()
                == "[null,null,null,-0.0]")
    }

    @Test("Round trip: parse(serialize(v)) == v, and serialize(parse(t)) == t for compact text")
    func roundTrip() throws {
        for options: JSONWriteOptions in [[], .spaced] {
            #expect(try JSONValue(parsing: Self.document.serialized(options)) == Self.document)
        }
        let strings: JSONValue = ["\"\\/\u{8}\u{c}\n\r\t", "\u{0}\u{1f}\u{7f}", "\u{e9}", "e\u{301}", "\u{2028}😀", ""]
        #expect(try JSONValue(parsing: strings.serialized()) == strings)
        let doubles: JSONValue = [
            0.1, 0.30000000000000004, 1.7976931348623157e308, .double(.leastNonzeroMagnitude), -2.5e-300, 123456789.123,
        ]
        #expect(try JSONValue(parsing: doubles.serialized()) == doubles)
        let text = #"{"a":[1,-2,3.5,true,false,null,"x"],"b":{"c":{}},"d":9223372036854775807}"#
        #expect(try JSONValue(parsing: text).serialized() == text)
    }

    @Test(
        "The escaper: quotes, backslash, the short control forms, \\u00XX for the rest; other text as it is",
        arguments: [
            ("plain", #""plain""#), ("say \"hi\"", #""say \"hi\"""#), (#"C:\dir"#, #""C:\\dir""#),
            ("a/b", #""a/b""#), ("\u{8}\u{c}\n\r\t", #""\b\f\n\r\t""#), ("\u{0}\u{1}\u{1f}", #""\u0000\u0001\u001f""#),
            ("\u{7f}é中😀\u{2028}", "\"\u{7f}é中😀\u{2028}\""), ("", #""""#),
        ] as [(String, String)])
    func escaper(input: String, expected: String) throws {
        #expect(jsonQuoted(input) == expected)
        #expect(JSONValue.string(input).serialized() == expected)
        #expect(try JSONValue(parsing: expected) == .string(input))
    }

    @Test(
        "Python's repr of a string, as LeRobot's messages print it",
        arguments: [
            ("front", "'front'"), ("", "''"), ("it's", #""it's""#), (#"say "hi""#, #"'say "hi"'"#),
            (#"it's "both""#, #"'it\'s "both"'"#), (#"back\slash"#, #"'back\\slash'"#), ("a\tb\nc\rd", #"'a\tb\nc\rd'"#),
            ("\u{0}\u{1b}\u{7f}", #"'\x00\x1b\x7f'"#), ("é中😀", "'é中😀'"), ("\u{85}\u{a0}\u{ad}", #"'\x85\xa0\xad'"#),
            ("\u{200b}\u{2028}", #"'\u200b\u2028'"#), ("\u{e000}\u{f0000}", #"'\ue000\U000f0000'"#),
        ] as [(String, String)])
    func pythonString(input: String, expected: String) {
        #expect(pythonRepr(input) == expected)
        #expect(JSONValue.string(input).pythonRepr == expected)
    }

    @Test("Python's repr of lists, floats and parsed values")
    func pythonValues() throws {
        #expect(pythonRepr(["observation.images.front", "wrist"]) == "['observation.images.front', 'wrist']")
        #expect(pythonRepr([String]()) == "[]")
        #expect(pythonRepr(30) == "30.0" && pythonRepr(29.97) == "29.97" && pythonRepr(1e-5) == "1e-05")
        #expect(pythonRepr(1e16) == "1e+16" && pythonRepr(.infinity) == "inf" && pythonRepr(.nan) == "nan")
        let value = try JSONValue(parsing: #"{"a": [1, 2.5, true, false, null], "it's": {"k": "v"}}"#)
        #expect(value.pythonRepr == #"{'a': [1, 2.5, True, False, None], "it's": {'k': 'v'}}"#)
    }
}

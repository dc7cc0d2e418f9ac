/// A value of the inline maps LeRobot's flags take (`--robot.cameras="{ front: {type: opencv, width: 640}}"`,
/// `--rename_map='{"a": "b"}'`): YAML/JSON flow mappings of scalars and nested mappings, nothing more.
public enum FlowValue: Sendable, Hashable {
    case scalar(String)
    case map([FlowEntry])

    /// The entries of a mapping; nil for a scalar.
    public var entries: [FlowEntry]? {
        if case .map(let entries) = self { return entries }
        return nil
    }

    public var scalar: String? {
        if case .scalar(let text) = self { return text }
        return nil
    }

    public subscript(key: String) -> FlowValue? {
        entries?.first { $0.key == key }?.value
    }
}

public struct FlowEntry: Sendable, Hashable {
    public var key: String
    public var value: FlowValue
}

/// Parses one flow mapping. Errors name `flag` and the offending position.
public struct FlowMapParser {
    private let characters: [Character]
    private var index = 0
    private let flag: String

    public static func parse(_ text: String, flag: String) throws(RolloutError) -> FlowValue {
        var parser = FlowMapParser(characters: Array(text), flag: flag)
        parser.skipSpaces()
        if parser.index == parser.characters.count { return .map([]) }
        let value = try parser.parseMap()
        parser.skipSpaces()
        guard parser.index == parser.characters.count else { throw parser.failure("unexpected text after the closing '}'") }
        return value
    }

    private init(characters: [Character], flag: String) {
        self.characters = characters
        self.flag = flag
    }

    private mutating func parseMap() throws(RolloutError) -> FlowValue {
        try expect("{")
        var entries: [FlowEntry] = []
        skipSpaces()
        if peek == "}" {
            index += 1
            return .map(entries)
        }
        while true {
            skipSpaces()
            let key = try parseScalar(stoppingAt: [":"])
            guard !key.isEmpty else { throw failure("a key is empty") }
            try expect(":")
            skipSpaces()
            let value: FlowValue = peek == "{" ? try parseMap() : .scalar(try parseScalar(stoppingAt: [",", "}"]))
            entries.append(FlowEntry(key: key, value: value))
            skipSpaces()
            if peek == "," {
                index += 1
                continue
            }
            try expect("}")
            return .map(entries)
        }
    }

    private mutating func parseScalar(stoppingAt stops: Set<Character>) throws(RolloutError) -> String {
        skipSpaces()
        if let quote = peek, quote == "\"" || quote == "'" {
            index += 1
            var text = ""
            while let c = peek, c != quote {
                text.append(c)
                index += 1
            }
            try expect(quote)
            return text
        }
        var text = ""
        while let c = peek, !stops.contains(c), c != "{" {
            text.append(c)
            index += 1
        }
        return text.trimmingSpaces()
    }

    private var peek: Character? { index < characters.count ? characters[index] : nil }

    private mutating func skipSpaces() {
        while let c = peek, c == " " || c == "\t" || c == "\n" { index += 1 }
    }

    private mutating func expect(_ c: Character) throws(RolloutError) {
        skipSpaces()
        guard peek == c else { throw failure("expected '\(c)'") }
        index += 1
    }

    private func failure(_ what: String) -> RolloutError {
        RolloutError(.invalidOption, "--\(flag): \(what) at character \(index + 1) of '\(String(characters))'")
    }
}

extension String {
    func trimmingSpaces() -> String {
        String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

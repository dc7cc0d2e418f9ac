/// The syntax tree of a pattern.
indirect enum RegexNode {
    case empty
    case single(ScalarMatcher)
    case concatenation([RegexNode])
    case alternation([RegexNode])
    case repetition(RegexNode, min: Int, max: Int?, greedy: Bool)
    case assertion(Assertion)
    case lookahead(RegexNode, negated: Bool)

    /// Whether the node can match without consuming anything.
    var isNullable: Bool {
        switch self {
        case .empty, .assertion, .lookahead: true
        case .single: false
        case .concatenation(let nodes): nodes.allSatisfy(\.isNullable)
        case .alternation(let nodes): nodes.contains(where: \.isNullable)
        case .repetition(let node, let min, _, _): min == 0 || node.isNullable
        }
    }
}

/// Recursive descent over the pattern's scalars (Oniguruma Ruby syntax, the subset documented on ``SplitRegex``).
struct RegexParser {
    private let pattern: [Unicode.Scalar]
    private let source: String
    private var index = 0
    private var caseInsensitive = false
    private var depth = 0
    static let maxRepeat = 1_000
    static let maxDepth = 64

    init(pattern: [Unicode.Scalar], source: String) {
        self.pattern = pattern
        self.source = source
    }

    private func unsupported(_ what: String) -> TokenizerError {
        TokenizerError(.unsupportedComponent, "regex \(quoted(source)): \(what) is not supported")
    }

    private func invalid(_ what: String) -> TokenizerError {
        TokenizerError(.invalidFile, "regex \(quoted(source)): \(what) at offset \(index)")
    }

    private var atEnd: Bool { index >= pattern.count }
    private var current: Unicode.Scalar? { index < pattern.count ? pattern[index] : nil }

    mutating func parse() throws(TokenizerError) -> RegexNode {
        let node = try parseAlternation()
        guard atEnd else { throw invalid("unbalanced ')'") }
        return node
    }

    private mutating func parseAlternation() throws(TokenizerError) -> RegexNode {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw invalid("nesting too deep") }
        var branches: [RegexNode] = []
        let savedFlag = caseInsensitive
        while true {
            branches.append(try parseConcatenation())
            if current == "|" {
                index += 1
                continue
            }
            break
        }
        caseInsensitive = savedFlag
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseConcatenation() throws(TokenizerError) -> RegexNode {
        var items: [RegexNode] = []
        while let c = current, c != "|", c != ")" {
            if c == "(", index + 2 < pattern.count, pattern[index + 1] == "?",
                pattern[index + 2] == "i" || pattern[index + 2] == "-"
            {
                // Inline flags: (?i) for the rest of the group, or (?i:…) / (?-i:…) scoped.
                if let node = try parseFlagGroup() {
                    items.append(try parseQuantifier(node))
                }
                continue
            }
            let atom = try parseAtom()
            items.append(try parseQuantifier(atom))
        }
        if items.isEmpty { return .empty }
        return items.count == 1 ? items[0] : .concatenation(items)
    }

    /// `(?i)`, `(?-i)` (returns nil: the flag applies to the rest of the enclosing group), `(?i:…)`, `(?-i:…)`.
    private mutating func parseFlagGroup() throws(TokenizerError) -> RegexNode? {
        index += 2
        var on = true
        if current == "-" {
            on = false
            index += 1
        }
        guard current == "i" else { throw unsupported("the inline option group at offset \(index)") }
        index += 1
        if current == ")" {
            index += 1
            caseInsensitive = on
            return nil
        }
        guard current == ":" else { throw unsupported("the inline option group at offset \(index)") }
        index += 1
        let saved = caseInsensitive
        caseInsensitive = on
        let body = try parseAlternation()
        caseInsensitive = saved
        guard current == ")" else { throw invalid("missing ')'") }
        index += 1
        return body
    }

    private mutating func parseAtom() throws(TokenizerError) -> RegexNode {
        guard let c = current else { throw invalid("unexpected end") }
        switch c {
        case "(":
            index += 1
            var lookahead: Bool? = nil
            if current == "?" {
                index += 1
                switch current {
                case ":": index += 1
                case "=": index += 1; lookahead = false
                case "!": index += 1; lookahead = true
                case "<": throw unsupported("lookbehind or a named group")
                case ">": throw unsupported("an atomic group")
                default: throw unsupported("the group syntax '(?\(current.map(String.init) ?? "")'")
                }
            }
            let body = try parseAlternation()
            guard current == ")" else { throw invalid("missing ')'") }
            index += 1
            if let negated = lookahead { return .lookahead(body, negated: negated) }
            return body
        case ")":
            throw invalid("unbalanced ')'")
        case "[":
            return .single(.set(try parseClass()))
        case ".":
            index += 1
            return .single(.notNewline)
        case "^":
            index += 1
            return .assertion(.lineStart)
        case "$":
            index += 1
            return .assertion(.lineEnd)
        case "\\":
            return try parseEscape()
        case "*", "+", "?":
            throw invalid("a quantifier with nothing to repeat")
        default:
            index += 1
            return literal(c)
        }
    }

    private func literal(_ c: Unicode.Scalar) -> RegexNode {
        if caseInsensitive && CaseFolding.variants(of: c).count > 1 { return .single(.folded(CaseFolding.fold(c))) }
        return .single(.scalar(c))
    }

    private mutating func parseEscape() throws(TokenizerError) -> RegexNode {
        index += 1
        guard let c = current else { throw invalid("a trailing backslash") }
        switch c {
        case "A": index += 1; return .assertion(.textStart)
        case "z": index += 1; return .assertion(.textEnd)
        case "Z": index += 1; return .assertion(.textEndOrFinalNewline)
        case "b": index += 1; return .assertion(.wordBoundary)
        case "B": index += 1; return .assertion(.notWordBoundary)
        default: break
        }
        if let item = try parseClassEscape(inClass: false) {
            var set = ScalarSet(items: [item])
            set.caseInsensitive = caseInsensitive
            return .single(.set(set))
        }
        let scalar = try parseLiteralEscape()
        return literal(scalar)
    }

    /// `\s \S \d \D \w \W \p{…} \P{…}` at `index` (just after the backslash), or nil.
    private mutating func parseClassEscape(inClass: Bool) throws(TokenizerError) -> ScalarSet.Item? {
        guard let c = current else { return nil }
        switch c {
        case "s": index += 1; return .whitespace
        case "S": index += 1; return .notWhitespace
        case "d": index += 1; return .digit
        case "D": index += 1; return .notDigit
        case "w": index += 1; return .word(outsideClass: !inClass)
        case "W": index += 1; return .notWord(outsideClass: !inClass)
        case "p", "P":
            index += 1
            var negated = c == "P"
            guard current == "{" else { throw unsupported("\\\(c) without braces") }
            index += 1
            if current == "^" {
                negated.toggle()
                index += 1
            }
            var name = ""
            while let n = current, n != "}" {
                name.unicodeScalars.append(n)
                index += 1
            }
            guard current == "}" else { throw invalid("an unterminated \\p{") }
            index += 1
            guard let mask = GeneralCategoryMask.named(name) else {
                throw unsupported("the property \\p{\(name)} (general categories only)")
            }
            return negated ? .notCategories(mask) : .categories(mask)
        case "h", "H": throw unsupported("\\\(c)")
        default: return nil
        }
    }

    /// A literal escape at `index` (just after the backslash).
    private mutating func parseLiteralEscape() throws(TokenizerError) -> Unicode.Scalar {
        guard let c = current else { throw invalid("a trailing backslash") }
        index += 1
        switch c {
        case "t": return "\t"
        case "n": return "\n"
        case "r": return "\r"
        case "f": return "\u{0C}"
        case "v": return "\u{0B}"
        case "a": return "\u{07}"
        case "e": return "\u{1B}"
        case "x":
            if current == "{" {
                index += 1
                let value = try hexDigits(max: 8, until: "}")
                guard current == "}" else { throw invalid("an unterminated \\x{") }
                index += 1
                guard let scalar = Unicode.Scalar(value) else { throw invalid("an invalid \\x{…} scalar") }
                return scalar
            }
            let value = try hexDigits(max: 2, until: nil)
            return Unicode.Scalar(UInt8(value))
        case "u":
            let value = try hexDigits(exactly: 4)
            guard let scalar = Unicode.Scalar(value) else { throw invalid("an invalid \\u scalar") }
            return scalar
        default:
            if c.properties.isAlphabetic || UnicodeClasses.isNumber(c) {
                throw unsupported("the escape \\\(c)")
            }
            return c
        }
    }

    private mutating func hexDigits(max: Int, until terminator: Unicode.Scalar?) throws(TokenizerError) -> UInt32 {
        var value: UInt32 = 0
        var count = 0
        while count < max, let c = current, c != terminator, let digit = UInt32(String(c), radix: 16) {
            value = value << 4 | digit
            count += 1
            index += 1
        }
        guard count > 0 else { throw invalid("a hexadecimal escape without digits") }
        return value
    }

    private mutating func hexDigits(exactly count: Int) throws(TokenizerError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<count {
            guard let c = current, let digit = UInt32(String(c), radix: 16) else {
                throw invalid("a \\u escape needs 4 hexadecimal digits")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func parseClass() throws(TokenizerError) -> ScalarSet {
        index += 1
        var set = ScalarSet()
        set.caseInsensitive = caseInsensitive
        if current == "^" {
            set.negated = true
            index += 1
        }
        var first = true
        while true {
            guard let c = current else { throw invalid("an unterminated class") }
            if c == "]" && !first {
                index += 1
                return set
            }
            first = false
            if c == "[" { throw unsupported("a nested class") }
            if c == "&", index + 1 < pattern.count, pattern[index + 1] == "&" { throw unsupported("class intersection") }
            let low: Unicode.Scalar
            if c == "\\" {
                index += 1
                if let item = try parseClassEscape(inClass: true) {
                    set.items.append(item)
                    continue
                }
                low = try parseLiteralEscape()
            } else {
                index += 1
                low = c
            }
            // A range `a-z` (a '-' before ']' is literal).
            if current == "-", index + 1 < pattern.count, pattern[index + 1] != "]" {
                index += 1
                let high: Unicode.Scalar
                if current == "\\" {
                    index += 1
                    if try parseClassEscape(inClass: true) != nil { throw unsupported("a range ending in a class escape") }
                    high = try parseLiteralEscape()
                } else {
                    guard let h = current else { throw invalid("an unterminated class") }
                    index += 1
                    high = h
                }
                guard low.value <= high.value else { throw invalid("an empty range") }
                set.items.append(.range(low.value, high.value))
            } else {
                set.items.append(.range(low.value, low.value))
            }
        }
    }

    private mutating func parseQuantifier(_ atom: RegexNode) throws(TokenizerError) -> RegexNode {
        var node = atom
        while let c = current {
            var min = 0
            var max: Int? = nil
            switch c {
            case "*": index += 1
            case "+": index += 1; min = 1
            case "?": index += 1; max = 1
            case "{":
                guard let (lo, hi) = parseBraces() else { return node }
                min = lo
                max = hi
            default: return node
            }
            var greedy = true
            if current == "?" {
                index += 1
                greedy = false
            } else if current == "+" {
                throw unsupported("a possessive quantifier")
            }
            if case .assertion = node { throw invalid("a quantifier on an anchor") }
            guard min <= Self.maxRepeat, (max ?? 0) <= Self.maxRepeat else {
                throw unsupported("a repetition count over \(Self.maxRepeat)")
            }
            if let max, max < min { throw invalid("a repetition {\(min),\(max)}") }
            node = .repetition(node, min: min, max: max, greedy: greedy)
        }
        return node
    }

    /// `{n}`, `{n,}`, `{n,m}`, `{,m}`; nil (and `index` unchanged) when the brace is a literal.
    private mutating func parseBraces() -> (Int, Int?)? {
        let start = index
        index += 1
        func number(_ parser: inout RegexParser) -> Int? {
            var digits = ""
            while let c = parser.current, ("0"..."9").contains(c), digits.count < 6 {
                digits.unicodeScalars.append(c)
                parser.index += 1
            }
            return Int(digits)
        }
        let low = number(&self)
        var high: Int?
        if current == "," {
            index += 1
            high = number(&self)
            guard low != nil || high != nil else {
                index = start
                return nil
            }
        } else {
            high = low
        }
        guard current == "}", low != nil || high != nil else {
            index = start
            return nil
        }
        index += 1
        return (low ?? 0, high)
    }
}

func quoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

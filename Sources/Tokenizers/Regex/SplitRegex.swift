/// The regular expressions of `tokenizer.json` (`Split` pre-tokenizers, `Replace` normalizers), matched the way the
/// Rust library's engine (Oniguruma, Ruby syntax) matches them: a backtracking matcher on Unicode scalars, leftmost
/// match, first alternative that succeeds, greedy quantifiers, atomic lookaheads.
///
/// Supported, which covers the GPT-2, Llama-3, Qwen and SmolLM split patterns:
/// - literals and escapes `\t \n \r \f \v \a \e \xHH \x{H…} \uHHHH` and escaped punctuation;
/// - `.` (any scalar but `\n`), classes `[…]` / `[^…]` with ranges, `\s \S \d \D \w \W`, `\p{…}` / `\P{…}` /
///   `\p{^…}` for general categories (`L`, `Lu`, `N`, `Nd`, `P`, `S`, `M`, `Z`, `C`, … and their long names);
///   `\s` is `White_Space`, `\d` is `Nd`, `\w` is `L|M|N|Pc` (Oniguruma's Unicode definitions);
/// - groups `(…)`, `(?:…)`, `(?i:…)`, `(?-i:…)`, inline `(?i)`; lookaheads `(?=…)`, `(?!…)`;
/// - quantifiers `* + ? {n} {n,} {n,m} {,m}` and their lazy forms;
/// - anchors `^ $` (line anchors, as in Ruby syntax), `\A \z \Z \b \B`.
///
/// Not supported (a load error naming the pattern): lookbehind, possessive quantifiers, atomic groups,
/// backreferences, named groups, script properties (`\p{Han}`), class set operations (`&&`, nested classes),
/// `\h`, and an unbounded repetition of a group that can match the empty string.
/// Case-insensitive matching compares a scalar with its simple lower- and uppercase forms.
struct SplitRegex: Sendable {
    let pattern: String
    let programs: [[Instruction]]
    let matchers: [ScalarMatcher]

    init(_ pattern: String) throws(TokenizerError) {
        self.pattern = pattern
        var parser = RegexParser(pattern: Array(pattern.unicodeScalars), source: pattern)
        let node = try parser.parse()
        var compiler = RegexCompiler(pattern: pattern)
        compiler.compileMain(node)
        try compiler.check()
        programs = compiler.programs
        matchers = compiler.matchers
    }
}

/// What one position of the text must be.
enum ScalarMatcher: Sendable {
    case scalar(Unicode.Scalar)
    /// Case-insensitive: any of these.
    case anyOf([Unicode.Scalar])
    case set(ScalarSet)
    /// `.`: anything but a line feed.
    case notNewline

    @inline(__always)
    func matches(_ s: Unicode.Scalar) -> Bool {
        switch self {
        case .scalar(let c): s == c
        case .anyOf(let options): options.contains(s)
        case .set(let set): set.contains(s)
        case .notNewline: s != "\n"
        }
    }
}

/// A bracketed class or a shorthand (`\s`, `\p{L}`, …).
struct ScalarSet: Sendable {
    enum Item: Sendable {
        case range(UInt32, UInt32)
        case categories(GeneralCategoryMask)
        case notCategories(GeneralCategoryMask)
        case whitespace, notWhitespace, digit, notDigit, word, notWord
    }

    var items: [Item] = []
    var negated = false
    var caseInsensitive = false

    func contains(_ s: Unicode.Scalar) -> Bool {
        var hit = containsExactly(s)
        if !hit && caseInsensitive {
            for variant in CaseFolding.variants(of: s) where variant != s && containsExactly(variant) {
                hit = true
                break
            }
        }
        return hit != negated
    }

    private func containsExactly(_ s: Unicode.Scalar) -> Bool {
        for item in items {
            switch item {
            case .range(let lo, let hi): if lo <= s.value && s.value <= hi { return true }
            case .categories(let mask): if GeneralCategoryMask(s).isSubset(of: mask) { return true }
            case .notCategories(let mask): if !GeneralCategoryMask(s).isSubset(of: mask) { return true }
            case .whitespace: if UnicodeClasses.isWhitespace(s) { return true }
            case .notWhitespace: if !UnicodeClasses.isWhitespace(s) { return true }
            case .digit: if GeneralCategoryMask(s) == .nd { return true }
            case .notDigit: if GeneralCategoryMask(s) != .nd { return true }
            case .word: if ScalarSet.isWord(s) { return true }
            case .notWord: if !ScalarSet.isWord(s) { return true }
            }
        }
        return false
    }

    /// Oniguruma's Unicode `\w`: letters, marks, numbers and connector punctuation.
    static func isWord(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 {
            let v = s.value
            return (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || v == 0x5F
        }
        return GeneralCategoryMask(s).isSubset(of: [.letter, .mark, .number, .pc])
    }
}

/// Simple case variants of a scalar (its single-scalar lower- and uppercase mappings).
enum CaseFolding {
    static func variants(of s: Unicode.Scalar) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = [s]
        for mapping in [s.properties.lowercaseMapping, s.properties.uppercaseMapping, s.properties.titlecaseMapping] {
            let scalars = mapping.unicodeScalars
            if scalars.count == 1, let only = scalars.first, !result.contains(only) { result.append(only) }
        }
        return result
    }
}

/// One step of a compiled program.
enum Instruction: Sendable {
    case match(Int)
    /// Try `first`; on failure resume at `second` at the same position.
    case split(Int, Int)
    case jump(Int)
    /// A greedy run of one matcher: at least `min`, at most `max` scalars, longest first.
    case greedyRun(matcher: Int, min: Int, max: Int)
    case assert(Assertion)
    /// Run program `program` here without consuming; continue when it matches (`negated`: when it does not).
    case lookahead(program: Int, negated: Bool)
}

enum Assertion: Sendable {
    case lineStart, lineEnd, textStart, textEnd, textEndOrFinalNewline, wordBoundary, notWordBoundary
}

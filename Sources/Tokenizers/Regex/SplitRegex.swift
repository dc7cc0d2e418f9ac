import Foundation

/// The regular expressions of `tokenizer.json` (`Split` pre-tokenizers, `Replace` normalizers), matched the way the
/// Rust library's engine (Oniguruma, Ruby syntax) matches them: a backtracking matcher on Unicode scalars, leftmost
/// match, first alternative that succeeds, greedy quantifiers, atomic lookaheads.
///
/// Supported, which covers the GPT-2, Llama-3, Qwen and SmolLM split patterns:
/// - literals and escapes `\t \n \r \f \v \a \e \xHH \x{H…} \uHHHH` and escaped punctuation;
/// - `.` (any scalar but `\n`), classes `[…]` / `[^…]` with ranges, `\s \S \d \D \w \W`, `\p{…}` / `\P{…}` /
///   `\p{^…}` for general categories (`L`, `Lu`, `N`, `Nd`, `P`, `S`, `M`, `Z`, `C`, … and their long names);
///   `\s` is `White_Space`, `\d` is `Nd`, `\w` is `Alphabetic|M|Nd|Pc` (Oniguruma's Unicode definitions, checked
///   scalar by scalar against it, including its quirk of ¹ ² ³ ¼ ½ ¾ being word scalars outside brackets only);
/// - groups `(…)`, `(?:…)`, `(?i:…)`, `(?-i:…)`, inline `(?i)`; lookaheads `(?=…)`, `(?!…)`;
/// - quantifiers `* + ? {n} {n,} {n,m} {,m}` and their lazy forms;
/// - anchors `^ $` (line anchors, as in Ruby syntax), `\A \z \Z \b \B`.
///
/// Not supported (a load error naming the pattern): lookbehind, possessive quantifiers, atomic groups,
/// backreferences, named groups, script properties (`\p{Han}`), class set operations (`&&`, nested classes),
/// `\h`, and an unbounded repetition of a group that can match the empty string.
/// Case-insensitive matching compares Unicode case folds (see ``CaseFolding``).
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
    /// Case-insensitive: any scalar with this case fold.
    case folded(Unicode.Scalar)
    case set(ScalarSet)
    /// `.`: anything but a line feed.
    case notNewline

    @inline(__always)
    func matches(_ s: Unicode.Scalar) -> Bool {
        switch self {
        case .scalar(let c): s == c
        case .folded(let fold): s == fold || (s.value >= 0x80 || (0x41...0x5A).contains(s.value)) && CaseFolding.fold(s) == fold
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
        case whitespace, notWhitespace, digit, notDigit
        /// `\w` / `\W`; outside brackets Oniguruma also counts ¹ ² ³ ¼ ½ ¾ as word scalars, inside it does not.
        case word(outsideClass: Bool), notWord(outsideClass: Bool)
    }

    var items: [Item] = []
    var negated = false
    var caseInsensitive = false

    func contains(_ s: Unicode.Scalar) -> Bool {
        var hit = containsExactly(s)
        if !hit && caseInsensitive {
            let fold = CaseFolding.fold(s)
            for variant in CaseFolding.variants(of: s) + CaseFolding.variants(of: fold)
            where variant != s && CaseFolding.fold(variant) == fold && containsExactly(variant) {
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
            case .word(let outside): if ScalarSet.isWord(s, outsideClass: outside) { return true }
            case .notWord(let outside): if !ScalarSet.isWord(s, outsideClass: outside) { return true }
            }
        }
        return false
    }

    /// Oniguruma's Unicode `\w` (measured against it over every scalar): `Alphabetic`, marks, decimal digits and
    /// connector punctuation; written outside brackets it also takes the Latin-1 fractions and superscripts
    /// ¹ ² ³ ¼ ½ ¾.
    static func isWord(_ s: Unicode.Scalar, outsideClass: Bool = true) -> Bool {
        let v = s.value
        if v < 0x80 {
            return (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || v == 0x5F
        }
        if outsideClass && (v == 0xB2 || v == 0xB3 || v == 0xB9 || (0xBC...0xBE).contains(v)) { return true }
        if s.properties.isAlphabetic { return true }
        return GeneralCategoryMask(s).isSubset(of: [.mark, .nd, .pc])
    }
}

/// Case-insensitive matching as Oniguruma does it: two scalars match when their Unicode case folds are equal
/// ("ſ" matches `(?i:s)`, "K" (Kelvin) matches `(?i:k)`, "ı" matches neither `i` nor `I`). Folds that expand to
/// several scalars (ß → ss, İ → i̇) leave the scalar as it is.
enum CaseFolding {
    /// The scalar's simple case fold (Foundation's case-insensitive folding, when it gives one scalar).
    static func fold(_ s: Unicode.Scalar) -> Unicode.Scalar {
        if s.isASCII {
            return (0x41...0x5A).contains(s.value) ? Unicode.Scalar(UInt8(s.value + 0x20)) : s
        }
        guard s.properties.changesWhenCaseFolded else { return s }
        let folded = String(s).folding(options: [.caseInsensitive], locale: nil).unicodeScalars
        return folded.count == 1 ? folded.first! : s
    }

    /// Scalars that may fold like `s`: itself, its fold, and its single-scalar case mappings.
    static func variants(of s: Unicode.Scalar) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = [s]
        func add(_ c: Unicode.Scalar) { if !result.contains(c) { result.append(c) } }
        add(fold(s))
        for mapping in [s.properties.lowercaseMapping, s.properties.uppercaseMapping, s.properties.titlecaseMapping] {
            let scalars = mapping.unicodeScalars
            if scalars.count == 1, let only = scalars.first, fold(only) == fold(s) { add(only) }
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

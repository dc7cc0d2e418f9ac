/// An entry of `added_tokens` in `tokenizer.json`: matched in the text before the model runs.
public struct AddedToken: Sendable, Hashable {
    public var id: Int
    public var content: String
    /// Skipped by ``Tokenizer/decode(_:skipSpecialTokens:)`` with `skipSpecialTokens`.
    public var isSpecial: Bool
    /// Matched in the normalized text (against its own normalized content) rather than in the raw text.
    public var isNormalized: Bool
    /// Also takes the whitespace before it.
    public var stripsLeft: Bool
    /// Also takes the whitespace after it.
    public var stripsRight: Bool
    /// Matched only when no word character touches it on either side.
    public var isSingleWord: Bool

    public init(
        id: Int, content: String, isSpecial: Bool, isNormalized: Bool, stripsLeft: Bool = false,
        stripsRight: Bool = false, isSingleWord: Bool = false
    ) {
        self.id = id
        self.content = content
        self.isSpecial = isSpecial
        self.isNormalized = isNormalized
        self.stripsLeft = stripsLeft
        self.stripsRight = stripsRight
        self.isSingleWord = isSingleWord
    }
}

/// A stretch of the text after added tokens are found: either a token already decided, or text for the model.
enum Segment: Sendable {
    case text(TextPiece)
    case token(id: Int, piece: TextPiece)
}

/// Finds added tokens the way the Rust library's Aho-Corasick automaton does (leftmost-longest, non-overlapping; a
/// match rejected by `single_word` still consumes its span), with a trie on scalars.
struct AddedTokenMatcher: Sendable {
    private var children: [[UInt32: Int32]] = [[:]]
    /// Per trie node, the index in `tokens` of the token ending there, or -1.
    private var terminal: [Int32] = [-1]
    let tokens: [AddedToken]
    var isEmpty: Bool { tokens.isEmpty }

    /// `patterns[i]` is what `tokens[i]` matches (its content, normalized for normalized tokens).
    init(tokens: [AddedToken], patterns: [[Unicode.Scalar]]) {
        self.tokens = tokens
        for (index, pattern) in patterns.enumerated() where !pattern.isEmpty {
            var node = 0
            for s in pattern {
                if let child = children[node][s.value] {
                    node = Int(child)
                } else {
                    children.append([:])
                    terminal.append(-1)
                    children[node][s.value] = Int32(children.count - 1)
                    node = children.count - 1
                }
            }
            if terminal[node] < 0 { terminal[node] = Int32(index) }
        }
    }

    /// Leftmost-longest non-overlapping matches: (range, index in `tokens`).
    private func findMatches(in text: [Unicode.Scalar]) -> [(range: Range<Int>, token: Int)] {
        var result: [(range: Range<Int>, token: Int)] = []
        var start = 0
        while start < text.count {
            var node = 0
            var best: (end: Int, token: Int)?
            var i = start
            while i < text.count, let child = children[node][text[i].value] {
                node = Int(child)
                i += 1
                if terminal[node] >= 0 { best = (i, Int(terminal[node])) }
            }
            if let best {
                result.append((start..<best.end, best.token))
                start = best.end
            } else {
                start += 1
            }
        }
        return result
    }

    /// Cuts a piece at the added tokens found in it.
    func split(_ piece: TextPiece) -> [Segment] {
        guard !isEmpty else { return [.text(piece)] }
        let text = piece.scalars
        var segments: [Segment] = []
        var startOffset = 0
        for match in findMatches(in: text) {
            let token = tokens[match.token]
            var start = match.range.lowerBound
            var stop = match.range.upperBound
            if token.isSingleWord {
                let wordBefore = start > 0 && Self.isWordScalar(text[start - 1])
                let wordAfter = stop < text.count && Self.isWordScalar(text[stop])
                if wordBefore || wordAfter { continue }
            }
            if token.stripsLeft {
                var newStart = start
                while newStart > 0, UnicodeClasses.isWhitespace(text[newStart - 1]) { newStart -= 1 }
                start = max(newStart, startOffset)
            }
            if token.stripsRight {
                while stop < text.count, UnicodeClasses.isWhitespace(text[stop]) { stop += 1 }
            }
            if startOffset < start { segments.append(.text(piece[startOffset..<start])) }
            segments.append(.token(id: token.id, piece: piece[start..<stop]))
            startOffset = stop
        }
        if startOffset < text.count { segments.append(.text(piece[startOffset..<text.count])) }
        return segments
    }

    /// A word character for `single_word` (the Rust `regex` crate's `\w`: Alphabetic, marks, decimal digits,
    /// connector punctuation, joiners).
    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return ScalarSet.isWord(s, outsideClass: false) }
        if s.value == 0x200C || s.value == 0x200D { return true }
        if s.properties.isAlphabetic { return true }
        return GeneralCategoryMask(s).isSubset(of: [.mark, .nd, .pc])
    }
}

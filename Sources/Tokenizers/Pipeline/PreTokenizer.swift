/// The `pre_tokenizer` of `tokenizer.json`: cuts each normalized stretch into the pieces the model tokenizes one by
/// one. Empty pieces are dropped after every step, as the Rust library does.
indirect enum PreTokenizer: Sendable {
    case sequence([PreTokenizer])
    /// GPT-2's byte-level step: an optional leading space, the GPT-2 split regex (``gpt2Pattern``, nil with
    /// `use_regex: false`), then every byte as a scalar of ``ByteLevelAlphabet``.
    case byteLevel(addPrefixSpace: Bool, regex: SplitRegex?)
    case split(SplitPattern, behavior: SplitBehavior, invert: Bool)
    /// SentencePiece's metaspace: spaces become `replacement`, which is prepended (always, or only to the piece
    /// that starts the text), and the text is split before each replacement.
    case metaspace(replacement: Unicode.Scalar, prepend: PrependScheme, split: Bool)
    /// Digits apart from the rest (`individual`: one piece per digit).
    case digits(individual: Bool)
    /// Whitespace-separated words.
    case whitespaceSplit
    /// Runs of word scalars and runs of other non-space scalars (`\w+|[^\w\s]+` of the Rust `regex` crate, whose
    /// `\w` is Alphabetic, marks, decimal digits, connector punctuation and joiners); whitespace is dropped.
    case whitespace

    enum PrependScheme: String, Sendable { case always, first, never }

    /// GPT-2's split pattern, which the byte-level step uses.
    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    func apply(_ pieces: [TextPiece], limits: TokenizerLimits) throws(TokenizerError) -> [TextPiece] {
        var result: [TextPiece] = []
        result.reserveCapacity(pieces.count)
        switch self {
        case .sequence(let steps):
            var current = pieces
            for step in steps { current = try step.apply(current, limits: limits) }
            return current
        case .byteLevel(let addPrefixSpace, let regex):
            for var piece in pieces where !piece.isEmpty {
                if addPrefixSpace && piece.scalars[0] != " " {
                    piece = TextPiece(scalars: [" "] + piece.scalars, origins: [piece.origins[0]] + piece.origins)
                }
                if let regex {
                    let segments = try SplitPattern.regex(regex).segments(
                        of: piece.scalars, invert: false, limits: limits)
                    for range in SplitBehavior.isolated.apply(segments) where !range.isEmpty {
                        result.append(ByteLevelAlphabet.encode(piece[range]))
                    }
                } else {
                    result.append(ByteLevelAlphabet.encode(piece))
                }
            }
        case .split(let pattern, let behavior, let invert):
            for piece in pieces where !piece.isEmpty {
                try Self.split(piece, pattern, behavior, invert: invert, limits: limits, into: &result)
            }
        case .metaspace(let replacement, let prepend, let split):
            for var piece in pieces where !piece.isEmpty {
                for i in piece.scalars.indices where piece.scalars[i] == " " { piece.scalars[i] = replacement }
                let wantsPrefix = prepend == .always || (prepend == .first && piece.startsText)
                if wantsPrefix && piece.scalars[0] != replacement {
                    piece = TextPiece(scalars: [replacement] + piece.scalars, origins: [piece.origins[0]] + piece.origins)
                }
                if split {
                    try Self.split(
                        piece, .scalars(.exactly(replacement)), .mergedWithNext, invert: false,
                        limits: limits, into: &result)
                } else {
                    result.append(piece)
                }
            }
        case .digits(let individual):
            for piece in pieces where !piece.isEmpty {
                try Self.split(
                    piece, .scalars(.number), individual ? .isolated : .contiguous, invert: false,
                    limits: limits, into: &result)
            }
        case .whitespaceSplit:
            for piece in pieces where !piece.isEmpty {
                try Self.split(piece, .scalars(.whitespace), .removed, invert: false, limits: limits, into: &result)
            }
        case .whitespace:
            for piece in pieces where !piece.isEmpty {
                var start = 0
                while start < piece.count {
                    let s = piece.scalars[start]
                    if UnicodeClasses.isWhitespace(s) {
                        start += 1
                        continue
                    }
                    let word = AddedTokenMatcher.isWordScalar(s)
                    var end = start + 1
                    while end < piece.count, !UnicodeClasses.isWhitespace(piece.scalars[end]),
                        AddedTokenMatcher.isWordScalar(piece.scalars[end]) == word
                    {
                        end += 1
                    }
                    result.append(piece[start..<end])
                    start = end
                }
            }
        }
        return result
    }

    private static func split(
        _ piece: TextPiece, _ pattern: SplitPattern, _ behavior: SplitBehavior, invert: Bool,
        limits: TokenizerLimits, into result: inout [TextPiece]
    ) throws(TokenizerError) {
        let segments = try pattern.segments(of: piece.scalars, invert: invert, limits: limits)
        for range in behavior.apply(segments) where !range.isEmpty { result.append(piece[range]) }
    }
}

/// A stretch of text on its way through the pipeline: Unicode scalars (a Rust `char` each) and, for each scalar,
/// the index of the scalar of the original text it came from. Only piece starts are ever asked about
/// (`Metaspace` with `prepend_scheme: first` prepends only to a piece that starts the original text).
struct TextPiece: Sendable {
    var scalars: [Unicode.Scalar]
    var origins: [Int]

    init(scalars: [Unicode.Scalar], origins: [Int]) {
        self.scalars = scalars
        self.origins = origins
    }

    init(_ scalars: [Unicode.Scalar], startingAt offset: Int) {
        self.scalars = scalars
        self.origins = Array(offset..<(offset + scalars.count))
    }

    var isEmpty: Bool { scalars.isEmpty }
    var count: Int { scalars.count }

    /// Whether the piece begins at the start of the original text.
    var startsText: Bool { origins.first == 0 }

    subscript(range: Range<Int>) -> TextPiece {
        TextPiece(scalars: Array(scalars[range]), origins: Array(origins[range]))
    }

    var utf8: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count)
        for s in scalars { bytes.append(contentsOf: UTF8.encode(s)!) }
        return bytes
    }

    var string: String {
        var s = String()
        s.unicodeScalars.append(contentsOf: scalars)
        return s
    }
}

/// What a `Split` pre-tokenizer or `Replace` normalizer looks for: a literal string, a regex, or (inside the
/// library's own components) single scalars of a class, each scalar its own match.
enum SplitPattern: Sendable {
    case literal([Unicode.Scalar])
    case regex(SplitRegex)
    case scalars(ScalarClass)

    /// Where the pattern matches in `text`, non-overlapping, left to right.
    func matches(in text: [Unicode.Scalar], limits: TokenizerLimits) throws(TokenizerError) -> [Range<Int>] {
        switch self {
        case .literal(let needle):
            guard !needle.isEmpty, needle.count <= text.count else { return [] }
            var result: [Range<Int>] = []
            var i = 0
            let first = needle[0]
            while i + needle.count <= text.count {
                if text[i] == first && text[i..<(i + needle.count)].elementsEqual(needle) {
                    result.append(i..<(i + needle.count))
                    i += needle.count
                } else {
                    i += 1
                }
            }
            return result
        case .regex(let regex):
            return try regex.matches(in: text, stepsPerCharacter: limits.regexStepsPerCharacter)
        case .scalars(let scalarClass):
            var result: [Range<Int>] = []
            for (i, s) in text.enumerated() where scalarClass.contains(s) { result.append(i..<(i + 1)) }
            return result
        }
    }

    /// The text cut into consecutive stretches, each flagged as a match or not (`invert` swaps the flags).
    func segments(of text: [Unicode.Scalar], invert: Bool, limits: TokenizerLimits) throws(TokenizerError)
        -> [(range: Range<Int>, isMatch: Bool)]
    {
        var result: [(range: Range<Int>, isMatch: Bool)] = []
        var last = 0
        for match in try matches(in: text, limits: limits) {
            if last < match.lowerBound { result.append((last..<match.lowerBound, invert)) }
            result.append((match, !invert))
            last = match.upperBound
        }
        if last < text.count { result.append((last..<text.count, invert)) }
        return result
    }
}

/// The scalar classes the built-in components split on.
enum ScalarClass: Sendable {
    case whitespace
    case number
    case exactly(Unicode.Scalar)

    func contains(_ s: Unicode.Scalar) -> Bool {
        switch self {
        case .whitespace: UnicodeClasses.isWhitespace(s)
        case .number: UnicodeClasses.isNumber(s)
        case .exactly(let c): s == c
        }
    }
}

/// What becomes of the matched delimiters when a piece is split (`tokenizer.json` `behavior`).
enum SplitBehavior: String, Sendable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"

    /// Applies the behaviour to flagged segments, giving the ranges of the new pieces (possibly empty ones, which
    /// the caller drops).
    func apply(_ segments: [(range: Range<Int>, isMatch: Bool)]) -> [Range<Int>] {
        switch self {
        case .removed:
            return segments.filter { !$0.isMatch }.map(\.range)
        case .isolated:
            return segments.map(\.range)
        case .mergedWithPrevious:
            var result: [Range<Int>] = []
            var previousMatch = false
            for segment in segments {
                if segment.isMatch && !previousMatch, let last = result.last {
                    result[result.count - 1] = last.lowerBound..<segment.range.upperBound
                } else {
                    result.append(segment.range)
                }
                previousMatch = segment.isMatch
            }
            return result
        case .mergedWithNext:
            var reversed: [Range<Int>] = []
            var previousMatch = false
            for segment in segments.reversed() {
                if segment.isMatch && !previousMatch, let last = reversed.last {
                    reversed[reversed.count - 1] = segment.range.lowerBound..<last.upperBound
                } else {
                    reversed.append(segment.range)
                }
                previousMatch = segment.isMatch
            }
            return reversed.reversed()
        case .contiguous:
            var result: [Range<Int>] = []
            var previousMatch = false
            for segment in segments {
                if segment.isMatch == previousMatch, let last = result.last {
                    result[result.count - 1] = last.lowerBound..<segment.range.upperBound
                } else {
                    result.append(segment.range)
                }
                previousMatch = segment.isMatch
            }
            return result
        }
    }
}

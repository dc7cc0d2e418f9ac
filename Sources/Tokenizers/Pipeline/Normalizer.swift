import Foundation

/// The `normalizer` of `tokenizer.json`, applied to each stretch of text between added tokens.
indirect enum Normalizer: Sendable {
    case sequence([Normalizer])
    /// Prepends `prefix` to a non-empty text.
    case prepend([Unicode.Scalar])
    /// Replaces every (non-overlapping) match of the pattern with `content`.
    case replace(SplitPattern, content: [Unicode.Scalar])
    /// Removes leading / trailing whitespace (`White_Space`).
    case strip(left: Bool, right: Bool)
    case unicode(UnicodeForm)

    enum UnicodeForm: String, Sendable { case nfc = "NFC", nfd = "NFD", nfkc = "NFKC", nfkd = "NFKD" }

    func apply(_ piece: inout TextPiece, limits: TokenizerLimits) throws(TokenizerError) {
        switch self {
        case .sequence(let normalizers):
            for normalizer in normalizers { try normalizer.apply(&piece, limits: limits) }
        case .prepend(let prefix):
            guard !piece.isEmpty else { return }
            piece = TextPiece(
                scalars: prefix + piece.scalars,
                origins: Array(repeating: piece.origins[0], count: prefix.count) + piece.origins)
        case .replace(let pattern, let content):
            let matches = try pattern.matches(in: piece.scalars, limits: limits)
            guard !matches.isEmpty else { return }
            var scalars: [Unicode.Scalar] = []
            var origins: [Int] = []
            scalars.reserveCapacity(piece.count)
            origins.reserveCapacity(piece.count)
            var last = 0
            for match in matches {
                scalars.append(contentsOf: piece.scalars[last..<match.lowerBound])
                origins.append(contentsOf: piece.origins[last..<match.lowerBound])
                scalars.append(contentsOf: content)
                origins.append(contentsOf: repeatElement(piece.origins[match.lowerBound], count: content.count))
                last = match.upperBound
            }
            scalars.append(contentsOf: piece.scalars[last...])
            origins.append(contentsOf: piece.origins[last...])
            piece = TextPiece(scalars: scalars, origins: origins)
        case .strip(let left, let right):
            var start = 0
            var end = piece.count
            if left { while start < end, UnicodeClasses.isWhitespace(piece.scalars[start]) { start += 1 } }
            if right { while end > start, UnicodeClasses.isWhitespace(piece.scalars[end - 1]) { end -= 1 } }
            if start != 0 || end != piece.count { piece = piece[start..<end] }
        case .unicode(let form):
            piece = Self.normalize(piece, form)
        }
    }

    /// Unicode normalization through Foundation. The text is cut before each ASCII scalar (nothing composes with a
    /// following ASCII scalar), so each stretch's output keeps the origin of the stretch's first scalar.
    private static func normalize(_ piece: TextPiece, _ form: UnicodeForm) -> TextPiece {
        guard piece.scalars.contains(where: { !$0.isASCII }) else { return piece }
        var scalars: [Unicode.Scalar] = []
        var origins: [Int] = []
        var start = 0
        while start < piece.count {
            var end = start + 1
            while end < piece.count, !piece.scalars[end].isASCII { end += 1 }
            if end - start == 1 && piece.scalars[start].isASCII {
                scalars.append(piece.scalars[start])
                origins.append(piece.origins[start])
            } else {
                var text = String()
                text.unicodeScalars.append(contentsOf: piece.scalars[start..<end])
                let normalized: String
                switch form {
                case .nfc: normalized = text.precomposedStringWithCanonicalMapping
                case .nfd: normalized = text.decomposedStringWithCanonicalMapping
                case .nfkc: normalized = text.precomposedStringWithCompatibilityMapping
                case .nfkd: normalized = text.decomposedStringWithCompatibilityMapping
                }
                let output = Array(normalized.unicodeScalars)
                scalars.append(contentsOf: output)
                origins.append(contentsOf: repeatElement(piece.origins[start], count: output.count))
            }
            start = end
        }
        return TextPiece(scalars: scalars, origins: origins)
    }
}

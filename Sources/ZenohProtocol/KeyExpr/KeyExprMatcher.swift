/// Intersection and inclusion of canonical key expressions (zenoh-protocol.md section 11).
///
/// Both work on chunk lists with a dynamic programme over `(i, j)` suffix pairs, so they run in
/// `O(n * m)` chunk comparisons with `O(m)` memory and never recurse.
enum KeyExprMatcher {
    private static let slash = UInt8(ascii: "/")
    private static let star = UInt8(ascii: "*")
    private static let dollar = UInt8(ascii: "$")
    private static let at = UInt8(ascii: "@")

    private static func chunks(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.split(separator: Self.slash, omittingEmptySubsequences: false)
    }

    private static func isDoubleStar(_ chunk: ArraySlice<UInt8>) -> Bool {
        chunk.count == 2 && chunk.first == Self.star && chunk.last == Self.star
    }

    private static func isStar(_ chunk: ArraySlice<UInt8>) -> Bool {
        chunk.count == 1 && chunk.first == Self.star
    }

    private static func isVerbatim(_ chunk: ArraySlice<UInt8>) -> Bool {
        chunk.first == Self.at
    }

    /// Whether some key is matched by both `a` and `b`.
    static func intersects(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let left = Self.chunks(a)
        let right = Self.chunks(b)
        return Self.solve(left, right) { i, j, next, row in
            // row(i + 1)[j] = next[j]; row(i)[j + 1] = row[j + 1]
            if i == left.count && j == right.count { return true }
            if i == left.count { return Self.isDoubleStar(right[j]) && row[j + 1] }
            if j == right.count { return Self.isDoubleStar(left[i]) && next[j] }
            if Self.isDoubleStar(left[i]) {
                return next[j] || (!Self.isVerbatim(right[j]) && row[j + 1])
            }
            if Self.isDoubleStar(right[j]) {
                return row[j + 1] || (!Self.isVerbatim(left[i]) && next[j])
            }
            return Self.chunkIntersects(left[i], right[j]) && next[j + 1]
        }
    }

    /// Whether every key matched by `b` is matched by `a`.
    static func includes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let left = Self.chunks(a)
        let right = Self.chunks(b)
        return Self.solve(left, right) { i, j, next, row in
            if i == left.count { return j == right.count }
            if j == right.count { return Self.isDoubleStar(left[i]) && next[j] }
            if Self.isDoubleStar(left[i]) {
                return next[j] || (!Self.isVerbatim(right[j]) && row[j + 1])
            }
            if Self.isDoubleStar(right[j]) { return false }
            return Self.chunkIncludes(left[i], right[j]) && next[j + 1]
        }
    }

    /// Fills the table backwards, row `i` from row `i + 1` (`next`) and cell `j + 1` of row `i`.
    private static func solve(
        _ left: [ArraySlice<UInt8>],
        _ right: [ArraySlice<UInt8>],
        cell: (Int, Int, [Bool], [Bool]) -> Bool
    ) -> Bool {
        var next = [Bool](repeating: false, count: right.count + 2)
        var row = next
        for i in stride(from: left.count, through: 0, by: -1) {
            row[right.count + 1] = false
            for j in stride(from: right.count, through: 0, by: -1) {
                row[j] = cell(i, j, next, row)
            }
            swap(&next, &row)
        }
        return next[0]
    }

    /// One-chunk intersection: equal chunks match; verbatim chunks match only themselves;
    /// `*` matches any other chunk; otherwise a `$*`-aware pattern intersection.
    static func chunkIntersects(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        if a == b { return true }
        if Self.isVerbatim(a) || Self.isVerbatim(b) { return false }
        if Self.isStar(a) || Self.isStar(b) { return true }
        return Self.patternsIntersect(Self.tokens(a), Self.tokens(b))
    }

    /// One-chunk inclusion: `a` matches every string `b` matches.
    static func chunkIncludes(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        if a == b { return true }
        if Self.isVerbatim(a) || Self.isVerbatim(b) { return false }
        if Self.isStar(a) { return true }
        if Self.isStar(b) { return false }
        return Self.patternIncludes(Self.tokens(a), Self.tokens(b))
    }

    /// A chunk as tokens: a byte, or nil for `$*`.
    private static func tokens(_ chunk: ArraySlice<UInt8>) -> [UInt8?] {
        var tokens: [UInt8?] = []
        var index = chunk.startIndex
        while index < chunk.endIndex {
            if chunk[index] == Self.dollar, index + 1 < chunk.endIndex, chunk[index + 1] == Self.star {
                tokens.append(nil)
                index += 2
            } else {
                tokens.append(chunk[index])
                index += 1
            }
        }
        return tokens
    }

    /// Whether two `$*` patterns share a matching string.
    private static func patternsIntersect(_ a: [UInt8?], _ b: [UInt8?]) -> Bool {
        var next = [Bool](repeating: false, count: b.count + 2)
        var row = next
        for i in stride(from: a.count, through: 0, by: -1) {
            row[b.count + 1] = false
            for j in stride(from: b.count, through: 0, by: -1) {
                let value: Bool
                if i == a.count && j == b.count {
                    value = true
                } else if i < a.count && a[i] == nil {
                    value = next[j] || (j < b.count && row[j + 1])
                } else if j < b.count && b[j] == nil {
                    value = row[j + 1] || (i < a.count && next[j])
                } else if i < a.count && j < b.count {
                    value = a[i] == b[j] && next[j + 1]
                } else {
                    value = false
                }
                row[j] = value
            }
            swap(&next, &row)
        }
        return next[0]
    }

    /// Whether pattern `a` matches every string pattern `b` matches: a `$*` of `a` may absorb
    /// any tokens of `b` (wildcards included); a literal of `a` must meet the same literal.
    private static func patternIncludes(_ a: [UInt8?], _ b: [UInt8?]) -> Bool {
        var next = [Bool](repeating: false, count: b.count + 2)
        var row = next
        for i in stride(from: a.count, through: 0, by: -1) {
            row[b.count + 1] = false
            for j in stride(from: b.count, through: 0, by: -1) {
                let value: Bool
                if i == a.count {
                    value = j == b.count
                } else if a[i] == nil {
                    value = next[j] || (j < b.count && row[j + 1])
                } else if j < b.count, let literal = b[j] {
                    value = a[i] == literal && next[j + 1]
                } else {
                    value = false
                }
                row[j] = value
            }
            swap(&next, &row)
        }
        return next[0]
    }
}

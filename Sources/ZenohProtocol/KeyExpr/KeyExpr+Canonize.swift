extension KeyExpr {
    /// Checks the syntax rules (not canonicity).
    static func validate(_ string: String) throws(KeyExprError) {
        let bytes = Array(string.utf8)
        guard !bytes.isEmpty else {
            throw KeyExprError(code: .empty, message: "empty key expression")
        }
        guard bytes.count <= ZenohLimits.maximumKeyExprLength else {
            throw KeyExprError(code: .tooLong, message: "key expression of \(bytes.count) bytes")
        }
        for chunk in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            try Self.validate(chunk: Array(chunk), in: string)
        }
    }

    private static func validate(chunk: [UInt8], in string: String) throws(KeyExprError) {
        let star = UInt8(ascii: "*")
        let dollar = UInt8(ascii: "$")
        guard !chunk.isEmpty else {
            throw KeyExprError(code: .emptyChunk, message: "empty chunk in '\(string)'")
        }
        if chunk == [star] || chunk == [star, star] {
            return
        }
        var index = 0
        var onlyDollarStars = true
        while index < chunk.count {
            let byte = chunk[index]
            switch byte {
            case UInt8(ascii: "#"), UInt8(ascii: "?"):
                throw KeyExprError(code: .forbiddenCharacter, message: "'#' or '?' in '\(string)'")
            case dollar:
                guard index + 1 < chunk.count, chunk[index + 1] == star else {
                    throw KeyExprError(code: .forbiddenCharacter, message: "'$' not followed by '*' in '\(string)'")
                }
                index += 2
                continue
            case star:
                throw KeyExprError(code: .invalidWildcard, message: "'*' inside a chunk of '\(string)'")
            default:
                onlyDollarStars = false
            }
            index += 1
        }
        if onlyDollarStars {
            throw KeyExprError(code: .invalidWildcard, message: "chunk made only of '$*' in '\(string)' (write '*')")
        }
    }

    /// Rewrites `string` into canonical form without validating it:
    /// `$*$*` becomes `$*`, a chunk made only of `$*` becomes `*`, and every run of `*`/`**`
    /// chunks becomes its `*` chunks followed by a single `**` if the run had any.
    static func canonize(_ string: String) -> String {
        var output: [String] = []
        var pendingStars = 0
        var pendingDoubleStar = false

        func flush() {
            output.append(contentsOf: repeatElement("*", count: pendingStars))
            if pendingDoubleStar { output.append("**") }
            pendingStars = 0
            pendingDoubleStar = false
        }

        for rawChunk in string.split(separator: "/", omittingEmptySubsequences: false) {
            var chunk = String(rawChunk)
            while chunk.contains("$*$*") {
                chunk = chunk.replacing("$*$*", with: "$*")
            }
            if chunk == "$*" {
                chunk = "*"
            }
            switch chunk {
            case "*": pendingStars += 1
            case "**": pendingDoubleStar = true
            default:
                flush()
                output.append(chunk)
            }
        }
        flush()
        return output.joined(separator: "/")
    }
}

extension Tokenizer {
    /// Encodes `text` as the Rust library's `Tokenizer.encode(text, add_special_tokens)` does: added tokens are
    /// split off the raw text, the rest is normalized and split off the normalized added tokens, pre-tokenized, and
    /// tokenized by the model; then (optionally) truncated to `truncation.maxLength` leaving room for the special
    /// tokens, and the post-processor adds those.
    ///
    /// A text over ``TokenizerLimits/maxInputBytes`` is an error, as is a regex past its step budget.
    public func encode(
        _ text: String, addSpecialTokens: Bool = true, truncation: (maxLength: Int, side: TruncationSide)? = nil
    ) throws(TokenizerError) -> Encoding {
        let byteCount = text.utf8.count
        guard byteCount <= limits.maxInputBytes else {
            throw TokenizerError(
                .inputTooLarge, "a text of \(byteCount) UTF-8 bytes is over the \(limits.maxInputBytes)-byte limit")
        }
        var encoding = try encodeContent(Array(text.unicodeScalars))
        let added = addSpecialTokens ? specialTokenCount : 0
        if let truncation {
            guard truncation.maxLength >= added else {
                throw TokenizerError(
                    .encodingFailed,
                    "max length \(truncation.maxLength) leaves no room for the \(added) special tokens the post-processor adds")
            }
            let keep = truncation.maxLength - added
            if encoding.ids.count > keep {
                switch truncation.side {
                case .right:
                    encoding.ids.removeSubrange(keep...)
                    encoding.tokens.removeSubrange(keep...)
                    encoding.specialTokensMask.removeSubrange(keep...)
                case .left:
                    let drop = encoding.ids.count - keep
                    encoding.ids.removeSubrange(..<drop)
                    encoding.tokens.removeSubrange(..<drop)
                    encoding.specialTokensMask.removeSubrange(..<drop)
                }
            }
        }
        if addSpecialTokens, let postProcessor { postProcessor.apply(&encoding) }
        return encoding
    }

    /// Ids of the text alone, before the post-processor.
    func encodeContent(_ scalars: [Unicode.Scalar]) throws(TokenizerError) -> Encoding {
        var encoding = Encoding(ids: [], tokens: [], specialTokensMask: [])
        encoding.ids.reserveCapacity(scalars.count / 3 + 4)
        for segment in rawMatcher.split(TextPiece(scalars, startingAt: 0)) {
            switch segment {
            case .token(let id, let piece):
                append(id: id, token: piece.string, to: &encoding)
            case .text(var piece):
                if let normalizer { try normalizer.apply(&piece, limits: limits) }
                for inner in normalizedMatcher.split(piece) {
                    switch inner {
                    case .token(let id, let piece):
                        append(id: id, token: piece.string, to: &encoding)
                    case .text(let piece):
                        try tokenize(piece, into: &encoding)
                    }
                }
            }
        }
        return encoding
    }

    private func append(id: Int, token: String, to encoding: inout Encoding) {
        encoding.ids.append(id)
        encoding.tokens.append(token)
        encoding.specialTokensMask.append(false)
    }

    private func tokenize(_ piece: TextPiece, into encoding: inout Encoding) throws(TokenizerError) {
        let pieces = try preTokenizer?.apply([piece], limits: limits) ?? [piece]
        var ids: [Int] = []
        for word in pieces {
            ids.removeAll(keepingCapacity: true)
            try model.tokenize(word.scalars, into: &ids)
            for id in ids { append(id: id, token: idToToken[id] ?? "", to: &encoding) }
        }
    }

    /// Decodes ids as the Rust library's `Tokenizer.decode` does: each id's token (unknown ids are skipped, special
    /// tokens too with `skipSpecialTokens`), run through the decoder and joined (without a decoder, joined by
    /// spaces).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let token = idToToken[id] else { continue }
            if skipSpecialTokens && specialTokenIDs.contains(id) { continue }
            tokens.append(token)
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        return decoder.decode(tokens).joined()
    }
}

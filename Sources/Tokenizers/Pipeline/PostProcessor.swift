/// The `post_processor` of `tokenizer.json`, for a single sequence: the special tokens it puts around the text.
indirect enum PostProcessor: Sendable {
    /// `TemplateProcessing`'s `single` template.
    case template([TemplatePiece])
    /// Changes offsets only (`ByteLevel`).
    case offsetsOnly
    case sequence([PostProcessor])

    enum TemplatePiece: Sendable {
        case sequence
        case special(ids: [Int], tokens: [String])
    }

    /// How many tokens it adds to one sequence (truncation leaves room for them).
    var addedTokenCount: Int {
        switch self {
        case .template(let pieces):
            pieces.reduce(0) { count, piece in
                if case .special(let ids, _) = piece { return count + ids.count }
                return count
            }
        case .offsetsOnly: 0
        case .sequence(let processors): processors.reduce(0) { $0 + $1.addedTokenCount }
        }
    }

    func apply(_ encoding: inout Encoding) {
        switch self {
        case .template(let pieces):
            var result = Encoding(ids: [], tokens: [], specialTokensMask: [])
            for piece in pieces {
                switch piece {
                case .sequence:
                    result.ids += encoding.ids
                    result.tokens += encoding.tokens
                    result.specialTokensMask += encoding.specialTokensMask
                case .special(let ids, let tokens):
                    result.ids += ids
                    result.tokens += tokens
                    result.specialTokensMask += Array(repeating: true, count: ids.count)
                }
            }
            encoding = result
        case .offsetsOnly:
            break
        case .sequence(let processors):
            for processor in processors { processor.apply(&encoding) }
        }
    }
}

/// The `decoder` of `tokenizer.json`: turns tokens back into text.
indirect enum Decoder: Sendable {
    /// Byte-level scalars back to bytes, then UTF-8 (invalid sequences become U+FFFD).
    case byteLevel
    /// The replacement back to spaces; with a prepend scheme, the first token loses its replacements.
    case metaspace(replacement: Unicode.Scalar, stripsFirst: Bool)
    case replace(SplitPattern, content: [Unicode.Scalar])
    /// Runs of `<0x..>` tokens back to bytes (one U+FFFD per byte when a run is not valid UTF-8).
    case byteFallback
    /// All tokens joined into one.
    case fuse
    /// Up to `start` leading and `stop` trailing `content` scalars removed from each token.
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    case sequence([Decoder])

    func decode(_ tokens: [String]) -> [String] {
        switch self {
        case .sequence(let decoders):
            var current = tokens
            for decoder in decoders { current = decoder.decode(current) }
            return current
        case .byteLevel:
            var bytes: [UInt8] = []
            for token in tokens {
                var tokenBytes: [UInt8] = []
                var allMapped = true
                for s in token.unicodeScalars {
                    guard let byte = ByteLevelAlphabet.byteForScalar[s.value] else {
                        allMapped = false
                        break
                    }
                    tokenBytes.append(byte)
                }
                bytes.append(contentsOf: allMapped ? tokenBytes : Array(token.utf8))
            }
            return [String(decoding: bytes, as: UTF8.self)]
        case .metaspace(let replacement, let stripsFirst):
            return tokens.enumerated().map { index, token in
                var out = String()
                for s in token.unicodeScalars {
                    if s == replacement {
                        if index == 0 && stripsFirst { continue }
                        out.unicodeScalars.append(" ")
                    } else {
                        out.unicodeScalars.append(s)
                    }
                }
                return out
            }
        case .replace(let pattern, let content):
            return tokens.map { token in
                let scalars = Array(token.unicodeScalars)
                // Decoding never fails: a pattern past its budget leaves the token as it is.
                guard let matches = try? pattern.matches(in: scalars, limits: .default), !matches.isEmpty else {
                    return token
                }
                var out = String()
                var last = 0
                for match in matches {
                    out.unicodeScalars.append(contentsOf: scalars[last..<match.lowerBound])
                    out.unicodeScalars.append(contentsOf: content)
                    last = match.upperBound
                }
                out.unicodeScalars.append(contentsOf: scalars[last...])
                return out
            }
        case .byteFallback:
            var result: [String] = []
            var pending: [UInt8] = []
            func flush() {
                guard !pending.isEmpty else { return }
                if let s = String(validating: pending, as: UTF8.self) {
                    result.append(s)
                } else {
                    result.append(contentsOf: repeatElement("\u{FFFD}", count: pending.count))
                }
                pending.removeAll()
            }
            for token in tokens {
                if let byte = Self.fallbackByte(token) {
                    pending.append(byte)
                } else {
                    flush()
                    result.append(token)
                }
            }
            flush()
            return result
        case .fuse:
            return [tokens.joined()]
        case .strip(let content, let start, let stop):
            return tokens.map { token in
                var scalars = Array(token.unicodeScalars)
                var leading = 0
                while leading < start, leading < scalars.count, scalars[leading] == content { leading += 1 }
                var trailing = 0
                while trailing < stop, trailing < scalars.count - leading, scalars[scalars.count - 1 - trailing] == content {
                    trailing += 1
                }
                scalars = Array(scalars[leading..<(scalars.count - trailing)])
                var out = String()
                out.unicodeScalars.append(contentsOf: scalars)
                return out
            }
        }
    }

    /// The byte of a `<0xAB>` token (exactly six scalars, upper- or lower-case hexadecimal), or nil.
    static func fallbackByte(_ token: String) -> UInt8? {
        let scalars = Array(token.unicodeScalars)
        guard scalars.count == 6, scalars[0] == "<", scalars[1] == "0", scalars[2] == "x", scalars[5] == ">" else {
            return nil
        }
        var text = String()
        text.unicodeScalars.append(scalars[3])
        text.unicodeScalars.append(scalars[4])
        return UInt8(text, radix: 16)
    }
}

/// The `BPE` model of `tokenizer.json`: a vocabulary, ranked merges, and the options SentencePiece-style and GPT-style
/// checkpoints use (`byte_fallback`, `unk_token`, `fuse_unk`, `ignore_merges`, `continuing_subword_prefix`,
/// `end_of_word_suffix`).
///
/// Vocabulary entries are keyed by their UTF-8 bytes, never by `String`, whose equality is canonical equivalence
/// ("é" and "e\u{301}" are different tokens).
///
/// A `WordLevel` model is the degenerate case this type also runs (``wordLevel``): each pre-tokenized piece is one
/// vocabulary entry, or the unknown token.
struct BPEModel: Sendable {
    struct Merge: Sendable {
        var rank: Int32
        var id: Int32
    }

    var vocabulary: [[UInt8]: Int]
    /// Entries of exactly one scalar, for the fast path of a word's first split.
    var singleScalarIDs: [UInt32: Int]
    var merges: [UInt64: Merge]
    var unknownToken: [UInt8]?
    var fuseUnknown: Bool
    var byteFallback: Bool
    var ignoreMerges: Bool
    var continuingSubwordPrefix: [UInt8]?
    var endOfWordSuffix: [UInt8]?
    /// `<0x00>` … `<0xFF>` where the vocabulary has them.
    var byteTokenIDs: [Int?]
    /// A `WordLevel` model: whole pieces only, no merges.
    var wordLevel = false

    init(
        vocabulary: [[UInt8]: Int], merges: [UInt64: Merge], unknownToken: [UInt8]?, fuseUnknown: Bool,
        byteFallback: Bool, ignoreMerges: Bool, continuingSubwordPrefix: [UInt8]?, endOfWordSuffix: [UInt8]?,
        wordLevel: Bool = false
    ) {
        self.wordLevel = wordLevel
        self.vocabulary = vocabulary
        self.merges = merges
        self.unknownToken = unknownToken
        self.fuseUnknown = fuseUnknown
        self.byteFallback = byteFallback
        self.ignoreMerges = ignoreMerges
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.endOfWordSuffix = endOfWordSuffix
        var single: [UInt32: Int] = [:]
        for (bytes, id) in vocabulary {
            if let s = String(validating: bytes, as: UTF8.self), s.unicodeScalars.count == 1 {
                single[s.unicodeScalars.first!.value] = id
            }
        }
        singleScalarIDs = single
        byteTokenIDs = (0..<256).map { byte in vocabulary[Array(Self.byteTokenName(UInt8(byte)).utf8)] }
    }

    /// `<0xAB>`: the byte-fallback token of a byte (upper-case hexadecimal).
    static func byteTokenName(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".unicodeScalars)
        var s = "<0x"
        s.unicodeScalars.append(digits[Int(byte >> 4)])
        s.unicodeScalars.append(digits[Int(byte & 0x0F)])
        return s + ">"
    }

    @inline(__always)
    static func pairKey(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }

    /// Tokenizes one pre-tokenized piece, appending its ids.
    func tokenize(_ word: [Unicode.Scalar], into ids: inout [Int]) throws(TokenizerError) {
        guard !word.isEmpty else { return }
        if wordLevel {
            var bytes: [UInt8] = []
            for s in word { bytes.append(contentsOf: UTF8.encode(s)!) }
            if let id = vocabulary[bytes] ?? unknownToken.flatMap({ vocabulary[$0] }) {
                ids.append(id)
                return
            }
            throw TokenizerError(
                .encodingFailed,
                "WordLevel: \(quoted(String(decoding: bytes, as: UTF8.self))) is not in the vocabulary and the model has no "
                    + "unknown token in it")
        }
        if ignoreMerges {
            var bytes: [UInt8] = []
            for s in word { bytes.append(contentsOf: UTF8.encode(s)!) }
            if let id = vocabulary[bytes] {
                ids.append(id)
                return
            }
        }
        var symbols = try initialSymbols(word)
        if symbols.count > 1 { mergeAll(&symbols) }
        for id in symbols where id >= 0 { ids.append(Int(id)) }
    }

    /// A word's scalars as vocabulary ids: the scalar itself (with the subword prefix / word suffix), else its bytes
    /// as `<0x..>` tokens, else the unknown token (consecutive ones fused with `fuse_unk`), else nothing — the scalar
    /// is dropped, as the Rust library drops it. A pending unknown token is emitted when the next scalar found in the
    /// vocabulary arrives (byte-fallback tokens do not flush it), which is the Rust library's order.
    private func initialSymbols(_ word: [Unicode.Scalar]) throws(TokenizerError) -> [Int32] {
        var symbols: [Int32] = []
        symbols.reserveCapacity(word.count)
        var pendingUnknown: Int32?
        let plain = continuingSubwordPrefix == nil && endOfWordSuffix == nil
        for (i, scalar) in word.enumerated() {
            var found: Int?
            var bytes: [UInt8] = []
            if plain {
                found = singleScalarIDs[scalar.value]
                if found == nil { bytes = Array(UTF8.encode(scalar)!) }
            } else {
                if i > 0, let prefix = continuingSubwordPrefix { bytes.append(contentsOf: prefix) }
                bytes.append(contentsOf: UTF8.encode(scalar)!)
                if i == word.count - 1, let suffix = endOfWordSuffix { bytes.append(contentsOf: suffix) }
                found = vocabulary[bytes]
            }
            if let found {
                if let pending = pendingUnknown {
                    symbols.append(pending)
                    pendingUnknown = nil
                }
                symbols.append(Int32(found))
                continue
            }
            if byteFallback {
                var byteIDs: [Int32] = []
                for byte in bytes {
                    guard let id = byteTokenIDs[Int(byte)] else { break }
                    byteIDs.append(Int32(id))
                }
                if byteIDs.count == bytes.count {
                    symbols.append(contentsOf: byteIDs)
                    continue
                }
            }
            if let unknownToken {
                guard let unknownID = vocabulary[unknownToken].map(Int32.init) else {
                    throw TokenizerError(
                        .encodingFailed,
                        "the unknown token \(quoted(String(decoding: unknownToken, as: UTF8.self))) is not in the vocabulary")
                }
                if let pending = pendingUnknown {
                    if !fuseUnknown { symbols.append(pending) }
                }
                pendingUnknown = unknownID
            }
        }
        if let pending = pendingUnknown { symbols.append(pending) }
        return symbols
    }

    /// Applies merges lowest rank first (leftmost first among equal ranks) until none applies.
    private func mergeAll(_ ids: inout [Int32]) {
        let n = ids.count
        var next = [Int32](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = Int32(i + 1) }
            buffer[n - 1] = -1
            count = n
        }
        var previous = [Int32](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = Int32(i - 1) }
            count = n
        }
        var heap = MinHeap()
        for i in 0..<(n - 1) {
            if let merge = merges[Self.pairKey(ids[i], ids[i + 1])] {
                heap.push(UInt64(UInt32(merge.rank)) << 32 | UInt64(i))
            }
        }
        while let top = heap.pop() {
            let rank = Int32(truncatingIfNeeded: top >> 32)
            let position = Int(top & 0xFFFF_FFFF)
            guard ids[position] >= 0 else { continue }  // merged into its left neighbour since
            let right = Int(next[position])
            guard right >= 0, let merge = merges[Self.pairKey(ids[position], ids[right])], merge.rank == rank else {
                continue
            }
            ids[position] = merge.id
            ids[right] = -1
            let after = next[right]
            next[position] = after
            if after >= 0 { previous[Int(after)] = Int32(position) }
            let before = previous[position]
            if before >= 0, let m = merges[Self.pairKey(ids[Int(before)], merge.id)] {
                heap.push(UInt64(UInt32(m.rank)) << 32 | UInt64(before))
            }
            if after >= 0, let m = merges[Self.pairKey(merge.id, ids[Int(after)])] {
                heap.push(UInt64(UInt32(m.rank)) << 32 | UInt64(position))
            }
        }
    }
}

/// A binary min-heap of packed (rank, position) keys.
struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(_ value: UInt64) {
        items.append(value)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < items.count && items[left] < items[smallest] { smallest = left }
                if right < items.count && items[right] < items[smallest] { smallest = right }
                if smallest == parent { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }
}

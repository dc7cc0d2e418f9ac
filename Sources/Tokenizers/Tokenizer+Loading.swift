import JSON

/// Builds the pipeline from a parsed `tokenizer.json`, naming the JSON path of anything malformed or unsupported.
struct TokenizerLoader {
    let root: JSONNode
    let limits: TokenizerLimits

    struct Loaded {
        var normalizer: Normalizer?
        var preTokenizer: PreTokenizer?
        var model: BPEModel
        var postProcessor: PostProcessor?
        var decoder: Decoder?
        var addedTokens: [AddedToken]
    }

    func load() throws(TokenizerError) -> Loaded {
        _ = try root.members()  // the document must be an object
        let model = try loadModel(try root.requiredField("model"))
        let addedTokens = try loadAddedTokens(try root.field("added_tokens"))
        return Loaded(
            normalizer: try root.field("normalizer").map { node throws(TokenizerError) in try normalizer(node) },
            preTokenizer: try root.field("pre_tokenizer").map { node throws(TokenizerError) in try preTokenizer(node) },
            model: model,
            postProcessor: try root.field("post_processor").map { node throws(TokenizerError) in
                try postProcessor(node, addedTokens: addedTokens, model: model)
            },
            decoder: try root.field("decoder").map { node throws(TokenizerError) in try decoder(node) },
            addedTokens: addedTokens)
    }

    // MARK: Model

    private func loadModel(_ node: JSONNode) throws(TokenizerError) -> BPEModel {
        let type = try node.string("type")
        if type == "WordLevel" { return try loadWordLevel(node) }
        if let type, type != "BPE" {
            throw node.unsupported("model type \(quoted(type)) (supported: BPE, WordLevel)")
        }
        if type == nil, try node.field("merges") == nil {
            throw node.unsupported("a model without \"type\" or \"merges\" (only BPE is implemented)")
        }
        if let dropout = try node.field("dropout"), try dropout.double() != 0 {
            throw dropout.unsupported("BPE dropout (random segmentation) is not supported")
        }
        var vocabulary: [[UInt8]: Int] = [:]
        let entries = try node.requiredField("vocab").members()
        vocabulary.reserveCapacity(entries.count)
        for (token, idNode) in entries {
            let id = try idNode.int()
            guard id >= 0, id < Int(Int32.max) else { throw idNode.error("must be an id between 0 and 2^31") }
            vocabulary[Array(token.utf8)] = id
        }
        let prefix = try node.string("continuing_subword_prefix").map { Array($0.utf8) }
        var merges: [UInt64: BPEModel.Merge] = [:]
        if let mergesNode = try node.field("merges") {
            let list = try mergesNode.array()
            merges.reserveCapacity(list.count)
            for (rank, item) in list.enumerated() {
                let left: String
                let right: String
                switch item.value {
                case .string(let line):
                    let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                    guard parts.count == 2 else { throw item.error("must be two tokens separated by one space") }
                    left = String(parts[0])
                    right = String(parts[1])
                case .array(let pair) where pair.count == 2:
                    let pairNodes = try item.array()
                    left = try pairNodes[0].string()
                    right = try pairNodes[1].string()
                default:
                    throw item.error("must be a string \"a b\" or a pair of strings")
                }
                guard let leftID = vocabulary[Array(left.utf8)] else {
                    throw item.error("names \(quoted(left)), which is not in model.vocab")
                }
                guard let rightID = vocabulary[Array(right.utf8)] else {
                    throw item.error("names \(quoted(right)), which is not in model.vocab")
                }
                var rightPart = Array(right.utf8)
                if let prefix, rightPart.starts(with: prefix) { rightPart.removeFirst(prefix.count) }
                let merged = Array(left.utf8) + rightPart
                guard let newID = vocabulary[merged] else {
                    throw item.error("makes \(quoted(String(decoding: merged, as: UTF8.self))), which is not in model.vocab")
                }
                merges[BPEModel.pairKey(Int32(leftID), Int32(rightID))] = BPEModel.Merge(rank: Int32(rank), id: Int32(newID))
            }
        }
        return BPEModel(
            vocabulary: vocabulary, merges: merges, unknownToken: try node.string("unk_token").map { Array($0.utf8) },
            fuseUnknown: try node.bool("fuse_unk", default: false),
            byteFallback: try node.bool("byte_fallback", default: false),
            ignoreMerges: try node.bool("ignore_merges", default: false),
            continuingSubwordPrefix: prefix,
            endOfWordSuffix: try node.string("end_of_word_suffix").map { Array($0.utf8) })
    }

    /// `{"type": "WordLevel", "vocab": {…}, "unk_token": "…"}`.
    private func loadWordLevel(_ node: JSONNode) throws(TokenizerError) -> BPEModel {
        var vocabulary: [[UInt8]: Int] = [:]
        for (token, idNode) in try node.requiredField("vocab").members() {
            let id = try idNode.int()
            guard id >= 0, id < Int(Int32.max) else { throw idNode.error("must be an id between 0 and 2^31") }
            vocabulary[Array(token.utf8)] = id
        }
        return BPEModel(
            vocabulary: vocabulary, merges: [:], unknownToken: try node.string("unk_token").map { Array($0.utf8) },
            fuseUnknown: false, byteFallback: false, ignoreMerges: true, continuingSubwordPrefix: nil,
            endOfWordSuffix: nil, wordLevel: true)
    }

    private func loadAddedTokens(_ node: JSONNode?) throws(TokenizerError) -> [AddedToken] {
        guard let node else { return [] }
        var tokens: [AddedToken] = []
        for item in try node.array() {
            let id = try item.requiredField("id").int()
            guard id >= 0, id < Int(Int32.max) else { throw item.error("has an id out of range") }
            let special = try item.bool("special", default: false)
            tokens.append(
                AddedToken(
                    id: id, content: try item.requiredField("content").string(), isSpecial: special,
                    isNormalized: try item.bool("normalized", default: !special),
                    stripsLeft: try item.bool("lstrip", default: false),
                    stripsRight: try item.bool("rstrip", default: false),
                    isSingleWord: try item.bool("single_word", default: false)))
        }
        return tokens
    }

    // MARK: Normalizers

    private func normalizer(_ node: JSONNode) throws(TokenizerError) -> Normalizer {
        let type = try node.typeName()
        switch type {
        case "Sequence":
            var list: [Normalizer] = []
            for item in try node.requiredField("normalizers").array() { list.append(try normalizer(item)) }
            return .sequence(list)
        case "Prepend":
            return .prepend(Array(try node.requiredField("prepend").string().unicodeScalars))
        case "Replace":
            return .replace(
                try pattern(try node.requiredField("pattern")),
                content: Array(try node.requiredField("content").string().unicodeScalars))
        case "Strip":
            return .strip(left: try node.bool("strip_left", default: true), right: try node.bool("strip_right", default: true))
        case "NFC", "NFD", "NFKC", "NFKD":
            return .unicode(Normalizer.UnicodeForm(rawValue: type)!)
        default:
            throw node.unsupported(
                "normalizer type \(quoted(type)) (supported: Sequence, Prepend, Replace, Strip, NFC, NFD, NFKC, NFKD)")
        }
    }

    /// `{"String": "…"}` or `{"Regex": "…"}`.
    private func pattern(_ node: JSONNode) throws(TokenizerError) -> SplitPattern {
        if let literal = try node.field("String") { return .literal(Array(try literal.string().unicodeScalars)) }
        if let regexNode = try node.field("Regex") {
            do { return .regex(try SplitRegex(try regexNode.string())) } catch {
                throw TokenizerError(error.code, "\(root.source): \(regexNode.displayPath): \(error.message)")
            }
        }
        throw node.error("must be {\"String\": …} or {\"Regex\": …}")
    }

    // MARK: Pre-tokenizers

    private func preTokenizer(_ node: JSONNode) throws(TokenizerError) -> PreTokenizer {
        let type = try node.typeName()
        switch type {
        case "Sequence":
            var list: [PreTokenizer] = []
            for item in try node.requiredField("pretokenizers").array() { list.append(try preTokenizer(item)) }
            return .sequence(list)
        case "ByteLevel":
            let regex = try node.bool("use_regex", default: true) ? try SplitRegex(PreTokenizer.gpt2Pattern) : nil
            return .byteLevel(addPrefixSpace: try node.bool("add_prefix_space", default: true), regex: regex)
        case "Split":
            let behaviorNode = try node.requiredField("behavior")
            let name = try behaviorNode.string()
            guard let behavior = SplitBehavior(rawValue: name) else {
                throw behaviorNode.error(
                    "is \(quoted(name)), not Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous")
            }
            return .split(
                try pattern(try node.requiredField("pattern")), behavior: behavior,
                invert: try node.bool("invert", default: false))
        case "Metaspace":
            let replacementNode = try node.requiredField("replacement")
            let replacement = Array(try replacementNode.string().unicodeScalars)
            guard replacement.count == 1 else { throw replacementNode.error("must be a single character") }
            var scheme = PreTokenizer.PrependScheme.always
            if let schemeNode = try node.field("prepend_scheme") {
                let name = try schemeNode.string()
                guard let parsed = PreTokenizer.PrependScheme(rawValue: name) else {
                    throw schemeNode.error("is \(quoted(name)), not always, first or never")
                }
                scheme = parsed
            } else if let legacy = try node.field("add_prefix_space") {
                scheme = try legacy.bool() ? .always : .never
            }
            return .metaspace(replacement: replacement[0], prepend: scheme, split: try node.bool("split", default: true))
        case "Digits":
            return .digits(individual: try node.bool("individual_digits", default: false))
        case "WhitespaceSplit":
            return .whitespaceSplit
        case "Whitespace":
            return .whitespace
        default:
            throw node.unsupported(
                "pre-tokenizer type \(quoted(type)) (supported: Sequence, ByteLevel, Split, Metaspace, Digits, "
                    + "Whitespace, WhitespaceSplit)")
        }
    }

    // MARK: Post-processors

    private func postProcessor(_ node: JSONNode, addedTokens: [AddedToken], model: BPEModel) throws(TokenizerError)
        -> PostProcessor
    {
        let type = try node.typeName()
        switch type {
        case "TemplateProcessing":
            var specials: [String: (ids: [Int], tokens: [String])] = [:]
            if let map = try node.field("special_tokens") {
                for (name, entry) in try map.members() {
                    var ids: [Int] = []
                    for idNode in try entry.requiredField("ids").array() { ids.append(try idNode.int()) }
                    var tokens: [String] = []
                    for tokenNode in try entry.requiredField("tokens").array() { tokens.append(try tokenNode.string()) }
                    guard ids.count == tokens.count else { throw entry.error("needs as many ids as tokens") }
                    specials[name] = (ids, tokens)
                }
            }
            var pieces: [PostProcessor.TemplatePiece] = []
            for item in try node.requiredField("single").array() {
                if let sequence = try item.field("Sequence") {
                    let idNode = try sequence.requiredField("id")
                    guard try idNode.string() == "A" else { throw idNode.error("must be \"A\" in the single template") }
                    pieces.append(.sequence)
                } else if let special = try item.field("SpecialToken") {
                    let idNode = try special.requiredField("id")
                    let name = try idNode.string()
                    guard let entry = specials[name] else {
                        throw idNode.error("names \(quoted(name)), which post_processor.special_tokens lacks")
                    }
                    pieces.append(.special(ids: entry.ids, tokens: entry.tokens))
                } else {
                    throw item.error("must be {\"Sequence\": …} or {\"SpecialToken\": …}")
                }
            }
            return .template(pieces)
        case "ByteLevel":
            return .offsetsOnly
        case "BertProcessing", "RobertaProcessing":
            func pair(_ key: String) throws(TokenizerError) -> (id: Int, token: String) {
                let items = try node.requiredField(key).array()
                guard items.count == 2 else { throw node.error("\(key) must be [token, id]") }
                return (try items[1].int(), try items[0].string())
            }
            let cls = try pair("cls")
            let sep = try pair("sep")
            return .template([
                .special(ids: [cls.id], tokens: [cls.token]), .sequence,
                .special(ids: [sep.id], tokens: [sep.token]),
            ])
        case "Sequence":
            var list: [PostProcessor] = []
            for item in try node.requiredField("processors").array() {
                list.append(try postProcessor(item, addedTokens: addedTokens, model: model))
            }
            return .sequence(list)
        default:
            throw node.unsupported(
                "post-processor type \(quoted(type)) (supported: TemplateProcessing, ByteLevel, BertProcessing, "
                    + "RobertaProcessing, Sequence)")
        }
    }

    // MARK: Decoders

    private func decoder(_ node: JSONNode) throws(TokenizerError) -> Decoder {
        let type = try node.typeName()
        switch type {
        case "Sequence":
            var list: [Decoder] = []
            for item in try node.requiredField("decoders").array() { list.append(try decoder(item)) }
            return .sequence(list)
        case "ByteLevel":
            return .byteLevel
        case "Metaspace":
            let replacementNode = try node.requiredField("replacement")
            let replacement = Array(try replacementNode.string().unicodeScalars)
            guard replacement.count == 1 else { throw replacementNode.error("must be a single character") }
            var strips = true
            if let scheme = try node.string("prepend_scheme") {
                strips = scheme != "never"
            } else if let legacy = try node.field("add_prefix_space") {
                strips = try legacy.bool()
            }
            return .metaspace(replacement: replacement[0], stripsFirst: strips)
        case "Replace":
            return .replace(
                try pattern(try node.requiredField("pattern")),
                content: Array(try node.requiredField("content").string().unicodeScalars))
        case "ByteFallback":
            return .byteFallback
        case "Fuse":
            return .fuse
        case "Strip":
            let contentNode = try node.requiredField("content")
            let content = Array(try contentNode.string().unicodeScalars)
            guard content.count == 1 else { throw contentNode.error("must be a single character") }
            let start = try node.int("start", default: 0)
            let stop = try node.int("stop", default: 0)
            guard start >= 0, stop >= 0 else { throw node.error("start and stop must not be negative") }
            return .strip(content: content[0], start: start, stop: stop)
        default:
            throw node.unsupported(
                "decoder type \(quoted(type)) (supported: Sequence, ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip)")
        }
    }
}

public import Foundation
import JSON

/// A Hugging Face `tokenizer.json` loaded in Swift, encoding text exactly as the Rust `tokenizers` library does for
/// the components documented in `docs/tokenizers.md` (BPE models with their normalizers, pre-tokenizers, added
/// tokens, post-processors and decoders). An unsupported component is a load error naming its JSON path.
///
/// ```swift
/// let tokenizer = try Tokenizer(contentsOf: directory.appendingPathComponent("tokenizer.json"))
/// let encoding = try tokenizer.encode("pick up the cube\n")      // ids, tokens, special-token mask
/// let text = tokenizer.decode(encoding.ids, skipSpecialTokens: true)
/// ```
public struct Tokenizer: Sendable {
    let normalizer: Normalizer?
    let preTokenizer: PreTokenizer?
    let model: BPEModel
    let postProcessor: PostProcessor?
    let decoder: Decoder?
    /// Added tokens matched in the raw text, then those matched in the normalized text.
    let rawMatcher: AddedTokenMatcher
    let normalizedMatcher: AddedTokenMatcher
    let idToToken: [Int: String]
    let addedTokenIDs: [[UInt8]: Int]
    let specialTokenIDs: Set<Int>
    public let limits: TokenizerLimits
    /// The added tokens, in file order.
    public let addedTokens: [AddedToken]

    /// Reads and loads `url` (a `tokenizer.json`).
    public init(contentsOf url: URL, limits: TokenizerLimits = .default) throws(TokenizerError) {
        let source = url.path
        let size: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw TokenizerError(.invalidFile, "\(source) cannot be read: \(error.localizedDescription)")
        }
        guard size <= limits.maxFileBytes else {
            throw TokenizerError(.invalidFile, "\(source): \(size) bytes is over the \(limits.maxFileBytes)-byte limit")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TokenizerError(.invalidFile, "\(source) cannot be read: \(error.localizedDescription)")
        }
        try self.init(json: [UInt8](data), source: source, limits: limits)
    }

    /// Loads a `tokenizer.json` document; `source` names it in errors.
    public init(json: [UInt8], source: String = "tokenizer.json", limits: TokenizerLimits = .default)
        throws(TokenizerError)
    {
        guard json.count <= limits.maxFileBytes else {
            throw TokenizerError(.invalidFile, "\(source): \(json.count) bytes is over the \(limits.maxFileBytes)-byte limit")
        }
        let document: JSONValue
        do { document = try JSONValue(parsing: json, maxDepth: limits.maxJSONDepth) } catch {
            throw TokenizerError(.invalidFile, "\(source) is not valid JSON: \(error)")
        }
        let root = JSONNode(document, path: "", source: source)
        let loaded = try TokenizerLoader(root: root, limits: limits).load()
        normalizer = loaded.normalizer
        preTokenizer = loaded.preTokenizer
        model = loaded.model
        postProcessor = loaded.postProcessor
        decoder = loaded.decoder
        addedTokens = loaded.addedTokens
        self.limits = limits

        var idToToken: [Int: String] = [:]
        idToToken.reserveCapacity(model.vocabulary.count + addedTokens.count)
        for (bytes, id) in model.vocabulary { idToToken[id] = String(decoding: bytes, as: UTF8.self) }
        var addedTokenIDs: [[UInt8]: Int] = [:]
        for token in addedTokens {
            idToToken[token.id] = token.content
            addedTokenIDs[Array(token.content.utf8)] = token.id
        }
        self.addedTokenIDs = addedTokenIDs
        specialTokenIDs = Set(addedTokens.filter(\.isSpecial).map(\.id))

        let raw = addedTokens.filter { !$0.isNormalized }
        rawMatcher = AddedTokenMatcher(tokens: raw, patterns: raw.map { Array($0.content.unicodeScalars) })
        let normalized = addedTokens.filter(\.isNormalized)
        var patterns: [[Unicode.Scalar]] = []
        for token in normalized {
            var piece = TextPiece(Array(token.content.unicodeScalars), startingAt: 0)
            if let normalizer = loaded.normalizer {
                do { try normalizer.apply(&piece, limits: limits) } catch {
                    throw TokenizerError(
                        .invalidFile, "\(source): added token \(quoted(token.content)) cannot be normalized: \(error.message)")
                }
            }
            patterns.append(piece.scalars)
            // The Rust library stores a normalized token under its normalized form: that is what decoding sees.
            idToToken[token.id] = piece.string
        }
        normalizedMatcher = AddedTokenMatcher(tokens: normalized, patterns: patterns)
        self.idToToken = idToToken
    }

    /// The id of a token (added tokens first, then the model's vocabulary), compared by its exact scalars.
    public func id(forToken token: String) -> Int? {
        let bytes = Array(token.utf8)
        return addedTokenIDs[bytes] ?? model.vocabulary[bytes]
    }

    /// The token of an id.
    public func token(forID id: Int) -> String? { idToToken[id] }

    /// How many special tokens the post-processor adds around one sequence.
    public var specialTokenCount: Int { postProcessor?.addedTokenCount ?? 0 }

    /// Whether `id` belongs to a special added token.
    public func isSpecialToken(_ id: Int) -> Bool { specialTokenIDs.contains(id) }
}

/// The result of ``Tokenizer/encode(_:addSpecialTokens:truncation:)``.
public struct Encoding: Sendable, Hashable {
    public var ids: [Int]
    /// Each id's token: the vocabulary entry, or for an added token the text it matched (with any stripped
    /// whitespace), as the Rust library reports them.
    public var tokens: [String]
    /// True where the post-processor added the token.
    public var specialTokensMask: [Bool]

    public init(ids: [Int], tokens: [String], specialTokensMask: [Bool]) {
        self.ids = ids
        self.tokens = tokens
        self.specialTokensMask = specialTokensMask
    }
}

/// Which end of a too-long sequence is cut.
public enum TruncationSide: String, Sendable, Hashable {
    case right, left
}

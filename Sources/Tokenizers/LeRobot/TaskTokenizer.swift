public import Foundation
public import JSON

/// LeRobot's `tokenizer_processor` step in Swift: the task string of an observation → `observation.language.tokens`
/// and `observation.language.attention_mask`, as `transformers` gives them for
/// `tokenizer(task, max_length=…, truncation=…, padding=…, padding_side=…)` with a fast tokenizer:
///
/// 1. (pi0 / SmolVLA) `pi0_new_line_processor` / `smolvla_new_line_processor` append `"\n"` when the task does not
///    already end with one (see ``LeRobotPrompt``);
/// 2. the text is encoded with the special tokens of the post-processor (PaliGemma: `<bos>` first);
/// 3. with `truncation`, the text tokens are cut (on the tokenizer's truncation side, right by default) so that
///    text + special tokens fit `max_length`;
/// 4. `padding: "max_length"` pads to `max_length` with the tokenizer's pad token on `padding_side` (LeRobot passes
///    "right"); `"longest"` (SmolVLA's default) pads a single task to its own length, i.e. not at all;
/// 5. the mask is true for every token that is not padding.
public struct TaskTokenizer: Sendable {
    /// `padding` of the step.
    public enum Padding: String, Sendable, Hashable {
        case maxLength = "max_length"
        case longest = "longest"
        case doNotPad = "do_not_pad"
    }

    /// `padding_side` of the step.
    public enum PaddingSide: String, Sendable, Hashable {
        case right, left
    }

    public struct Configuration: Sendable, Hashable {
        public var maxLength: Int
        public var padding: Padding
        public var paddingSide: PaddingSide
        public var truncation: Bool
        public var truncationSide: TruncationSide
        /// Whether a new-line step runs before the tokenizer (pi0, SmolVLA).
        public var appendsNewline: Bool

        public init(
            maxLength: Int, padding: Padding = .maxLength, paddingSide: PaddingSide = .right, truncation: Bool = true,
            truncationSide: TruncationSide = .right, appendsNewline: Bool = false
        ) {
            self.maxLength = maxLength
            self.padding = padding
            self.paddingSide = paddingSide
            self.truncation = truncation
            self.truncationSide = truncationSide
            self.appendsNewline = appendsNewline
        }

        /// pi0: PaliGemma's tokenizer, new line appended, 48 tokens, padded right to `max_length`.
        public static func pi0(maxLength: Int = 48) -> Self { Self(maxLength: maxLength, appendsNewline: true) }
        /// pi0.5: the prompt of ``LeRobotPrompt/pi05(task:normalizedState:maxStateDimension:)``, 200 tokens, padded
        /// right to `max_length`.
        public static func pi05(maxLength: Int = 200) -> Self { Self(maxLength: maxLength) }
        /// SmolVLA: the VLM's tokenizer, new line appended, at most 48 tokens, padding "longest" (`pad_language_to`).
        public static func smolVLA(maxLength: Int = 48, padding: Padding = .longest) -> Self {
            Self(maxLength: maxLength, padding: padding, appendsNewline: true)
        }

        /// Reads the `config` of a `tokenizer_processor` step of `policy_preprocessor.json` (`max_length`, `padding`,
        /// `padding_side`, `truncation`; LeRobot's defaults 512 / "max_length" / "right" / true when absent).
        /// `appendsNewline` says whether the pipeline has a new-line step before it.
        public init(processorStep config: JSONValue, appendsNewline: Bool) throws(TokenizerError) {
            func fail(_ why: String) -> TokenizerError { TokenizerError(.invalidFile, "tokenizer_processor config: \(why)") }
            guard config.object != nil else { throw fail("must be an object, got \(config.kindName)") }
            var maxLength = 512
            if let value = config["max_length"] {
                guard let number = value.int, number > 0 else { throw fail("max_length must be a positive integer") }
                maxLength = number
            }
            var padding = Padding.maxLength
            if let value = config["padding"] {
                if let name = value.string {
                    guard let parsed = Padding(rawValue: name) else {
                        throw fail("padding \(quoted(name)) is not max_length, longest or do_not_pad")
                    }
                    padding = parsed
                } else if let flag = value.bool {
                    padding = flag ? .longest : .doNotPad
                } else {
                    throw fail("padding must be a string or a boolean")
                }
            }
            var side = PaddingSide.right
            if let value = config["padding_side"] {
                guard let name = value.string, let parsed = PaddingSide(rawValue: name) else {
                    throw fail("padding_side must be \"right\" or \"left\"")
                }
                side = parsed
            }
            var truncation = true
            if let value = config["truncation"] {
                if let flag = value.bool {
                    truncation = flag
                } else if let name = value.string {
                    switch name {
                    case "longest_first", "only_first": truncation = true
                    case "do_not_truncate": truncation = false
                    default: throw fail("truncation \(quoted(name)) is not supported")
                    }
                } else {
                    throw fail("truncation must be a boolean or a strategy name")
                }
            }
            self.init(
                maxLength: maxLength, padding: padding, paddingSide: side, truncation: truncation,
                appendsNewline: appendsNewline)
        }
    }

    /// Token ids and attention mask of one task, ready for `observation.language.tokens` (int64) and
    /// `observation.language.attention_mask` (bool).
    public struct Output: Sendable, Hashable {
        public var ids: [Int]
        public var attentionMask: [Bool]
    }

    public let tokenizer: Tokenizer
    public let configuration: Configuration
    /// The pad token's id (needed unless `padding` never pads).
    public let padTokenID: Int?

    public init(tokenizer: Tokenizer, configuration: Configuration, padTokenID: Int?) throws(TokenizerError) {
        if configuration.padding == .maxLength && padTokenID == nil {
            throw TokenizerError(
                .invalidFile,
                "padding to max_length needs a pad token, and the tokenizer has none (tokenizer_config.json pad_token)")
        }
        self.tokenizer = tokenizer
        self.configuration = configuration
        self.padTokenID = padTokenID
    }

    /// Loads `tokenizer.json` from `directory` and the pad token (and `truncation_side`) from its
    /// `tokenizer_config.json` / `special_tokens_map.json`, as `AutoTokenizer.from_pretrained(directory)` would.
    public init(directory: URL, configuration: Configuration, limits: TokenizerLimits = .default) throws(TokenizerError) {
        let tokenizer = try Tokenizer(contentsOf: directory.appendingPathComponent("tokenizer.json"), limits: limits)
        var configuration = configuration
        var padToken: String?
        for name in ["tokenizer_config.json", "special_tokens_map.json"] where padToken == nil {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let data: Data
            do { data = try Data(contentsOf: url) } catch {
                throw TokenizerError(.invalidFile, "\(url.path) cannot be read: \(error.localizedDescription)")
            }
            let object: JSONValue
            do { object = try JSONValue(parsing: [UInt8](data)) } catch {
                throw TokenizerError(.invalidFile, "\(url.path) is not valid JSON: \(error)")
            }
            guard object.object != nil else { throw TokenizerError(.invalidFile, "\(url.path) is not a JSON object") }
            if let token = object["pad_token"]?.string {
                padToken = token
            } else if let token = object["pad_token"]?["content"]?.string {
                padToken = token
            }
            if name == "tokenizer_config.json", let side = object["truncation_side"]?.string {
                guard let parsed = TruncationSide(rawValue: side) else {
                    throw TokenizerError(.invalidFile, "\(url.path): truncation_side must be \"right\" or \"left\"")
                }
                configuration.truncationSide = parsed
            }
        }
        var padID: Int?
        if let padToken {
            guard let id = tokenizer.id(forToken: padToken) else {
                throw TokenizerError(.invalidFile, "the pad token \(quoted(padToken)) is not in the tokenizer's vocabulary")
            }
            padID = id
        }
        try self.init(tokenizer: tokenizer, configuration: configuration, padTokenID: padID)
    }

    /// Tokenizes one task the way LeRobot's pre-processor does (new line, special tokens, truncation, padding).
    public func callAsFunction(_ task: String) throws(TokenizerError) -> Output {
        let text = configuration.appendsNewline ? LeRobotPrompt.withNewline(task) : task
        let truncation = configuration.truncation ? (configuration.maxLength, configuration.truncationSide) : nil
        let encoding = try tokenizer.encode(text, addSpecialTokens: true, truncation: truncation)
        var ids = encoding.ids
        var mask = Array(repeating: true, count: ids.count)
        if configuration.padding == .maxLength, ids.count < configuration.maxLength, let padTokenID {
            let count = configuration.maxLength - ids.count
            switch configuration.paddingSide {
            case .right:
                ids += repeatElement(padTokenID, count: count)
                mask += repeatElement(false, count: count)
            case .left:
                ids = Array(repeating: padTokenID, count: count) + ids
                mask = Array(repeating: false, count: count) + mask
            }
        }
        return Output(ids: ids, attentionMask: mask)
    }
}

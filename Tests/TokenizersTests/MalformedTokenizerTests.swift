import Foundation
import Testing
import Tokenizers

/// Malformed, unsupported and oversized inputs are errors that name what is wrong, never traps.
@Suite("Tokenizers: malformed files, unsupported components, limits")
struct MalformedTokenizerTests {
    static let minimalModel = #""model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}"#

    struct Case: Sendable, CustomTestStringConvertible {
        var json: String
        var code: TokenizerError.Code
        /// Words the message must contain (the JSON path or the component's name).
        var mentions: [String]
        var testDescription: String { mentions.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(json: "", code: .invalidFile, mentions: ["not valid JSON"]),
        Case(json: "{", code: .invalidFile, mentions: ["not valid JSON"]),
        Case(json: "[1, 2]", code: .invalidFile, mentions: ["must be an object"]),
        Case(json: "{} trailing", code: .invalidFile, mentions: ["after the JSON value"]),
        Case(json: #"{"model": {"vocab": {"a": 0}, "merges": []}, }"#, code: .invalidFile, mentions: ["not valid JSON"]),
        Case(json: #"{"a": "\ud800"}"#, code: .invalidFile, mentions: ["surrogate"]),
        Case(json: #"{"a": "\x"}"#, code: .invalidFile, mentions: ["escape"]),
        Case(json: "{\"a\": \"tab\there\"}", code: .invalidFile, mentions: ["control character"]),
        Case(
            json: String(repeating: "[", count: 100) + String(repeating: "]", count: 100), code: .invalidFile,
            mentions: ["nesting"]),
        Case(json: "{}", code: .invalidFile, mentions: ["\"model\""]),
        Case(
            json: #"{"model": {"type": "WordPiece", "vocab": {}}}"#, code: .unsupportedComponent,
            mentions: ["model", "WordPiece"]),
        Case(json: #"{"model": {"type": "Unigram", "vocab": []}}"#, code: .unsupportedComponent, mentions: ["Unigram"]),
        Case(
            json: #"{"model": {"type": "BPE", "vocab": {"a": "zero"}, "merges": []}}"#, code: .invalidFile,
            mentions: ["model.vocab.a", "integer"]),
        Case(
            json: #"{"model": {"type": "BPE", "vocab": {"a": -1}, "merges": []}}"#, code: .invalidFile,
            mentions: ["model.vocab.a"]),
        Case(
            json: #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a c"]}}"#, code: .invalidFile,
            mentions: ["model.merges[0]", "\"c\""]),
        Case(
            json: #"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]}}"#, code: .invalidFile,
            mentions: ["model.merges[0]", "\"ab\""]),
        Case(
            json: #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a a a"]}}"#, code: .invalidFile,
            mentions: ["model.merges[0]"]),
        Case(
            json: #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [["a"]]}}"#, code: .invalidFile,
            mentions: ["model.merges[0]"]),
        Case(
            json: #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [], "dropout": 0.1}}"#,
            code: .unsupportedComponent, mentions: ["model.dropout"]),
        Case(
            json: #"{"normalizer": {"type": "Lowercase"}, \#(minimalModel)}"#, code: .unsupportedComponent,
            mentions: ["normalizer", "Lowercase"]),
        Case(
            json: #"{"normalizer": {"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Precompiled"}]}, \#(minimalModel)}"#,
            code: .unsupportedComponent, mentions: ["normalizer.normalizers[1]", "Precompiled"]),
        Case(
            json: #"{"normalizer": {"prepend": "x"}, \#(minimalModel)}"#, code: .invalidFile,
            mentions: ["normalizer", "\"type\""]),
        Case(
            json:
                #"{"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Digits"}, {"type": "Punctuation"}]}, \#(minimalModel)}"#,
            code: .unsupportedComponent, mentions: ["pre_tokenizer.pretokenizers[1]", "Punctuation"]),
        Case(
            json: #"{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(?<=a)b"}, "behavior": "Isolated"}, \#(minimalModel)}"#,
            code: .unsupportedComponent, mentions: ["pre_tokenizer.pattern.Regex", "lookbehind"]),
        Case(
            json: #"{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "\\p{Han}+"}, "behavior": "Isolated"}, \#(minimalModel)}"#,
            code: .unsupportedComponent, mentions: ["Han"]),
        Case(
            json: #"{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(a"}, "behavior": "Isolated"}, \#(minimalModel)}"#,
            code: .invalidFile, mentions: ["missing ')'"]),
        Case(
            json: #"{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(a*)*"}, "behavior": "Isolated"}, \#(minimalModel)}"#,
            code: .unsupportedComponent, mentions: ["match nothing"]),
        Case(
            json: #"{"pre_tokenizer": {"type": "Split", "pattern": {"String": " "}, "behavior": "Sideways"}, \#(minimalModel)}"#,
            code: .invalidFile, mentions: ["pre_tokenizer.behavior", "Sideways"]),
        Case(
            json: #"{"pre_tokenizer": {"type": "Metaspace", "replacement": "ab"}, \#(minimalModel)}"#,
            code: .invalidFile, mentions: ["pre_tokenizer.replacement"]),
        Case(
            json:
                #"{"post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}], "special_tokens": {}}, \#(minimalModel)}"#,
            code: .invalidFile, mentions: ["post_processor.single[0].SpecialToken.id", "<s>"]),
        Case(
            json: #"{"post_processor": {"type": "Unknown"}, \#(minimalModel)}"#, code: .unsupportedComponent,
            mentions: ["post_processor", "Unknown"]),
        Case(
            json: #"{"decoder": {"type": "WordPiece"}, \#(minimalModel)}"#, code: .unsupportedComponent,
            mentions: ["decoder", "WordPiece"]),
        Case(
            json: #"{"added_tokens": [{"content": "<s>"}], \#(minimalModel)}"#, code: .invalidFile,
            mentions: ["added_tokens[0]", "\"id\""]),
        Case(
            json: #"{"added_tokens": {"id": 1}, \#(minimalModel)}"#, code: .invalidFile,
            mentions: ["added_tokens", "array"]),
    ]

    @Test("malformed or unsupported tokenizer.json → a typed error naming the JSON path", arguments: cases)
    func malformed(_ entry: Case) {
        do {
            _ = try Tokenizer(json: Array(entry.json.utf8), source: "tokenizer.json")
            Issue.record("loaded \(entry.json)")
        } catch {
            #expect(error.code == entry.code, "\(error)")
            for word in entry.mentions { #expect(error.message.contains(word), "\(error.message) lacks \(word)") }
        }
    }

    @Test("every cut of a real tokenizer.json is an error, not a trap")
    func truncations() throws {
        let bytes = [UInt8](try Data(contentsOf: ReferenceData.fixtures.appendingPathComponent("paligemma-bpe.json")))
        var cuts = 0
        for end in stride(from: 0, to: bytes.count - 2, by: 97) {
            #expect(throws: TokenizerError.self) { try Tokenizer(json: Array(bytes[..<end])) }
            cuts += 1
        }
        #expect(cuts > 300)
        // Flipping bytes into invalid UTF-8 is an error too.
        var corrupted = bytes
        corrupted[bytes.count / 2] = 0xFF
        #expect(throws: TokenizerError.self) { try Tokenizer(json: corrupted) }
    }

    @Test("a missing file, a file over the size limit, a text over the input limit")
    func limits() throws {
        #expect(throws: TokenizerError.self) {
            try Tokenizer(contentsOf: URL(fileURLWithPath: "/nonexistent/tokenizer.json"))
        }
        var small = TokenizerLimits()
        small.maxFileBytes = 1_000
        #expect(throws: TokenizerError.self) {
            try Tokenizer(contentsOf: ReferenceData.fixtures.appendingPathComponent("gpt2-legacy.json"), limits: small)
        }
        var limits = TokenizerLimits()
        limits.maxInputBytes = 64
        let tokenizer = try Tokenizer(
            contentsOf: ReferenceData.fixtures.appendingPathComponent("smolvlm-bytelevel.json"), limits: limits)
        _ = try tokenizer.encode(String(repeating: "a", count: 64))
        do {
            _ = try tokenizer.encode(String(repeating: "a", count: 65))
            Issue.record("a 65-byte text passed a 64-byte limit")
        } catch {
            #expect(error.code == .inputTooLarge)
        }
    }

    @Test("a catastrophically backtracking regex fails the encode within its budget")
    func regexBudget() throws {
        let json =
            #"{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(a|aa)+$|x"}, "behavior": "Isolated"}, \#(Self.minimalModel)}"#
        let tokenizer = try Tokenizer(json: Array(json.utf8))
        // No match in "aab" (the `$` fails before the b): one piece, merged to a + ab.
        #expect(try tokenizer.encode("aab").ids == [0, 2])
        #expect(try tokenizer.encode("aa\nb").ids == [0, 0, 1])
        do {
            _ = try tokenizer.encode(String(repeating: "a", count: 60) + "b")
            Issue.record("an exponential match finished")
        } catch {
            #expect(error.code == .encodingFailed)
            #expect(error.message.contains("budget"))
        }
    }

    @Test("a missing unknown token fails only when it is needed")
    func missingUnknownToken() throws {
        let json = #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [], "unk_token": "<unk>"}}"#
        let tokenizer = try Tokenizer(json: Array(json.utf8))
        #expect(try tokenizer.encode("aa").ids == [0, 0])
        #expect(throws: TokenizerError.self) { try tokenizer.encode("ab") }
    }
}

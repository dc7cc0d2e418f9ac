import Foundation
import Testing
import Tokenizers

/// The Swift tokenizer against the Rust `tokenizers` library on every fixture and variant and every text: ids with
/// and without special tokens, tokens, and decoding with and without special tokens must agree exactly.
@Suite("Tokenizers: token for token against Hugging Face tokenizers")
struct EncodingParityTests {
    /// The committed fixtures (checkpoint styles) and the variants the reference script writes.
    static let expectedTokenizers = [
        "gpt2-legacy", "llama-metaspace", "llama-prepend", "llama3-split", "paligemma-bpe", "smolvlm-bytelevel",
    ]

    /// Unicode normalization (Foundation here, the `unicode-normalization` crate in Rust) agrees on ordinary text
    /// but not on the sweep's long runs of combining marks nor on characters of recent Unicode versions, which the
    /// two sides' tables classify differently: these tokenizers are compared on every text but the sweep.
    static let normalizingTokenizers: Set<String> = ["bl-nfd", "bl-nfkc", "bl-nfkd", "bl-qwen2"]

    @Test("the reference covers every fixture, the variants and 500+ texts")
    func coverage() throws {
        let reference = try ReferenceData.load()
        #expect(reference.texts.count >= 500)
        #expect(reference.sweep.count >= 8)
        #expect(Self.normalizingTokenizers.isSubset(of: Set(reference.tokenizers.map(\.name))))
        let names = Set(reference.tokenizers.map(\.name))
        for name in Self.expectedTokenizers { #expect(names.contains(name), "missing fixture \(name)") }
        #expect(reference.tokenizers.count >= 30)
        for entry in reference.tokenizers { #expect(entry.results.count == reference.texts.count, "\(entry.name)") }
        // The curated strings include the empty string, CJK, emoji, combining marks and a 3000-scalar string.
        #expect(reference.texts.contains(""))
        #expect(reference.texts.contains { $0.unicodeScalars.count >= 3000 })
    }

    @Test("ids, tokens, ids without special tokens and decoded text match for every tokenizer and text")
    func parity() throws {
        let reference = try ReferenceData.load()
        var compared = 0
        var skipped = 0
        for entry in reference.tokenizers {
            let tokenizer = try Tokenizer(contentsOf: URL(fileURLWithPath: entry.path))
            var mismatches = 0
            for (index, (text, want)) in zip(reference.texts, entry.results).enumerated() {
                if Self.normalizingTokenizers.contains(entry.name) && reference.sweep.contains(index) {
                    skipped += 1
                    continue
                }
                let label = "\(entry.name) on \(String(text.debugQuoted.prefix(120)))"
                let got = try tokenizer.encode(text)
                let plain = try tokenizer.encode(text, addSpecialTokens: false)
                let decoded = tokenizer.decode(got.ids).bytes
                let decodedSkip = tokenizer.decode(got.ids, skipSpecialTokens: true).bytes
                var ok = true
                if got.ids != want.ids {
                    ok = false
                    Issue.record("\(label): ids \(got.ids.prefix(60)) != \(want.ids.prefix(60))")
                } else if got.tokens.map(\.bytes) != want.tokens {
                    ok = false
                    Issue.record("\(label): tokens \(got.tokens.prefix(30)) != \(want.tokens.prefix(30).map(\.text))")
                }
                if plain.ids != want.plainIDs {
                    ok = false
                    Issue.record("\(label): ids without special tokens differ")
                }
                if decoded != want.decoded {
                    ok = false
                    Issue.record("\(label): decoded \(decoded.text.debugQuoted) != \(want.decoded.text.debugQuoted)")
                }
                if decodedSkip != want.decodedSkippingSpecial {
                    ok = false
                    let wanted = want.decodedSkippingSpecial.text.debugQuoted
                    Issue.record("\(label): decoded (skipping special) \(decodedSkip.text.debugQuoted) != \(wanted)")
                }
                if !ok {
                    mismatches += 1
                    if mismatches >= 8 {
                        Issue.record("\(entry.name): stopping after 8 mismatching texts")
                        break
                    }
                }
                compared += 1
            }
        }
        #expect(skipped == Self.normalizingTokenizers.count * reference.sweep.count)
        #expect(compared + skipped == reference.tokenizers.count * reference.texts.count)
    }

    @Test("the special-token mask marks exactly what the post-processor added")
    func specialTokensMask() throws {
        let url = ReferenceData.fixtures.appendingPathComponent("paligemma-bpe.json")
        let tokenizer = try Tokenizer(contentsOf: url)
        let encoding = try tokenizer.encode("<bos>pick up the cube")
        #expect(encoding.ids.first == 2)
        #expect(encoding.specialTokensMask.first == true)
        // The <bos> in the text is an added token, not one the post-processor added.
        #expect(encoding.ids[1] == 2 && encoding.specialTokensMask[1] == false)
        #expect(tokenizer.specialTokenCount == 1)
        #expect(tokenizer.id(forToken: "<bos>") == 2)
        #expect(tokenizer.token(forID: 2) == "<bos>")
        #expect(tokenizer.isSpecialToken(2))
    }

    @Test("vocabulary lookups keep canonically equivalent strings apart")
    func canonicalEquivalence() throws {
        // "é" and "e\u{301}" are equal as Swift Strings but different tokens.
        let json = #"{"model": {"type": "BPE", "vocab": {"é": 0, "e": 1, "\u0301": 2, "e\u0301": 3}, "merges": [["e", "\u0301"]]}}"#
        let tokenizer = try Tokenizer(json: Array(json.utf8))
        #expect(try tokenizer.encode("\u{E9}").ids == [0])
        #expect(try tokenizer.encode("e\u{301}").ids == [3])
        #expect(tokenizer.id(forToken: "\u{E9}") == 0)
        #expect(tokenizer.id(forToken: "e\u{301}") == 3)
    }
}

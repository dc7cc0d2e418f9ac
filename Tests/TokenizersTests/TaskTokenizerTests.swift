import Foundation
import InteropSupport
import JSON
import Testing
import Tokenizers

/// LeRobot's tokenizer step (new line, special tokens, truncation, padding, mask) and pi0.5's prompt, against the
/// same recipe run with the Rust library and numpy.
@Suite("Tokenizers: LeRobot's task tokenization")
struct TaskTokenizerTests {
    @Test("pi0 / pi0.5 / SmolVLA-style configurations: ids and attention mask match transformers' recipe")
    func lerobotCases() throws {
        let reference = try ReferenceData.load()
        #expect(reference.lerobot.count == 8 * reference.texts.count)
        var tokenizers: [String: Tokenizer] = [:]
        var failures = 0
        for entry in reference.lerobot {
            let tokenizer = try tokenizers[entry.path] ?? Tokenizer(contentsOf: URL(fileURLWithPath: entry.path))
            tokenizers[entry.path] = tokenizer
            let configuration = TaskTokenizer.Configuration(
                maxLength: entry.maxLength, padding: TaskTokenizer.Padding(rawValue: entry.padding)!,
                paddingSide: TaskTokenizer.PaddingSide(rawValue: entry.paddingSide)!, truncation: entry.truncation,
                truncationSide: TruncationSide(rawValue: entry.truncationSide)!, appendsNewline: entry.newline)
            let task = try TaskTokenizer(tokenizer: tokenizer, configuration: configuration, padTokenID: entry.padID)
            let prompt = entry.newline ? LeRobotPrompt.withNewline(entry.text) : entry.text
            #expect(prompt.bytes == entry.prompt, "new line rule on \(entry.text.debugQuoted)")
            let output = try task(entry.text)
            if output.ids != entry.ids || output.attentionMask != entry.mask.map({ $0 != 0 }) {
                failures += 1
                Issue.record(
                    """
                    \(entry.tokenizer) \(entry.padding) \(entry.maxLength) \(entry.paddingSide) on \
                    \(String(entry.text.debugQuoted.prefix(80))): \(output.ids) != \(entry.ids)
                    """)
                if failures > 10 { break }
            }
            if entry.padding == "max_length" && (entry.truncation || entry.ids.count <= entry.maxLength) {
                #expect(output.ids.count == entry.maxLength)
            }
        }
    }

    @Test("pi0.5 prompt: task cleaning and 256-bin state discretization match numpy")
    func pi05Prompt() throws {
        let reference = try ReferenceData.load()
        #expect(reference.pi05.count == 60)
        for entry in reference.pi05 {
            let prompt = LeRobotPrompt.pi05(
                task: entry.task, normalizedState: entry.state, maxStateDimension: entry.maxStateDimension)
            #expect(prompt.bytes == entry.prompt, "\(prompt.debugQuoted) != \(entry.prompt.text.debugQuoted)")
        }
    }

    @Test("pi0.5 state bins at the edges: numpy's exact comparisons, tiny values on the right side of 0")
    func pi05StateBinEdges() {
        #expect(LeRobotPrompt.stateBin(-1) == 0 && LeRobotPrompt.stateBin(-1.0000001) == -1)
        #expect(LeRobotPrompt.stateBin(1) == 255 && LeRobotPrompt.stateBin(0.99999994) == 255)
        #expect(LeRobotPrompt.stateBin(0) == 128 && LeRobotPrompt.stateBin(-1e-30) == 127 && LeRobotPrompt.stateBin(1e-30) == 128)
        #expect(LeRobotPrompt.stateBin(-Float.leastNonzeroMagnitude) == 127)
        #expect(LeRobotPrompt.stateBin(-0.9921875) == 1 && LeRobotPrompt.stateBin(-0.99218756) == 0)
        #expect(LeRobotPrompt.stateBin(.nan) == 255 && LeRobotPrompt.stateBin(-.infinity) == -1 && LeRobotPrompt.stateBin(.infinity) == 255)
    }

    @Test("the new-line rule is Python's endswith on scalars")
    func newline() {
        #expect(LeRobotPrompt.withNewline("pick") == "pick\n")
        #expect(LeRobotPrompt.withNewline("pick\n") == "pick\n")
        #expect(LeRobotPrompt.withNewline("pick\r\n").unicodeScalars.count == 6)
        #expect(LeRobotPrompt.withNewline("") == "\n")
    }

    @Test("configuration from a tokenizer_processor step and a tokenizer directory with tokenizer_config.json")
    func fromCheckpointFiles() throws {
        let directory = try PythonRunner.temporaryDirectory("task-tokenizer")
        try FileManager.default.copyItem(
            at: ReferenceData.fixtures.appendingPathComponent("paligemma-bpe.json"),
            to: directory.appendingPathComponent("tokenizer.json"))
        try Data(#"{"pad_token": {"content": "<pad>", "special": true}, "truncation_side": "left"}"#.utf8)
            .write(to: directory.appendingPathComponent("tokenizer_config.json"))
        let step = try JSONValue(
            parsing: #"""
                {"max_length": 8, "task_key": "task", "padding_side": "right", "padding": "max_length",
                 "truncation": true, "tokenizer_name": "google/paligemma-3b-pt-224"}
                """#)
        let configuration = try TaskTokenizer.Configuration(processorStep: step, appendsNewline: true)
        #expect(configuration == TaskTokenizer.Configuration(maxLength: 8, appendsNewline: true))
        let task = try TaskTokenizer(directory: directory, configuration: configuration)
        #expect(task.padTokenID == 0)
        #expect(task.configuration.truncationSide == .left)
        let short = try task("cube")
        #expect(short.ids.count == 8 && short.ids.first == 2 && short.ids.last == 0)
        #expect(short.attentionMask.filter { $0 }.count == short.ids.filter { $0 != 0 }.count)
        // Left truncation keeps <bos> and the end of the text (the new line).
        let sentence = "pick up the red cube and place it in the bowl"
        let long = try task(sentence)
        let content = try task.tokenizer.encode(sentence + "\n", addSpecialTokens: false).ids
        #expect(content.count > 7)
        #expect(long.ids == [2] + content.suffix(7))
        #expect(long.attentionMask == Array(repeating: true, count: 8))

        let defaults = try TaskTokenizer.Configuration(processorStep: [:], appendsNewline: false)
        #expect(defaults == TaskTokenizer.Configuration(maxLength: 512))
        #expect(throws: TokenizerError.self) {
            try TaskTokenizer.Configuration(processorStep: ["padding": "sideways"], appendsNewline: false)
        }
        #expect(throws: TokenizerError.self) {
            try TaskTokenizer.Configuration(processorStep: ["max_length": -3], appendsNewline: false)
        }
        // Padding to max_length without a pad token is an error, as in transformers.
        #expect(throws: TokenizerError.self) {
            try TaskTokenizer(tokenizer: task.tokenizer, configuration: .pi0(), padTokenID: nil)
        }
        // A max length smaller than the special tokens cannot be met.
        let tiny = try TaskTokenizer(tokenizer: task.tokenizer, configuration: .init(maxLength: 0), padTokenID: 0)
        #expect(throws: TokenizerError.self) { try tiny("cube") }
    }
}

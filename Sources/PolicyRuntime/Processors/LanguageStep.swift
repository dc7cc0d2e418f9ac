public import Foundation
import JSON
public import Tokenizers

/// LeRobot's language steps in Swift: `pi0_new_line_processor` / `smolvla_new_line_processor` (append `"\n"` to the
/// task) followed by `tokenizer_processor` (the task → `observation.language.tokens` and
/// `observation.language.attention_mask`).
///
/// The step names its tokenizer by `tokenizer_name`, usually a Hub id (`HuggingFaceTB/SmolVLM2-500M-Video-Instruct`).
/// The server never downloads it separately: the tokenizer files travel in the model package. They are looked up in
/// this order:
/// 1. `<package>/onnx/tokenizer/` (`tools/export_onnx.py` saves the checkpoint's tokenizer there);
/// 2. `<package>/<tokenizer_name>/` when `tokenizer_name` is a relative path inside the package;
/// 3. `tokenizer_name` itself when it is an absolute directory.
/// Each must hold `tokenizer.json` (the pad token comes from `tokenizer_config.json` / `special_tokens_map.json`).
public struct LanguageStep: Sendable {
    public static let tokenizerStep = "tokenizer_processor"
    public static let newLineSteps: Set<String> = ["pi0_new_line_processor", "smolvla_new_line_processor"]
    /// Where the exporter puts the tokenizer files, relative to the package.
    public static let packagedTokenizerDirectory = "onnx/tokenizer"

    public let tokenizer: TaskTokenizer
    /// The directory the tokenizer was read from.
    public let directory: URL

    /// Loads the tokenizer of a `tokenizer_processor` step of `file` (at `index`) for the package in `directory`.
    static func load(
        stepConfig: JSONValue, appendsNewline: Bool, package directory: URL, source: String
    ) throws(PolicyRuntimeError) -> LanguageStep {
        let configuration: TaskTokenizer.Configuration
        do { configuration = try TaskTokenizer.Configuration(processorStep: stepConfig, appendsNewline: appendsNewline) } catch {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(source): \(error.message)")
        }
        let name = stepConfig["tokenizer_name"]?.string ?? ""
        var candidates = [directory.appendingPathComponent(packagedTokenizerDirectory)]
        if !name.isEmpty, !name.hasPrefix("/"), !name.split(separator: "/").contains("..") {
            candidates.append(directory.appendingPathComponent(name))
        }
        if name.hasPrefix("/") { candidates.append(URL(fileURLWithPath: name)) }
        guard
            let found = candidates.first(where: {
                FileManager.default.fileExists(atPath: $0.appendingPathComponent("tokenizer.json").path)
            })
        else {
            throw PolicyRuntimeError(
                .invalidCheckpoint,
                "\(source): the tokenizer '\(name)' is not in the model package: put its tokenizer.json (and "
                    + "tokenizer_config.json) in \(directory.appendingPathComponent(packagedTokenizerDirectory).path) — "
                    + "tools/export_onnx.py does this when it exports the checkpoint")
        }
        do {
            return LanguageStep(tokenizer: try TaskTokenizer(directory: found, configuration: configuration), directory: found)
        } catch {
            throw PolicyRuntimeError(.invalidCheckpoint, "\(found.path): \(error.message)")
        }
    }

    /// Tokenizes `task` and right-pads (or left-pads, as the step says) the result to `length` tokens with the pad
    /// token and a false mask, for a graph whose language axis is fixed. A task that does not fit `length` is an
    /// error naming the limit.
    public func tokens(for task: String, length: Int) throws(PolicyRuntimeError) -> TaskTokenizer.Output {
        var output: TaskTokenizer.Output
        do { output = try tokenizer(task) } catch {
            throw PolicyRuntimeError(.invalidInput, "task \(String(reflecting: String(task.prefix(80)))): \(error.message)")
        }
        guard output.ids.count <= length else {
            throw PolicyRuntimeError(
                .invalidInput,
                "the task has \(output.ids.count) tokens; the exported graph takes at most \(length) (tokenizer max_length "
                    + "\(tokenizer.configuration.maxLength))")
        }
        let count = length - output.ids.count
        guard count > 0 else { return output }
        let pad = tokenizer.padTokenID ?? 0
        switch tokenizer.configuration.paddingSide {
        case .right:
            output.ids += repeatElement(pad, count: count)
            output.attentionMask += repeatElement(false, count: count)
        case .left:
            output.ids = Array(repeating: pad, count: count) + output.ids
            output.attentionMask = Array(repeating: false, count: count) + output.attentionMask
        }
        return output
    }
}

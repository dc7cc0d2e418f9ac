import FlowMatching
import Foundation
import InteropSupport
import ONNXRuntime
import PolicyWire
import Testing
import Tokenizers

@testable import PolicyRuntime

/// The committed pi0.5 fixture (`Tests/Fixtures/pi05-tiny`, made by `tools/make_pi05_fixture.py`): LeRobot's `pi05`
/// with random weights on a tiny PaliGemma + action expert whose norms are adaptive (adaRMS on the flow-matching
/// time; stock transformers with `tools/pi0_transformers_patch.py`), exported as prefix + velocity graphs, with what
/// PyTorch's `predict_action_chunk` gave for fixed observations and fixed noise, RTC off and on, one request at a
/// time and batched. pi0.5 has no state input: the pre-processor writes the discretized normalized state into the
/// prompt, so the prefix graph takes cameras and tokens only, and the velocity graph's inputs are the prefix outputs
/// (pad mask and cache) + x_t + time.
///
/// Same checks and tolerance as ``Pi0ONNXTests`` (chunks reach ±5; PyTorch's and ONNX Runtime's float32 kernels
/// round differently, ten Euler steps with guidance carry those differences; the exporter measured 7.2e-7 with the
/// same loop in numpy).
@Suite("pi0.5 on ONNX Runtime + the Swift flow-matching sampler vs PyTorch")
struct Pi05ONNXTests {
    static let directory = PythonRunner.packageRoot.appendingPathComponent("Tests/Fixtures/pi05-tiny")
    static let tolerance: Float = 1e-5

    @Test("The package: two graphs, no state input, the sampler settings, the conditioning the velocity graph reads back")
    func package() throws {
        let graphs = try FlowMatchingONNXTests.load(Self.directory)
        #expect(graphs.config.type == "pi05" && graphs.settings.numSteps == 10 && graphs.settings.chunkSize == 50)
        #expect(graphs.settings.maxActionDim == 32 && graphs.settings.actionDim == 6 && graphs.settings.languageTokens == 72)
        #expect(graphs.sampler.steps == 10 && graphs.sampler.rows == 50 && graphs.sampler.dims == 32)
        #expect(
            graphs.prefix.inputNames.sorted() == [
                "observation.images.front", "observation.images.wrist", "observation.language.attention_mask",
                "observation.language.tokens",
            ])
        #expect(graphs.conditioningNames.first == "prefix_pad_mask" && graphs.conditioningNames.count == 1 + 2 * 2)
        #expect(Set(graphs.velocity.inputNames) == Set(graphs.conditioningNames + ["x_t", "time"]))
        // The cache of 2 images × 16 patches + 72 tokens, one KV head of 16.
        let request = try FlowMatchingONNXTests.requests(graphs, in: Self.directory)[0]
        let conditioning = try FlowMatchingONNXTests.encode(graphs, [request])
        #expect(try #require(conditioning["past_key.1"]).shape == [1, 1, 2 * 16 + 72, 16])
    }

    @Test("RTC off: each request alone, and the three in one batch, match PyTorch; un-normalized = chunk_robot")
    func plain() throws {
        let worst = try FlowMatchingONNXTests.checkPlain(Self.directory, tolerance: Self.tolerance)
        print("pi05-tiny RTC off: max |Swift + ONNX Runtime − PyTorch| = \(worst)")
    }

    @Test("RTC on: every schedule, delays 0–12, full, partial and empty prefixes, one request at a time and all in one batch")
    func guided() throws {
        let worst = try FlowMatchingONNXTests.checkGuided(Self.directory, tolerance: Self.tolerance)
        print("pi05-tiny RTC on: max |Swift + ONNX Runtime − PyTorch| = \(worst)")
    }

    @Test("Served: the state reaches the model through the prompt only; a state of the wrong size is refused")
    func statePrompt() throws {
        let policy = try FlowMatchingPolicyTests.policy(Self.directory)
        #expect(policy.config.type == "pi05" && policy.processors.statePrompt?.maxStateDimension == 32)
        #expect(!policy.language.tokenizer.configuration.appendsNewline && policy.language.tokenizer.configuration.maxLength == 72)
        let sample = try FlowMatchingPolicyTests.samples(Self.directory)[0]
        var moved = sample.request
        moved.state[0] += 0.5
        let (before, after) = (try policy.languageTokens(for: sample.request), try policy.languageTokens(for: moved))
        #expect(before.ids != after.ids, "the first state value's bin is in the prompt")
        let chunk = try policy.predictChunks([(moved, policy.makeSessionState())], noise: sample.noise)[0]
        #expect(Fixtures.maxAbsDiff(chunk.chunkModel, sample.chunkModel) > 1e-3)
        var short = sample.request
        short.state.removeLast()
        #expect { try policy.predictChunks([(short, policy.makeSessionState())], noise: sample.noise) } throws: {
            ($0 as? PolicyRuntimeError)?.code == .invalidInput && "\($0)".contains("state has 5 values, the policy expects 6")
        }
    }
}

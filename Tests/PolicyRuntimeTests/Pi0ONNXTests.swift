import FlowMatching
import Foundation
import InteropSupport
import ONNXRuntime
import Testing

@testable import PolicyRuntime

/// The committed pi0 fixture (`Tests/Fixtures/pi0-tiny`, made by `tools/make_pi0_fixture.py`): LeRobot's pi0 with
/// random weights on a tiny PaliGemma + action expert (stock transformers with `tools/pi0_transformers_patch.py`),
/// exported as prefix + velocity graphs, with what PyTorch's `predict_action_chunk` gave for fixed observations and
/// fixed noise, RTC off and on, one request at a time and batched. pi0 puts the state in the suffix: the prefix graph
/// passes the padded state on as `prefix_state`, which the velocity graph takes back with the cache.
///
/// Same checks as the SmolVLA fixture (``FlowMatchingONNXTests``): the prefix graph on ONNX Runtime, then the Swift
/// sampler (and RTC guidance) around the velocity graph. Tolerance 1e-5 on chunks whose values reach ±5 (about 20
/// float32 ulps there): the fixture's weights are drawn at std 1/sqrt(fan_in), not HF's 0.02, so velocities are of
/// order one and RTC corrections of order five; PyTorch's and ONNX Runtime's float32 kernels round differently (the
/// exporter measured 1.2e-6 with the same loop in numpy) and ten Euler steps with guidance carry those differences.
/// Measured: 9.5e-7 RTC off, 1.1e-6 RTC on.
@Suite("pi0 on ONNX Runtime + the Swift flow-matching sampler vs PyTorch")
struct Pi0ONNXTests {
    static let directory = PythonRunner.packageRoot.appendingPathComponent("Tests/Fixtures/pi0-tiny")
    static let tolerance: Float = 1e-5

    @Test("The package: two graphs, the sampler settings, the conditioning (pad mask, state, cache) the velocity graph reads back")
    func package() throws {
        let graphs = try FlowMatchingONNXTests.load(Self.directory)
        #expect(graphs.config.type == "pi0" && graphs.settings.numSteps == 10 && graphs.settings.chunkSize == 50)
        #expect(graphs.settings.maxActionDim == 32 && graphs.settings.actionDim == 6 && graphs.settings.languageTokens == 16)
        #expect(graphs.sampler.steps == 10 && graphs.sampler.rows == 50 && graphs.sampler.dims == 32)
        #expect(Array(graphs.conditioningNames.prefix(2)) == ["prefix_pad_mask", "prefix_state"])
        #expect(graphs.conditioningNames.count == 2 + 2 * 2)
        #expect(Set(graphs.velocity.inputNames) == Set(graphs.conditioningNames + ["x_t", "time"]))
        // The padded state travels from the prefix graph to the velocity graph unchanged.
        let request = try FlowMatchingONNXTests.requests(graphs, in: Self.directory)[0]
        let conditioning = try FlowMatchingONNXTests.encode(graphs, [request])
        let state = try #require(conditioning["prefix_state"])
        #expect(state.shape == [1, 32])
        let values = try state.values(as: Float.self)
        #expect(Array(values.prefix(6)) == request.inputs["observation.state"]! && values.dropFirst(6).allSatisfy { $0 == 0 })
    }

    @Test("RTC off: each request alone, and the three in one batch, match PyTorch; un-normalized = chunk_robot")
    func plain() throws {
        let worst = try FlowMatchingONNXTests.checkPlain(Self.directory, tolerance: Self.tolerance)
        print("pi0-tiny RTC off: max |Swift + ONNX Runtime − PyTorch| = \(worst)")
    }

    @Test("RTC on: every schedule, delays 0–12, full, partial and empty prefixes, one request at a time and all in one batch")
    func guided() throws {
        let worst = try FlowMatchingONNXTests.checkGuided(Self.directory, tolerance: Self.tolerance)
        print("pi0-tiny RTC on: max |Swift + ONNX Runtime − PyTorch| = \(worst)")
    }
}

import Foundation
import InteropSupport
import PolicyWire
import Testing

@testable import PolicyRuntime

/// The Diffusion Policy fixtures for LeRobot's `resize_shape` and `observation.environment_state` (made by
/// `tools/make_diffusion_fixture.py --variant …`, same recording as `diffusion-tiny`: three single-request episodes,
/// one three-observation episode, a batch of three, fixed noise):
/// * `diffusion-tiny-resize` (DDPM): a 3×48×64 camera resized to 32×40 (torchvision's antialiased bilinear Resize,
///   in the encoder graph as two matrix products), `crop_ratio` 0.8 → center crop 25×32;
/// * `diffusion-tiny-envstate` (DDPM): a 4-dim environment state (MEAN_STD) next to the state and a 3×32×32 camera;
/// * `diffusion-tiny-envstate-only` (DDIM): the environment state and no camera.
/// Same tolerance as ``DiffusionONNXTests`` (1e-5 model space, 3e-5 robot space).
@Suite("Diffusion Policy with resize_shape and environment state vs PyTorch")
struct DiffusionVariantsTests {
    static let resize = PythonRunner.packageRoot.appendingPathComponent("Tests/Fixtures/diffusion-tiny-resize")
    static let envstate = PythonRunner.packageRoot.appendingPathComponent("Tests/Fixtures/diffusion-tiny-envstate")
    static let envstateOnly = PythonRunner.packageRoot.appendingPathComponent("Tests/Fixtures/diffusion-tiny-envstate-only")

    @Test("The packages: resize_shape in the block, the environment state as an encoder input")
    func packages() throws {
        let resized = try DiffusionONNXTests.load(Self.resize)
        #expect(resized.settings.resizeShape == [32, 40] && resized.environmentDim == 0)
        #expect(resized.cameras.map(\.name) == ["observation.images.front"] && resized.cameras[0].shape == [3, 48, 64])
        #expect(resized.globalCondDim == 2 * (6 + 16))
        let env = try DiffusionONNXTests.load(Self.envstate)
        #expect(env.environmentDim == 4 && env.settings.resizeShape == nil && env.globalCondDim == 2 * (6 + 16 + 4))
        let only = try DiffusionONNXTests.load(Self.envstateOnly)
        #expect(only.environmentDim == 4 && only.cameras.isEmpty && only.globalCondDim == 2 * (6 + 4))
        #expect(only.scheduler.settings.kind == .ddim)
    }

    @Test(
        "Single requests and a three-observation episode (history) match PyTorch",
        arguments: [DiffusionVariantsTests.resize, DiffusionVariantsTests.envstate, DiffusionVariantsTests.envstateOnly])
    func episodes(directory: URL) throws {
        let worst = try DiffusionONNXTests.episodesMatch(directory)
        print("\(directory.lastPathComponent) episodes: max |Swift + ONNX Runtime − PyTorch| = \(worst)")
    }

    @Test(
        "One batch of three sessions = PyTorch's batched call = each alone",
        arguments: [DiffusionVariantsTests.resize, DiffusionVariantsTests.envstate, DiffusionVariantsTests.envstateOnly])
    func batched(directory: URL) throws {
        try DiffusionONNXTests().batched(directory: directory)
    }

    @Test("The environment state is kept in the history and moves the chunk")
    func environmentHistory() throws {
        let policy = try DiffusionONNXTests.load(Self.envstateOnly)
        let episode = try DiffusionONNXTests.episodes(Self.envstateOnly, noisySteps: policy.scheduler.noisySteps)[3]
        let session = policy.makeSessionState()
        _ = try policy.predictChunks([(episode[0].request, session)], noise: [episode[0].noise])
        let second = try policy.predictChunks([(episode[1].request, session)], noise: [episode[1].noise])[0]
        #expect(Fixtures.maxAbsDiff(second.chunkModel, episode[1].chunkModel) <= DiffusionONNXTests.tolerance)
        let state = try #require(session as? DiffusionSessionState)
        #expect(state.history.count == 2 && state.history.allSatisfy { $0.environmentState.count == 4 && $0.images.isEmpty })
        #expect(state.history[0].environmentState != state.history[1].environmentState)
        // Without the first observation the second chunk differs.
        let fresh = try policy.predictChunks([(episode[1].request, policy.makeSessionState())], noise: [episode[1].noise])[0]
        #expect(Fixtures.maxAbsDiff(fresh.chunkModel, episode[1].chunkModel) > 1e-2)
        // Another environment state (same robot state and noise), another chunk.
        var moved = episode[0].request
        moved.environmentState = moved.environmentState?.map { $0 + 1 }
        let other = try policy.predictChunks([(moved, policy.makeSessionState())], noise: [episode[0].noise])[0]
        #expect(Fixtures.maxAbsDiff(other.chunkModel, episode[0].chunkModel) > 1e-2)
    }

    @Test("Requests without the environment state, or with another length, are refused")
    func badEnvironmentState() throws {
        let policy = try DiffusionONNXTests.load(Self.envstate)
        let request = try DiffusionONNXTests.episodes(Self.envstate, noisySteps: policy.scheduler.noisySteps)[0][0]
        var missing = request.request
        missing.environmentState = nil
        #expect { try policy.predictChunk(missing, session: policy.makeSessionState()) } throws: {
            ($0 as? PolicyRuntimeError)?.message == "observation.environment_state is missing; the policy expects 4 values"
        }
        var short = request.request
        short.environmentState = [1, 2, 3]
        #expect { try policy.predictChunk(short, session: policy.makeSessionState()) } throws: {
            ($0 as? PolicyRuntimeError)?.message == "observation.environment_state has 3 values, the policy expects 4"
        }
    }

    @Test("A malformed resize_shape, or one that disagrees with config.json, is refused naming the field")
    func malformedResize() throws {
        let messages: [(Any?, String)] = [
            ([32], "diffusion.resize_shape must be [height, width]"),
            ([32, 40, 3], "diffusion.resize_shape must be [height, width]"),
            ("32x40", "diffusion.resize_shape must be [height, width]"),
            ([0, 40], "diffusion.resize_shape must be two positive integers (at most 32768)"),
            ([32, -40], "diffusion.resize_shape must be two positive integers (at most 32768)"),
            ([32.5, 40], "diffusion.resize_shape must be two positive integers (at most 32768)"),
            ([true, 40], "diffusion.resize_shape must be two positive integers (at most 32768)"),
            ([32, 1 << 20], "diffusion.resize_shape must be two positive integers (at most 32768)"),
            ([32, 41], "diffusion.resize_shape [32, 41] differs from config.json's resize_shape [32, 40]"),
            (nil, "diffusion.resize_shape absent differs from config.json's resize_shape [32, 40]"),
        ]
        for (value, message) in messages {
            let directory = try DiffusionONNXTests.edited(DiffusionONNXTests.block("resize_shape", value), from: Self.resize)
            let got = DiffusionONNXTests.loadError(directory)
            let prefix = "\(directory.path)/onnx/model.json: \(message)"
            #expect(got?.hasPrefix(prefix) == true, "resize_shape \(String(describing: value)): got \(got ?? "no error")")
            try? FileManager.default.removeItem(at: directory)
        }
        // A package that claims a resize its config.json does not have.
        let claimed = try DiffusionONNXTests.edited(DiffusionONNXTests.block("resize_shape", [16, 16]))
        #expect(
            DiffusionONNXTests.loadError(claimed)
                == "\(claimed.path)/onnx/model.json: diffusion.resize_shape [16, 16] differs from config.json's resize_shape null")
        // Without cameras a resize_shape means nothing.
        let blind = try DiffusionONNXTests.edited(DiffusionONNXTests.block("resize_shape", [16, 16]), from: Self.envstateOnly)
        #expect(
            DiffusionONNXTests.loadError(blind)
                == "\(blind.path)/onnx/model.json: diffusion.resize_shape [16, 16] is set but the encoder graph takes no camera")
        for url in [claimed, blind] { try? FileManager.default.removeItem(at: url) }
    }

    /// Replaces the encoder's input `name` with `spec` (or drops it when nil).
    static func encoderInput(_ name: String, _ spec: [String: Any]?) -> (inout [String: Any]) -> Void {
        { object in
            var graphs = object["graphs"] as! [String: Any]
            var encoder = graphs["encoder"] as! [String: Any]
            var inputs = encoder["inputs"] as! [[String: Any]]
            let index = inputs.firstIndex { $0["name"] as? String == name }!
            if let spec { inputs[index] = spec } else { inputs.remove(at: index) }
            encoder["inputs"] = inputs
            graphs["encoder"] = encoder
            object["graphs"] = graphs
        }
    }

    @Test("An environment-state graph input of the wrong shape, or a missing one, is refused")
    func malformedEnvironmentInput() throws {
        let name = "observation.environment_state"
        let wrong = try DiffusionONNXTests.edited(
            Self.encoderInput(name, ["name": name, "dtype": "float32", "shape": ["batch", 2, 5]]), from: Self.envstate)
        #expect(
            DiffusionONNXTests.loadError(wrong)
                == "\(wrong.path)/onnx/model.json: encoder input 'observation.environment_state' is float32 [\"batch\", \"2\", \"5\"]; "
                + "config.json needs float32 [batch, 2, 4]")
        let missing = try DiffusionONNXTests.edited(Self.encoderInput(name, nil), from: Self.envstate)
        #expect(
            DiffusionONNXTests.loadError(missing)
                == "\(missing.path)/onnx/model.json: config.json's input feature 'observation.environment_state' is not an input of the encoder graph"
        )
        // config.json's environment state with another rank.
        let rank = try DiffusionONNXTests.edited(
            { _ in },
            config: { text in
                var object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as! [String: Any]
                var features = object["input_features"] as! [String: Any]
                features[name] = ["type": "ENV", "shape": [2, 2]]
                object["input_features"] = features
                return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            },
            from: Self.envstate)
        let rankError = DiffusionONNXTests.loadError(rank)
        #expect(
            rankError?.contains("'observation.environment_state' must be one positive length [N] in config.json") == true,
            "got: \(rankError ?? "no error")")
        for url in [wrong, missing, rank] { try? FileManager.default.removeItem(at: url) }
    }

    @Test("The wire carries environment_state when set; observations without it encode as before")
    func wire() throws {
        let plain = Observation(state: try PolicyTensor(float32: [1, 2]))
        var withEnvironment = plain
        withEnvironment.environmentState = try PolicyTensor(float32: [0.5, -1, 3, 4])
        let decoded = try Observation(decoding: withEnvironment.encoded())
        #expect(decoded.environmentState?.floats() == [0.5, -1, 3, 4] && decoded.state?.floats() == [1, 2])
        #expect(try Observation(decoding: plain.encoded()).environmentState == nil)
    }
}

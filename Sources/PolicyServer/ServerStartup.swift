public import Foundation
public import HubClient
public import Logging
import NIOCore
import OrderedCollections
public import PolicyRuntime
public import PolicyWire
import Synchronization

/// Everything decided before serving: the model is found (local directory or Hub), loaded, classified,
/// and warmed up through the full request path.
public struct LoadedServer: Sendable {
    public var manifest: ServerManifest
    public var policy: any ChunkPolicy
    public var servingMode: ServingMode
    /// `max_sessions` after the serving mode (exclusive forces 1).
    public var maxSessions: Int
    public var rtcActive: Bool
    public var keys: ServiceKeys
    public var modelDirectory: URL

    public var capabilities: ServerCapabilities {
        ServerCapabilities(
            policyType: policy.config.type, actionNames: policy.config.actionFeatureNames,
            expectedCameras: policy.config.cameraKeys, stateDim: policy.config.stateDim,
            trainedFPS: manifest.trainedFPS, strictFPS: manifest.strictFPS,
            pinnedTask: manifest.pinTask ? manifest.defaultTask : nil, rtcActive: rtcActive, maxSessions: maxSessions)
    }

    public var identity: SessionTable.Identity {
        .init(
            modelRepo: manifest.model.repoOrPath, modelRevision: manifest.model.revision,
            chunkSize: policy.config.chunkSize, servingMode: servingMode,
            rtcExecutionHorizon: manifest.rtc.executionHorizon)
    }

    /// `Policy server up: prefix=<prefix> mode=<mode> max_sessions=<n> rtc=<bool>`.
    public var readyLine: String {
        "Policy server up: prefix=\(keys.prefix) mode=\(servingMode.rawValue) max_sessions=\(maxSessions) rtc=\(rtcActive ? "True" : "False")"
    }
}

public enum ServerStartup {
    /// Resolves `model.repo_or_path` (an existing directory, else a Hub repo id), loads and classifies the
    /// policy. `progress` receives human-readable download progress lines.
    public static func load(
        _ manifest: ServerManifest, hub: HubConfiguration = .fromEnvironment(),
        progress: @escaping @Sendable (String) -> Void = { _ in },
        logger: Logger = Logger(label: "lerobot.policy_server")
    ) async throws -> LoadedServer {
        let path = manifest.model.repoOrPath
        var isDirectory: ObjCBool = false
        let directory: URL
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            directory = URL(fileURLWithPath: path)
        } else {
            progress("Fetching \(path)@\(manifest.model.revision) from the Hub (cache: \(hub.cacheDirectory.path))")
            let last = LastReport()
            directory = try await HubClient(configuration: hub).snapshot(
                repo: path, revision: manifest.model.revision,
                progress: { p in
                    guard p.bytesExpected > 8 << 20, last.shouldReport(p) else { return }
                    progress("  \(p.file): \(p.bytesWritten >> 20)/\(p.bytesExpected >> 20) MiB")
                })
        }
        let policy = try PolicyLoader.load(
            directory: directory,
            options: PolicyRuntimeOptions(
                device: manifest.model.device, onnxRuntimeLibrary: manifest.model.onnxRuntimeLibrary,
                intraOpThreads: manifest.model.intraOpThreads, logger: logger,
                rtcPrefixAttentionSchedule: manifest.rtc.prefixAttentionSchedule,
                rtcMaxGuidanceWeight: manifest.rtc.maxGuidanceWeight))
        let config = policy.config
        if let dtype = manifest.model.dtype, policy is ONNXChunkPolicy || policy is ONNXFlowMatchingPolicy {
            logger.warning(
                "model.dtype is ignored for ONNX model packages: the graph runs in the dtype it was exported with",
                metadata: ["model.dtype": "\(dtype)"])
        }
        let servingClass = PolicyServingClass(policyType: config.type, nObsSteps: config.nObsSteps)
        let mode = try ServingMode.resolve(requested: manifest.servingMode, policyType: config.type, servingClass: servingClass)
        // The policy says whether it can condition on a prefix (the RTC-capable families, and the mock).
        let rtcActive = manifest.rtc.enabled && policy.supportsRTC
        let keys = try ServiceKeys(modelID: path, revision: manifest.model.revision, task: manifest.serviceTask)
        return LoadedServer(
            manifest: manifest, policy: policy, servingMode: mode, maxSessions: mode == .exclusive ? 1 : manifest.maxSessions,
            rtcActive: rtcActive, keys: keys, modelDirectory: directory)
    }

    /// Runs `warmup_inferences` synthetic requests through decode → policy → encode (the second with an RTC
    /// prefix): all-zero state (and environment state, when the policy takes one), black images of each expected
    /// camera's size, raw codec.
    public static func warmUp(_ server: LoadedServer, runner: InferenceRunner) throws {
        let config = server.policy.config
        var images: [(String, WireImage)] = []
        for feature in config.inputFeatures where feature.type == "VISUAL" {
            let height = feature.shape.count == 3 ? feature.shape[1] : 48
            let width = feature.shape.count == 3 ? feature.shape[2] : 64
            let black = [UInt8](repeating: 0, count: height * width * 3)
            images.append((feature.key, .raw(height: height, width: width, data: ByteBuffer(bytes: black))))
        }
        for i in 0..<server.manifest.warmupInferences {
            let prefix =
                i == 1 && server.rtcActive
                ? try PolicyTensor(
                    float32: [Float](repeating: 0, count: server.manifest.rtc.executionHorizon * config.actionDim),
                    shape: [server.manifest.rtc.executionHorizon, config.actionDim]) : nil
            var observation = Observation(
                state: try PolicyTensor(float32: [Float](repeating: 0, count: config.stateDim)), task: server.manifest.defaultTask,
                prefixModel: prefix, prefixRobot: prefix, episodeStart: true)
            for (key, image) in images { observation.images[key] = image }
            if let environment = config.inputFeatures.first(where: { $0.key == "observation.environment_state" }),
                environment.shape.count == 1
            {
                observation.environmentState = try PolicyTensor(float32: [Float](repeating: 0, count: environment.shape[0]))
            }
            var session = ServerSession(
                sessionID: "warmup", clientUUID: "warmup", rtcEnabled: server.rtcActive, task: "",
                processors: server.policy.makeSessionState(), now: runner.now)
            _ = try runner.serve(
                PendingObservation(header: AttachmentHeader(), body: observation.encoded(), receivedAt: runner.now),
                session: &session, superseded: 0, serverLoad: 0)
        }
    }
}

/// Throttles progress lines to one per 10 % of a file.
private final class LastReport: Sendable {
    private let last = Mutex<[String: Int64]>([:])

    func shouldReport(_ p: HubProgress) -> Bool {
        last.withLock { last in
            let step = max(1, p.bytesExpected / 10)
            let bucket = p.bytesWritten / step
            if last[p.file] == bucket { return false }
            last[p.file] = bucket
            return true
        }
    }
}

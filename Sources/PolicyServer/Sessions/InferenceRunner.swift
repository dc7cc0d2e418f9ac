import Foundation
import JSON
public import NIOCore
import OrderedCollections
public import PolicyRuntime
public import PolicyWire

/// Serves one observation: decode, episode handling, RTC prefix, predict, encode the chunk with the echoed
/// header. No transport: the service hands it a taken mailbox item and publishes what comes back.
/// Owned by the single inference worker (not `Sendable`: it keeps a JPEG decoder).
public final class InferenceRunner {
    public struct Settings: Sendable {
        public var servingMode: ServingMode
        public var rtcExecutionHorizon: Int
        public var defaultTask: String

        public init(servingMode: ServingMode, rtcExecutionHorizon: Int, defaultTask: String) {
            self.servingMode = servingMode
            self.rtcExecutionHorizon = rtcExecutionHorizon
            self.defaultTask = defaultTask
        }
    }

    /// What one request produced.
    public struct Reply: Sendable {
        public var header: AttachmentHeader
        public var body: ByteBuffer
        public var queueWaitMs: Double
        public var inferenceMs: Double
    }

    public let policy: any ChunkPolicy
    public let settings: Settings
    private let jpeg: JPEGDecoder
    /// This runner's clock, which other threads may read (what `receivedAt` is measured in).
    public let clock = Clock()

    /// Monotonic seconds since the runner was made.
    public struct Clock: Sendable {
        private let origin = ContinuousClock.now

        public var now: Double {
            let d = ContinuousClock.now - origin
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
    }

    public init(policy: any ChunkPolicy, settings: Settings) throws(PolicyWireError) {
        self.policy = policy
        self.settings = settings
        self.jpeg = try JPEGDecoder()
    }

    /// Monotonic seconds on this runner's clock.
    public var now: Double { clock.now }

    /// Runs `pending` for `session`; `superseded` is the session's since-last-reply count, `serverLoad`
    /// active/max. Errors carry a message for the audit line; nothing is published for them.
    public func serve(
        _ pending: PendingObservation, session: inout ServerSession, superseded: Int, serverLoad: Double
    ) throws -> Reply {
        let start = now
        let prepared = try prepare(pending, session: &session)
        let output = try policy.predictChunk(prepared.request, session: session.processors)
        return try reply(prepared, output: output, start: start, superseded: superseded, serverLoad: serverLoad)
    }

    /// A decoded request, ready for the policy.
    struct Prepared {
        var header: AttachmentHeader
        var episode: Int64
        var queueWaitMs: Double
        var request: PolicyRequest
    }

    /// Decodes `pending`, handles the episode boundary and builds the policy request (the RTC prefix included).
    func prepare(_ pending: PendingObservation, session: inout ServerSession) throws -> Prepared {
        let queueWaitMs = max(0, (now - pending.receivedAt) * 1000)
        let observation = try Observation(decoding: pending.body)
        let header = pending.header
        let episode = Int64(header.episodeID)
        if observation.episodeStart || episode != session.episodeID {
            session.processors.reset()
            if settings.servingMode == .exclusive { policy.resetPolicy() }
            session.episodeID = episode
        }
        let config = policy.config
        var images: [(key: String, image: RGBImage)] = []
        for (key, image) in observation.images {
            images.append((key, try image.rgbImage(decoder: jpeg)))
        }
        var rtc: RTCInputs?
        if session.rtcEnabled {
            let fitted = try RTCPrefix.fit(
                observation.prefixModel, horizon: settings.rtcExecutionHorizon, actionDim: config.actionDim)
            // prefix_robot: for re-anchoring by relative-action policies; same rows as prefix_model.
            let robot = try? RTCPrefix.fit(
                observation.prefixRobot, horizon: settings.rtcExecutionHorizon, actionDim: config.actionDim)
            rtc = RTCInputs(
                delaySteps: Int(clamping: max(0, observation.inferenceDelaySteps)), prefix: fitted.values,
                validRows: fitted.validRows, executionHorizon: settings.rtcExecutionHorizon,
                robotPrefix: robot.flatMap { $0.validRows == fitted.validRows ? $0.values : nil })
        }
        let task = !observation.task.isEmpty ? observation.task : (!session.task.isEmpty ? session.task : settings.defaultTask)
        let state = observation.state?.floats() ?? []
        // NaN or infinity would run through every layer into the chunk (and, for policies with an observation
        // history, into the next chunks too): refuse the request instead.
        if let i = state.firstIndex(where: { !$0.isFinite }) {
            throw PolicyRuntimeError(.invalidInput, "observation.state[\(i)] is \(state[i]): every value must be finite")
        }
        if let rtc, let i = rtc.prefix.firstIndex(where: { !$0.isFinite }) {
            throw PolicyRuntimeError(
                .invalidInput, "prefix_model row \(i / max(1, config.actionDim)) has \(rtc.prefix[i]): every value must be finite")
        }
        if let i = rtc?.robotPrefix?.firstIndex(where: { !$0.isFinite }) {
            throw PolicyRuntimeError(
                .invalidInput, "prefix_robot row \(i / max(1, config.actionDim)) is not finite: every value must be finite")
        }
        let environment = observation.environmentState?.floats()
        if let environment, let i = environment.firstIndex(where: { !$0.isFinite }) {
            throw PolicyRuntimeError(
                .invalidInput, "observation.environment_state[\(i)] is \(environment[i]): every value must be finite")
        }
        let request = PolicyRequest(state: state, images: images, task: task, rtc: rtc, environmentState: environment)
        return Prepared(header: header, episode: episode, queueWaitMs: queueWaitMs, request: request)
    }

    /// Encodes the chunk with the echoed header; `inference_ms` runs from `start` (pre + predict + post).
    func reply(_ prepared: Prepared, output: PolicyOutput, start: Double, superseded: Int, serverLoad: Double) throws -> Reply {
        let inferenceMs = (now - start) * 1000
        let header = prepared.header
        let chunk = ActionChunk(
            seqIDEcho: header.seqID, clientMonoNsEcho: header.clientMonoNs, episodeIDEcho: prepared.episode,
            chunkModel: try PolicyTensor(float32: output.chunkModel, shape: [output.rows, output.columns]),
            chunkRobot: try PolicyTensor(float32: output.chunkRobot, shape: [output.rows, output.columns]),
            queueWaitMs: prepared.queueWaitMs, inferenceMs: inferenceMs, supersededSeqs: Int64(superseded),
            serverLoad: serverLoad)
        let replyHeader = AttachmentHeader(
            schemaVersion: AttachmentHeader.currentSchemaVersion, messageType: .chunk, seqID: header.seqID,
            episodeID: header.episodeID, clientMonoNs: header.clientMonoNs, sessionEpoch: header.sessionEpoch)
        return Reply(header: replyHeader, body: chunk.encoded(), queueWaitMs: prepared.queueWaitMs, inferenceMs: inferenceMs)
    }
}

/// One JSON audit line per request (logger `lerobot.policy_server.audit`).
public enum AuditLine {
    public static func render(
        sessionID: String, clientUUID: String, seqID: UInt64, episodeID: Int64, queueWaitMs: Double,
        inferenceMs: Double, superseded: Int, outcome: String
    ) -> String {
        "{\"session_id\": \(jsonQuoted(sessionID)), \"client_uuid\": \(jsonQuoted(clientUUID)), \"seq_id\": \(seqID), "
            + "\"episode_id\": \(episodeID), \"queue_wait_ms\": \(String(format: "%.3f", queueWaitMs)), "
            + "\"inference_ms\": \(String(format: "%.3f", inferenceMs)), \"superseded\": \(superseded), "
            + "\"outcome\": \(jsonQuoted(outcome))}"
    }
}

import Foundation

/// Everything the engine decides, as one value behind its lock: the action buffer, latency tracker,
/// fail-safe machine, counters and the request bookkeeping. Events in (with the monotonic time), decisions
/// out; no I/O and no waiting.
struct EngineCore: Sendable {
    /// What one request was made of, snapshotted under the lock (one request in flight).
    struct RequestSnapshot: Sendable {
        var seq: UInt64
        var episode: UInt32
        var epoch: UInt32
        var actionIndexBefore: Int
        var observation: RobotObservation
        var prefixModel: ActionRows?
        var prefixRobot: ActionRows?
        var delaySteps: Int
        var episodeStart: Bool
    }

    /// What the worker does next.
    enum WorkerStep: Sendable {
        case stop
        case idle
        case sendReset(episode: UInt32)
        case reconnect
        case request(RequestSnapshot)
    }

    /// What happened to an arriving chunk.
    enum ChunkOutcome: Sendable, Equatable {
        case merged(ActionQueue.MergeReport)
        case dropped
    }

    let fps: Double
    let bufferTime: Double
    var failSafe: FailSafeStateMachine
    var buffer: ActionBuffer?
    var tracker = LatencyTracker()
    var rtcActive = false
    var horizon: Int
    var seq: UInt64 = 0
    var episode: UInt32 = 0
    var observation: RobotObservation?
    var isActive = true
    var isStopping = false
    var pendingReset = false
    var isServerAlive = true
    var isReconnectRequested = false
    var deathReason: String?
    /// The last session ack said the server finished its warm-up.
    var isServerWarmedUp = false
    var stats = EngineStats()
    let startedAt: Double

    init(configuration: RemoteInferenceConfiguration, fps: Double, now: Double) {
        self.fps = fps
        self.bufferTime = configuration.bufferTime
        self.failSafe = FailSafeStateMachine(configuration: configuration.failSafe)
        self.horizon = configuration.rtcExecutionHorizon
        self.startedAt = now
        self.stats.transitions = [.init(seconds: 0, state: .connecting)]
    }

    var state: LinkState { failSafe.state }
    var epoch: UInt32 { failSafe.epoch }
    var queueDepth: Int { buffer?.queue.count ?? 0 }

    /// Records a state change for the summary.
    mutating func noteState(now: Double) {
        if stats.transitions.last?.state != failSafe.state {
            stats.transitions.append(.init(seconds: now - startedAt, state: failSafe.state))
        }
    }

    // MARK: Control thread

    /// The action for this tick (edge-semantics §7.3 `get_action`): staleness, queue, fallback.
    mutating func nextAction(now: Double) -> (action: [Float]?, wantsRequest: Bool) {
        guard failSafe.state != .dead, var buffer else { return (nil, false) }
        let result = buffer.next(now: now)
        if result.droppedStale { stats.staleDrops += 1 }
        switch result.source {
        case .buffer: stats.bufferedTicks += 1
        case .fallback: stats.fallbackTicks += 1
        case .none: stats.emptyTicks += 1
        }
        if result.source != .buffer {
            failSafe.bufferRanDry()
            noteState(now: now)
        }
        self.buffer = buffer
        return (result.action, needsRequest)
    }

    /// True when less than `buffer_time_s` of playback is buffered (self-clocking).
    var needsRequest: Bool { Double(queueDepth) / fps <= bufferTime }

    /// An episode boundary: nothing buffered survives, the observation slot is cleared, a reset is queued.
    mutating func reset() {
        buffer?.reset()
        episode &+= 1
        pendingReset = true
        observation = nil
        stats.resets += 1
    }

    // MARK: Worker

    mutating func nextWorkerStep(now: Double) -> WorkerStep {
        if isStopping || failSafe.state == .dead { return .stop }
        if !isActive { return .idle }
        if pendingReset {
            pendingReset = false
            return .sendReset(episode: episode)
        }
        if isReconnectRequested { return .reconnect }
        guard needsRequest, let observation, let buffer else { return .idle }
        seq &+= 1
        let index = buffer.queue.actionIndex
        var prefixModel: ActionRows?
        var prefixRobot: ActionRows?
        var delay = 0
        if rtcActive {
            if let left = buffer.queue.leftOver, left.count > 0 { prefixModel = left.prefix(horizon) }
            if let left = buffer.queue.processedLeftOver, left.count > 0 { prefixRobot = left.prefix(horizon) }
            if tracker.count > 0, tracker.maximum > 0 { delay = Int((tracker.maximum * fps).rounded(.up)) }
        }
        stats.requests += 1
        return .request(
            RequestSnapshot(
                seq: seq, episode: episode, epoch: epoch, actionIndexBefore: index, observation: observation,
                prefixModel: prefixModel, prefixRobot: prefixRobot, delaySteps: delay,
                episodeStart: buffer.queue.isEmpty && index == 0 && buffer.anchor == nil))
    }

    /// Whether the request is still current (no reset, no new epoch since it was snapshotted).
    func isCurrent(_ request: RequestSnapshot) -> Bool {
        request.episode == episode && request.epoch == epoch
    }

    /// The awaited chunk arrived `latency` seconds after its observation left.
    mutating func chunkArrived(
        for request: RequestSnapshot, model: ActionRows, robot: ActionRows, latency: Double, now: Double
    ) -> ChunkOutcome {
        guard isCurrent(request), failSafe.state != .dead, var buffer else {
            stats.lateChunksDropped += 1
            return .dropped
        }
        let planned = buffer.queue.processedLeftOver.flatMap { $0.count > 0 ? Array($0[0]) : nil }
        let report = buffer.merge(
            original: model, processed: robot, realDelay: Int((latency * fps).rounded(.up)),
            actionIndexBeforeInference: request.actionIndexBefore, now: now, latency: latency)
        if let planned, let merged = buffer.queue.processedLeftOver, merged.count > 0 {
            let jump = zip(planned, merged[0]).map { Double(abs($0 - $1)) }.max() ?? 0
            stats.noteTransition(jump: jump)
        }
        self.buffer = buffer
        tracker.add(latency)
        stats.merges += 1
        stats.lastLatency = latency
        _ = failSafe.chunkMerged(at: now)
        noteState(now: now)
        return .merged(report)
    }

    /// No chunk within the request timeout.
    mutating func requestTimedOut(now: Double) -> FailSafeStateMachine.Action {
        stats.timeouts += 1
        let action = failSafe.requestTimedOut(at: now, bufferHasActions: queueDepth > 0, serverAlive: isServerAlive)
        if action == .reconnect { isReconnectRequested = true }
        noteState(now: now)
        return action
    }

    /// The server's liveliness token went away, or the link to the router dropped.
    mutating func serverLost(now: Double) -> Bool {
        isServerAlive = false
        let action = failSafe.serverLivelinessLost(at: now)
        noteState(now: now)
        if action == .reconnect {
            isReconnectRequested = true
            return true
        }
        return false
    }

    mutating func reconnected(now: Double) {
        _ = failSafe.handshakeSucceeded(at: now)
        isServerAlive = true
        isReconnectRequested = false
        stats.reconnects += 1
        noteState(now: now)
    }

    /// DEAD: nothing buffered is ever executed after this.
    mutating func die(_ reason: String, now: Double) -> Bool {
        guard deathReason == nil else { return false }
        if failSafe.state != .dead { _ = failSafe.fatal(reason) }
        deathReason = reason
        buffer?.reset()
        noteState(now: now)
        return true
    }

    /// The counters with the latency summary filled in.
    var snapshotStats: EngineStats {
        var stats = self.stats
        stats.latencyP50 = tracker.percentile(0.5)
        stats.latencyP99 = tracker.percentile(0.99)
        stats.latencyMax = tracker.maximum
        stats.rtcActive = rtcActive
        return stats
    }
}

import JSON
import PolicyWire
public import RemoteInference

/// What a rollout did, printed as one JSON object at exit.
public struct RolloutReport: Sendable {
    public var strategy: String
    public var targetHz: Double
    public var seconds = 0.0
    public var ticks = 0
    public var overruns = 0
    public var actionsSent = 0
    public var ticksWithoutAction = 0
    public var tickLatenessP50 = 0.0
    public var tickLatenessP99 = 0.0
    public var episodes = 0
    /// Ticks on which the teleoperator's command was sent to the robot (dagger CORRECTING, episodic reset).
    public var teleopTicks = 0
    /// The last teleoperator command sent to the robot (motor order).
    public var teleopLastCommand: [Float]?
    public var engine = EngineStats()
    public var finalState = LinkState.connecting
    public var deadReason: String?
    public var returnedToInitialPosition = false
    /// Each camera's delivery path (`front: MJPEG pass-through (camera JPEG forwarded)`).
    public var cameraPaths: [String] = []
    /// Ticks on which a camera had no fresh frame (no observation sent).
    public var cameraFaultTicks = 0
    /// A camera that stopped for good and ended the rollout.
    public var cameraError: String?
    /// Per tick with a command after a command: the largest |Δ| between consecutive commands (robot units, counted
    /// in 1e-4 steps). Its tail shows seams between chunks; its median the ordinary motion.
    public private(set) var actionSteps = Histogram(unit: 1e-4)

    mutating func noteActionStep(from previous: [Float], to command: [Float]) {
        let step = zip(previous, command).map { $0.isNaN || $1.isNaN ? 0 : abs($1 - $0) }.max() ?? 0
        actionSteps.record(Double(step))
    }

    func actionStep(percentile p: Double) -> Double { actionSteps.percentile(p) }

    public init(strategy: String, targetHz: Double) {
        self.strategy = strategy
        self.targetHz = targetHz
    }

    /// Ticks per second over the whole run.
    public var achievedHz: Double { seconds > 0 ? Double(ticks) / seconds : 0 }

    /// One line, keys sorted.
    public var json: String {
        func ms(_ s: Double) -> JSONValue { .double((s * 1e6).rounded() / 1e3) }
        func r3(_ x: Double) -> JSONValue { .double((x * 1e3).rounded() / 1e3) }
        func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        let object: JSONValue = [
            "strategy": .string(strategy), "target_hz": .double(targetHz), "achieved_hz": r3(achievedHz),
            "duration_s": r3(seconds), "ticks": .integer(ticks), "overruns": .integer(overruns),
            "actions_sent": .integer(actionsSent), "ticks_without_action": .integer(ticksWithoutAction),
            "tick_lateness_p50_ms": ms(tickLatenessP50), "tick_lateness_p99_ms": ms(tickLatenessP99),
            "requests": .integer(engine.requests), "timeouts": .integer(engine.timeouts), "merges": .integer(engine.merges),
            "stale_drops": .integer(engine.staleDrops), "fallback_ticks": .integer(engine.fallbackTicks),
            "reconnects": .integer(engine.reconnects), "late_chunks_dropped": .integer(engine.lateChunksDropped),
            "resets": .integer(engine.resets), "episodes": .integer(episodes), "teleop_ticks": .integer(teleopTicks),
            "latency_p50_ms": ms(engine.latencyP50), "latency_p99_ms": ms(engine.latencyP99),
            "latency_max_ms": ms(engine.latencyMax), "final_state": .string(finalState.rawValue),
            "rtc_active": .bool(engine.rtcActive), "chunk_transitions": .integer(engine.transitionCount),
            "chunk_transition_jump_mean": r3(engine.transitionJumpMean), "chunk_transition_jump_max": r3(engine.transitionJumpMax),
            "action_step_p50": r3(actionStep(percentile: 0.5)), "action_step_p99": r3(actionStep(percentile: 0.99)),
            "action_step_max": r3(actionStep(percentile: 1)),
            "returned_to_initial_position": .bool(returnedToInitialPosition),
            "transitions": .array(engine.transitions.map { ["t_s": r3($0.seconds), "state": .string($0.state.rawValue)] }),
            "dead_reason": optional(deadReason), "camera_paths": .array(cameraPaths.map(JSONValue.string)),
            "camera_fault_ticks": .integer(cameraFaultTicks), "camera_error": optional(cameraError),
            "dropped_messages": .object(engine.dropped.byCause.sorted { $0.key < $1.key }.map { ($0.key.rawValue, .integer($0.value)) }),
            "teleop_last_command": teleopLastCommand.map { .array($0.map { $0.isFinite ? r3(Double($0)) : .double(0) }) } ?? .null,
        ]
        return object.serialized(.sortedKeys)
    }
}

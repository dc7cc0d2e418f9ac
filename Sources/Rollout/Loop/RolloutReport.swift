import Foundation
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
    public var engine = EngineStats()
    public var finalState = LinkState.connecting
    public var deadReason: String?
    public var returnedToInitialPosition = false

    public init(strategy: String, targetHz: Double) {
        self.strategy = strategy
        self.targetHz = targetHz
    }

    /// Ticks per second over the whole run.
    public var achievedHz: Double { seconds > 0 ? Double(ticks) / seconds : 0 }

    public var json: String {
        func ms(_ s: Double) -> Double { (s * 1e6).rounded() / 1e3 }
        func r3(_ x: Double) -> Double { (x * 1e3).rounded() / 1e3 }
        var object: [String: Any] = [
            "strategy": strategy, "target_hz": targetHz, "achieved_hz": r3(achievedHz), "duration_s": r3(seconds),
            "ticks": ticks, "overruns": overruns, "actions_sent": actionsSent, "ticks_without_action": ticksWithoutAction,
            "tick_lateness_p50_ms": ms(tickLatenessP50), "tick_lateness_p99_ms": ms(tickLatenessP99),
            "requests": engine.requests, "timeouts": engine.timeouts, "merges": engine.merges,
            "stale_drops": engine.staleDrops, "fallback_ticks": engine.fallbackTicks, "reconnects": engine.reconnects,
            "late_chunks_dropped": engine.lateChunksDropped, "resets": engine.resets, "episodes": episodes,
            "latency_p50_ms": ms(engine.latencyP50), "latency_p99_ms": ms(engine.latencyP99),
            "latency_max_ms": ms(engine.latencyMax), "final_state": finalState.rawValue,
            "returned_to_initial_position": returnedToInitialPosition,
            "transitions": engine.transitions.map { ["t_s": r3($0.seconds), "state": $0.state.rawValue] as [String: Any] },
        ]
        object["dead_reason"] = deadReason ?? NSNull()
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// The episodic strategy's episode / reset-phase sequence (LeRobot's `EpisodicStrategy.run`, edge-semantics
/// §4.5), as a pure machine: key events and ticks in, what to do out. The caller performs the effect and then
/// calls ``started(at:)`` so that the phase's clock starts after any hand-over move, as LeRobot's loops do.
public struct EpisodicPhases: Sendable, Hashable {
    public enum Phase: Sendable, Hashable {
        case policy
        case reset
    }

    /// LeRobot's keyboard flags.
    public enum Event: Sendable, Hashable {
        /// → : end the current episode or reset phase early (`exit_early`).
        case exitEarly
        /// ← : discard the episode and record it again (`rerecord_episode` + `exit_early`).
        case rerecord
    }

    public enum Effect: Sendable, Hashable {
        case none
        /// The policy phase ended: hand over to the teleop (or return to the initial position) and run the
        /// reset phase.
        case beginReset
        /// Start episode `index` (0-based): engine reset and resume. `rerecord`: the same episode again.
        case beginEpisode(index: Int, rerecord: Bool)
        /// All episodes are recorded.
        case finish
    }

    public let numEpisodes: Int
    public let episodeTime: Double
    public let resetTime: Double
    public private(set) var phase = Phase.policy
    /// Episodes kept (LeRobot's `recorded_episodes`).
    public private(set) var recorded = 0
    private var exitEarly = false
    private var rerecord = false
    private var phaseStart = 0.0

    public init(numEpisodes: Int, episodeTime: Double, resetTime: Double, start: Double) {
        self.numEpisodes = numEpisodes
        self.episodeTime = episodeTime
        self.resetTime = resetTime
        self.phaseStart = start
    }

    public mutating func handle(_ event: Event) {
        exitEarly = true
        if event == .rerecord { rerecord = true }
    }

    /// The current phase's clock starts now.
    public mutating func started(at now: Double) { phaseStart = now }

    /// Called at the top of each tick: whether the current phase is over, and what comes next.
    public mutating func tick(now: Double) -> Effect {
        switch phase {
        case .policy:
            // LeRobot checks `exit_early` at the top of the loop and the time after each tick.
            guard exitEarly || now - phaseStart >= episodeTime else { return .none }
            exitEarly = false
            if recorded < numEpisodes - 1 || rerecord {
                phase = .reset
                return .beginReset
            }
            return afterReset()
        case .reset:
            guard exitEarly || now - phaseStart >= resetTime else { return .none }
            exitEarly = false
            return afterReset()
        }
    }

    private mutating func afterReset() -> Effect {
        phase = .policy
        if rerecord {
            rerecord = false
            exitEarly = false
            return .beginEpisode(index: recorded, rerecord: true)
        }
        recorded += 1
        return recorded >= numEpisodes ? .finish : .beginEpisode(index: recorded, rerecord: false)
    }
}

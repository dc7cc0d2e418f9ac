import PolicyWire
import RemoteInference

/// `episodic`: `--num_episodes` policy episodes of `--episode_time_s`, each followed by a reset phase of
/// `--reset_time_s` in which the operator (or the return to the initial position) sets the scene up again;
/// → ends a phase early, ← records the episode again.
struct EpisodicStrategy: RolloutStrategy {
    var playback: PolicyPlayback
    var phases: EpisodicPhases

    mutating func begin(_ session: inout RolloutSession, _ engine: RemoteEngine, now: Double) {
        // Episodic begins with an episode boundary, as LeRobot's strategy does.
        engine.reset()
        playback.restart()
        engine.resume()
        session.status.line("Episode 1/\(session.settings.numEpisodes)")
    }

    /// Key flags, the phase clock, then the policy or the teleop.
    mutating func tick(_ session: inout RolloutSession, _ engine: RemoteEngine, now: Double) -> StrategyTick {
        for event in session.commands.takeEpisodic() { phases.handle(event) }
        let settings = session.settings
        switch phases.tick(now: now) {
        case .none:
            break
        case .beginReset:
            session.report.episodes = phases.recorded + 1
            session.status.line("Reset phase (\(settings.resetTime) s)")
            session.perform(
                HandOver.episodicReset(
                    actuated: session.teleop?.isActuated, followerPose: session.robot.observe().positions,
                    resetToInitialPosition: settings.resetToInitialPosition))
            phases.started(at: MonotonicClock.seconds)
        case .beginEpisode(let index, let rerecord):
            session.report.episodes = phases.recorded
            if rerecord {
                session.status.line("Re-recording episode \(index + 1)/\(settings.numEpisodes)")
                if session.teleop == nil, settings.resetToInitialPosition { session.returnToInitialPosition(seconds: 1, rate: 50) }
            }
            engine.reset()
            playback.restart()
            engine.resume()
            session.status.line("Episode \(index + 1)/\(settings.numEpisodes)")
            phases.started(at: MonotonicClock.seconds)
        case .finish:
            session.report.episodes = phases.recorded
            return .finished
        }
        switch phases.phase {
        case .policy:
            playback.tick(&session, engine)
            return .running(phase: "episode \(phases.recorded + 1)")
        case .reset:
            _ = session.robot.observe()
            _ = session.forwardTeleop()
            return .running(phase: "reset")
        }
    }

    mutating func end(_ session: inout RolloutSession) {
        session.report.episodes = max(session.report.episodes, phases.recorded + (phases.phase == .reset ? 1 : 0))
    }
}

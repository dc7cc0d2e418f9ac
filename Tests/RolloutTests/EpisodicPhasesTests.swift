import Rollout
import Testing

@Suite("Episodic phases and the teleop hand-overs (pure)")
struct EpisodicPhasesTests {
    @Test("Two episodes: policy, reset, policy, finish (no reset after the last episode)")
    func sequence() {
        var phases = EpisodicPhases(numEpisodes: 2, episodeTime: 10, resetTime: 5, start: 0)
        #expect(phases.tick(now: 9.9) == .none)
        #expect(phases.tick(now: 10) == .beginReset && phases.phase == .reset)
        phases.started(at: 12)  // after a 2 s hand-over
        #expect(phases.tick(now: 16.9) == .none)
        #expect(phases.tick(now: 17) == .beginEpisode(index: 1, rerecord: false) && phases.recorded == 1)
        phases.started(at: 17)
        #expect(phases.tick(now: 27) == .finish && phases.recorded == 2)
    }

    @Test("→ ends the episode and then the reset phase early; ← re-records, with a reset even after the last episode")
    func keys() {
        var phases = EpisodicPhases(numEpisodes: 1, episodeTime: 10, resetTime: 5, start: 0)
        phases.handle(.rerecord)
        #expect(phases.tick(now: 1) == .beginReset)
        phases.started(at: 1)
        phases.handle(.exitEarly)
        #expect(phases.tick(now: 1.1) == .beginEpisode(index: 0, rerecord: true) && phases.recorded == 0)
        phases.started(at: 2)
        #expect(phases.tick(now: 3) == .none)
        phases.handle(.exitEarly)
        #expect(phases.tick(now: 3.1) == .finish && phases.recorded == 1)
    }

    @Test("dagger hand-overs: actuated leader (move, release, hold, release) vs keyboard (slide the follower)")
    func daggerHandOver() {
        let last: [Float] = [1, 2, 3, 4, 5, 6]
        #expect(HandOver.dagger(.pauseEngine, actuated: true, lastAction: last) == [.moveLeader(to: last)])
        #expect(HandOver.dagger(.pauseEngine, actuated: true, lastAction: nil).isEmpty)
        #expect(HandOver.dagger(.startCorrection, actuated: true, lastAction: last) == [.leaderTorque(false)])
        #expect(HandOver.dagger(.endCorrection, actuated: true, lastAction: last) == [.leaderTorque(true)])
        #expect(HandOver.dagger(.resumeAutonomy, actuated: true, lastAction: nil) == [.leaderTorque(false)])
        #expect(HandOver.dagger(.pauseEngine, actuated: false, lastAction: last).isEmpty)
        #expect(HandOver.dagger(.startCorrection, actuated: false, lastAction: last) == [.slideFollower(from: last)])
        #expect(HandOver.dagger(.endCorrection, actuated: false, lastAction: last).isEmpty)
        #expect(HandOver.dagger(.startCorrection, actuated: nil, lastAction: last).isEmpty)
    }

    @Test("episodic reset hand-over and the interpolation (NaN targets keep the value)")
    func episodicHandOver() {
        let pose: [Float] = [0, 10, 20, 30, 40, 50]
        #expect(
            HandOver.episodicReset(actuated: true, followerPose: pose, resetToInitialPosition: true)
                == [.moveLeader(to: pose), .leaderTorque(false)])
        #expect(HandOver.episodicReset(actuated: false, followerPose: pose, resetToInitialPosition: true) == [.slideFollower(from: pose)])
        #expect(HandOver.episodicReset(actuated: nil, followerPose: pose, resetToInitialPosition: true) == [.returnToInitialPosition])
        #expect(HandOver.episodicReset(actuated: nil, followerPose: pose, resetToInitialPosition: false).isEmpty)
        #expect(HandOver.interpolate([0, 10, 4], [10, .nan, 8], 0.5) == [5, 10, 6])
    }
}

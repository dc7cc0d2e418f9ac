import ArgumentParser
import Cameras
import Foundation
import RemoteInference
import Synchronization
import Testing

@testable import Rollout

@Suite("lerobot-rollout flags")
struct RolloutOptionsTests {
    static let required = ["--inference.type=remote", "--robot.type=sim", "--policy.path=examples/mock_policy"]

    @Test("Every --inference.* field defaults to LeRobot's value")
    func defaults() throws {
        let settings = try RolloutOptions.parse(Self.required).settings()
        let inference = settings.inference
        #expect(inference.connectEndpoint == "tcp/localhost:7447" && inference.zenohMode == "client")
        #expect(inference.serviceModelID == "" && inference.serviceRevision == "main" && inference.serviceTask == "")
        #expect(inference.clientUUID == "" && inference.jpegQuality == 90 && inference.bufferTime == 0.5)
        #expect(inference.fallback == .hold && inference.handshakeTimeout == 2.0)
        #expect(
            inference.failSafe
                == FailSafeConfiguration(
                    degradedAfter: 1.0, maxActionAge: 3.0, requestTimeout: 5.0, reconnectInitialBackoff: 0.5,
                    reconnectMaxBackoff: 10.0, maxOffline: 60.0))
        #expect(inference.rtcEnabled && inference.rtcExecutionHorizon == 10 && inference.rtcMaxGuidanceWeight == 10.0)
        #expect(inference.tlsCA == nil && inference.tags.isEmpty)
        #expect(settings.strategy == .base && settings.fps == 30 && settings.duration == 0)
        #expect(settings.interpolationMultiplier == 1 && settings.returnToInitialPosition && settings.renameMap.isEmpty)
    }

    @Test("The seed's command line parses: cameras inline map, dotted flags, booleans, rename map, tags")
    func seedCommandLine() throws {
        let settings = try RolloutOptions.parse(
            Self.required + [
                "--strategy.type=episodic", "--inference.connect_endpoint=tcp/192.168.1.42:7447",
                "--robot.cameras={ front: {type: opencv, index_or_path: 0, width: 640, height: 480, fps: 30}, wrist: {type: sim, width: 320, height: 240, fps: 30}}",
                "--task=pick up the cube", "--duration=60", "--inference.fallback=repeat_last", "--inference.rtc.enabled=false",
                "--return_to_initial_position=false", "--rename_map={\"observation.images.top\": \"observation.images.cam0\"}",
                "--inference.tags={site: lab1, 'arm': left}", "--interpolation_multiplier=2", "--fps=15",
            ]
        ).settings()
        #expect(settings.strategy == .episodic && settings.task == "pick up the cube" && settings.duration == 60)
        #expect(
            settings.cameras == [
                CameraConfiguration(name: "front", type: .opencv, indexOrPath: "0", width: 640, height: 480, fps: 30),
                CameraConfiguration(name: "wrist", type: .sim, indexOrPath: "0", width: 320, height: 240, fps: 30),
            ])
        #expect(settings.cameras.map(\.featureKey) == ["observation.images.front", "observation.images.wrist"])
        #expect(settings.inference.connectEndpoint == "tcp/192.168.1.42:7447" && settings.inference.fallback == .repeatLast)
        #expect(!settings.inference.rtcEnabled && !settings.returnToInitialPosition)
        #expect(settings.renameMap == ["observation.images.top": "observation.images.cam0"])
        #expect(settings.inference.tags.map { "\($0.0)=\($0.1)" } == ["site=lab1", "arm=left"])
        #expect(settings.interpolationMultiplier == 2 && settings.fps == 15)
    }

    @Test(
        "Refusals name the flag: sentry/highlight not yet supported, weightful backends, robots, values",
        arguments: [
            ("--strategy.type=sentry", "--strategy.type=sentry is not yet supported"),
            ("--strategy.type=highlight", "--strategy.type=highlight is not yet supported"),
            ("--strategy.type=nope", "Unknown strategy type 'nope'"),
            ("--inference.type=sync", "--inference.type=sync requires a loaded policy and processors"),
            ("--robot.type=so100_follower", "--robot.port is required with --robot.type=so100_follower"),
            (
                "--robot.type=so101_follower|--robot.port=/dev/ttyACM0",
                "--robot.cameras: front.type sim renders the simulated arm and needs --robot.type=sim"
            ),
            ("--robot.type=ur5", "--robot.type must be one of sim, so100_follower, so101_follower, got 'ur5'"),
            ("--inference.fallback=brake", "--inference.fallback must be one of hold, repeat_last, zero, got 'brake'"),
            ("--inference.zenoh_mode=router", "--inference.zenoh_mode must be 'client' or 'peer', got 'router'"),
            ("--inference.buffer_time_s=0", "--inference.buffer_time_s must be > 0"),
            ("--interpolation_multiplier=0", "--interpolation_multiplier must be >= 1, got 0"),
            (
                "--robot.cameras={ front: {type: sim, width: -3, height: 48, fps: 30}}",
                "--robot.cameras: front.width must be an integer within 1...8192, got '-3'"
            ),
            (
                "--robot.cameras={ front: {width: 64, height: 48, fps: 30}}",
                "--robot.cameras: front.index_or_path is required for type opencv"
            ),
            ("--robot.cameras={ front: {index_or_path: 0, width: 64, height: 48}}", "--robot.cameras: front.fps is required"),
            (
                "--robot.cameras={ front: {index_or_path: 0, width: 64, height: 48, fps: 30, rotation: 45}}",
                "--robot.cameras: front.rotation must be one of 0, 90, 180, -90, got '45'"
            ),
            (
                "--robot.cameras={ front: {index_or_path: 0, width: 64, height: 48, fps: 30, exposure: 3}}",
                "--robot.cameras: camera 'front' has an unknown key 'exposure'"
            ),
            (
                "--robot.cameras={ front: {index_or_path: 0, width: 64, height: 48, fps: 30, mjpeg_passthrough: maybe}}",
                "--robot.cameras: front.mjpeg_passthrough must be true or false, got 'maybe'"
            ),
            ("--robot.cameras={ front: {width: 3}", "--robot.cameras: expected '}'"),
        ])
    func refusals(flag: String, message: String) throws {
        let flags = flag.split(separator: "|").map(String.init)
        let cameras =
            flags.contains { $0.hasPrefix("--robot.port") } ? ["--robot.cameras={front: {type: sim, width: 64, height: 48, fps: 30}}"] : []
        let error = #expect(throws: RolloutError.self) { try RolloutOptions.parse(Self.required + flags + cameras).settings() }
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "no error")")
    }

    @Test("A stale camera is one fault however old its frame gets; an ended camera is another, and terminal")
    func cameraFaults() {
        let stale = CameraFault(camera: "front", code: .timeout, message: "camera 'front' (0): latest frame is too old: 612 ms")
        let staler = CameraFault(camera: "front", code: .timeout, message: "camera 'front' (0): latest frame is too old: 645 ms")
        let ended = CameraFault(camera: "front", code: .ended, message: "camera 'front' (0): stream ended")
        let other = CameraFault(camera: "wrist", code: .timeout, message: "camera 'wrist' (1): latest frame is too old: 612 ms")
        #expect(staler.isSame(as: stale) && !ended.isSame(as: stale) && !other.isSame(as: stale) && !stale.isSame(as: nil))
        #expect(ended.isTerminal && !stale.isTerminal)
    }

    @Test("--robot.type is required")
    func robotRequired() throws {
        let error = #expect(throws: RolloutError.self) {
            try RolloutOptions.parse(["--inference.type=remote", "--policy.path=x"]).settings()
        }
        #expect(error?.message == "--robot.type is required for rollout")
    }
}

@Suite("Control-loop pieces: pacing, interpolation, dagger phases")
struct ControlLoopPieceTests {
    @Test("Deadlines advance by the period: a late tick shortens the next sleep, no drift accumulates")
    func noDrift() {
        var scheduler = TickScheduler(period: 0.1, start: 0)
        scheduler.tickStarted(at: 0)
        #expect(abs(scheduler.tickEnded(at: 0.03) - 0.07) < 1e-9)
        scheduler.tickStarted(at: 0.105)  // woke 5 ms late
        #expect(abs(scheduler.tickEnded(at: 0.13) - 0.07) < 1e-9)  // still due at 0.2
        #expect(scheduler.overruns == 0 && abs(scheduler.latenessPercentile(1) - 0.005) < 1e-9)
    }

    @Test("Overruns are counted; a long one re-anchors instead of bursting missed ticks")
    func overruns() {
        var scheduler = TickScheduler(period: 0.1, start: 0)
        scheduler.tickStarted(at: 0)
        #expect(scheduler.tickEnded(at: 0.15) == 0)  // ran past the 0.1 deadline
        #expect(scheduler.overruns == 1 && scheduler.deadline == 0.1)
        scheduler.tickStarted(at: 0.15)
        #expect(scheduler.tickEnded(at: 0.55) == 0)  // far past 0.2: restart from now
        #expect(scheduler.overruns == 2 && scheduler.deadline == 0.55)
        scheduler.tickStarted(at: 0.55)
        #expect(abs(scheduler.tickEnded(at: 0.56) - 0.09) < 1e-9)
    }

    @Test("Interpolation: the first action alone, then N steps from the previous one; reset forgets it")
    func interpolation() {
        var interpolator = ActionInterpolator(multiplier: 4)
        #expect(interpolator.needsNewAction && interpolator.next() == nil)
        interpolator.add([0, 4])
        #expect(interpolator.next() == [0, 4] && interpolator.needsNewAction)
        interpolator.add([4, 0])
        #expect((0..<4).map { _ in interpolator.next()! } == [[1, 3], [2, 2], [3, 1], [4, 0]])
        interpolator.reset()
        interpolator.add([8, 8])
        #expect(interpolator.next() == [8, 8] && interpolator.next() == nil)
    }

    @Test("Dagger: the full cycle, invalid events ignored, stdin commands")
    func dagger() {
        var phases = DaggerPhases()
        #expect(phases.handle(.correction) == .none && phases.phase == .autonomous)
        #expect(phases.handle(.pauseResume) == .pauseEngine && phases.phase == .paused)
        #expect(phases.handle(.correction) == .startCorrection && phases.phase == .correcting)
        #expect(phases.handle(.pauseResume) == .none && phases.phase == .correcting)
        #expect(phases.handle(.correction) == .endCorrection && phases.phase == .paused)
        #expect(phases.handle(.pauseResume) == .resumeAutonomy && phases.phase == .autonomous)
        #expect(DaggerPhases.event(forCommand: " p ") == .pauseResume)
        #expect(DaggerPhases.event(forCommand: "tab") == .correction)
        #expect(DaggerPhases.event(forCommand: "upload") == nil)
    }
}

@Suite("Operator status output")
struct StatusReporterTests {
    final class Sink: Sendable {
        private let written = Mutex("")
        func append(_ text: String) { written.withLock { $0 += text } }
        var text: String { written.withLock { $0 } }
    }

    @Test("On a terminal: one live line rewritten in place; state changes get their own line")
    func terminal() {
        let sink = Sink()
        let status = StatusReporter(isTerminal: true) { sink.append($0) }
        status.tick(now: 1, state: .streaming, queueDepth: 12, lastLatency: 0.0123, overruns: 0, phase: nil)
        status.tick(now: 2, state: .streaming, queueDepth: 9, lastLatency: 0.02, overruns: 1, phase: nil)
        status.tick(now: 2.1, state: .degraded, queueDepth: 3, lastLatency: 0.02, overruns: 1, phase: "PAUSED")
        status.finish()
        #expect(sink.text.contains("state STREAMING\n") && sink.text.contains("state STREAMING → DEGRADED\n"))
        #expect(sink.text.contains("\r\u{1B}[2KSTREAMING queue=9 latency=20ms rate=2.0Hz overruns=1"))
        #expect(sink.text.hasSuffix("\n"))
    }

    @Test("Not a terminal: plain timestamped lines, no control characters")
    func plain() {
        let sink = Sink()
        let status = StatusReporter(isTerminal: false) { sink.append($0) }
        for i in 0..<20 { status.tick(now: 100 + Double(i), state: .streaming, queueDepth: 5, lastLatency: 0.01, overruns: 0, phase: nil) }
        #expect(!sink.text.contains("\r") && !sink.text.contains("\u{1B}"))
        #expect(sink.text.split(separator: "\n").filter { $0.contains("queue=5") }.count == 4)  // every 5 s
    }
}

@Suite("Bounded histogram")
struct HistogramTests {
    @Test("Exact below 256 units, within 0.8 % above, the exact maximum at q = 1, fixed memory")
    func percentiles() {
        var h = Histogram(unit: 1e-6)
        for us in 1...100 { h.record(Double(us) * 1e-6) }
        #expect(abs(h.percentile(0.5) - 51e-6) < 1e-12 && abs(h.percentile(0) - 1e-6) < 1e-12)
        #expect(abs(h.percentile(1) - 100e-6) < 1e-12 && h.count == 100)
        var wide = Histogram(unit: 1e-6)
        for ms in 1...1000 { wide.record(Double(ms) * 1e-3) }
        let p99 = wide.percentile(0.99)
        #expect(p99 >= 0.99 && p99 <= 0.99 * 1.008, "\(p99)")
        #expect(wide.percentile(1) == 1.0)
        // A million samples, a huge one and junk: no growth, no trap.
        for i in 0..<1_000_000 { wide.record(Double(i % 7) * 1e-4) }
        wide.record(1e9)
        wide.record(-1)
        wide.record(.nan)
        #expect(wide.count == 1_001_002 && wide.maximum == 1e9 && wide.percentile(1) == 1e9)
        #expect(Histogram(unit: 1).percentile(0.5) == 0)
    }

    @Test("Every bucket's upper bound maps back to that bucket")
    func buckets() {
        for index in 0..<(Histogram.bucketCount - 1) {
            #expect(Histogram.index(Histogram.upperBound(index)) == index)
            #expect(Histogram.index(Histogram.upperBound(index) + 1) == index + 1)
        }
    }
}

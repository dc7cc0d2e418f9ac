public import Cameras
import Foundation
import PolicyWire
import RemoteInference
import Synchronization

/// `--robot.type=sim`: the SO-100-like ``SimulatedArm`` and one ``SimulatedCamera`` per `--robot.cameras`
/// entry. Each camera renders on its own thread at its fps (as real cameras deliver frames
/// asynchronously); ``observe()`` takes the latest frames without waiting.
public final class SimulatedRobot: Robot, Sendable {
    public let robotType = "sim"
    public let actionKeys = SimulatedArm.actionKeys
    public let cameras: [CameraConfiguration]
    private let arm: Mutex<SimulatedArm>
    private let frames: Mutex<[String: RGBImage]>
    private let running = Atomic<Bool>(false)
    /// Signalled once by each camera thread as it ends.
    private let stopped = DispatchSemaphore(value: 0)

    public init(cameras: [CameraConfiguration], initial: [Float] = [0, -20, 30, 10, 0, 20]) {
        self.cameras = cameras
        self.arm = Mutex(SimulatedArm(initial: initial))
        self.frames = Mutex([:])
    }

    public func connect() throws(RolloutError) {
        guard !running.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let positions = arm.withLock { $0.positions }
        for (index, camera) in cameras.enumerated() {
            var firstRenderer = SimulatedCamera(
                width: camera.width, height: camera.height, viewpoint: index == 0 ? .front : .wrist, seed: UInt64(index + 1))
            let first = firstRenderer.frame(positions: positions)
            frames.withLock { $0[camera.name] = first }
            let thread = Thread { [self, firstRenderer] in
                var renderer = firstRenderer
                let period = 1 / camera.fps
                var next = MonotonicClock.seconds
                while running.load(ordering: .acquiring) {
                    let now = MonotonicClock.seconds
                    let positions = arm.withLock {
                        $0.advance(to: now)
                        return $0.positions
                    }
                    let frame = renderer.frame(positions: positions)
                    frames.withLock { $0[camera.name] = frame }
                    next = max(next + period, MonotonicClock.seconds)
                    let wait = next - MonotonicClock.seconds
                    if wait > 0 { usleep(useconds_t(wait * 1e6)) }
                }
                stopped.signal()
            }
            thread.name = "camera-\(camera.name)"
            thread.start()
        }
    }

    public func observe() -> RobotFrame {
        let now = MonotonicClock.seconds
        let positions = arm.withLock {
            $0.advance(to: now)
            return $0.positions
        }
        let latest = frames.withLock { $0 }
        return RobotFrame(
            positions: positions, cameras: cameras.compactMap { c in latest[c.name].map { (c.name, CameraImage.pixels($0)) } })
    }

    public func send(_ positions: [Float]) {
        let now = MonotonicClock.seconds
        arm.withLock { _ = $0.send(positions, at: now) }
    }

    /// The commanded positions (for tests and the summary).
    public var targets: [Float] { arm.withLock { $0.targets } }

    public func disconnect() {
        guard running.exchange(false, ordering: .acquiringAndReleasing) else { return }
        for _ in cameras { stopped.wait() }
    }
}

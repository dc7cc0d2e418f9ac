import Foundation
public import Logging
import NIOCore
import PolicyRuntime
import PolicyWire
import Synchronization
public import Zenoh

/// The server's Zenoh surface and its single inference worker.
///
/// Transport callbacks only decide under the lock and deposit; the worker thread takes one observation at
/// a time (round-robin over sessions), runs the policy outside the lock and publishes the chunk.
public final class PolicyService: Sendable {
    let server: LoadedServer
    let zenoh: ZenohSession
    let metrics: ServerMetrics
    let logger: Logger
    let auditLogger: Logger
    let state: Mutex<ServiceState>
    /// Wakes the worker when an observation or a control operation arrives.
    let wakeUp = DispatchSemaphore(value: 0)
    let workerDone = DispatchSemaphore(value: 0)
    /// The runner, until the worker thread takes it for good when it starts (the policy is not Sendable).
    let runnerSlot: Mutex<InferenceRunner?>
    /// The runner's clock, for the control side's `receivedAt`.
    let clock: InferenceRunner.Clock
    /// The debug capture ring, when `debug.capture_dir` is set.
    let capture: DebugCapture?

    struct ServiceState: ~Copyable {
        var table: SessionTable
        var publishers: [String: ZenohPublisher] = [:]
        /// Resets waiting to be run by the worker (serialized with inference), with the query to answer.
        var pendingResets: [(Reset, ZenohQuery)] = []
        var surface: [any ZenohDeclaration] = []
        var serverToken: ZenohLivelinessToken?
        var isRunning = false
        var isWorkerAlive = false
        var lastGC = 0.0
    }

    public init(
        server: LoadedServer, zenoh: ZenohSession, runner: sending InferenceRunner, metrics: ServerMetrics, logger: Logger,
        auditLogger: Logger, capture: DebugCapture? = nil
    ) {
        self.capture = capture
        self.server = server
        self.zenoh = zenoh
        self.metrics = metrics
        self.logger = logger
        self.auditLogger = auditLogger
        self.clock = runner.clock
        self.runnerSlot = Mutex(runner)
        var table = SessionTable(capabilities: server.capabilities, identity: server.identity)
        table.warmedUp = true
        self.state = Mutex(ServiceState(table: table))
    }

    /// True while the inference worker runs (drives `/healthz`).
    public var isWorkerAlive: Bool { state.withLock { $0.isWorkerAlive } }

    /// Declares the control and data surface, starts the worker, then declares the server's liveliness token.
    public func start() throws {
        let keys = server.keys
        var surface: [any ZenohDeclaration] = []
        surface.append(try zenoh.declareQueryable(keys.status, complete: true) { [weak self] query in self?.answerStatus(query) })
        surface.append(try zenoh.declareQueryable(keys.session, complete: true) { [weak self] query in self?.answerSession(query) })
        surface.append(try zenoh.declareQueryable(keys.allResets) { [weak self] query in self?.answerReset(query) })
        surface.append(try zenoh.declareSubscriber(keys.allObservations) { [weak self] sample in self?.observationArrived(sample) })
        surface.append(
            try zenoh.liveliness.declareSubscriber(keys.allClientsAlive, history: true) { [weak self] sample in
                self?.clientLiveliness(sample)
            })
        state.withLock {
            $0.surface = surface
            $0.isRunning = true
            $0.isWorkerAlive = true
        }
        let thread = Thread { [self] in self.workerLoop() }
        thread.name = "inference-worker"
        thread.start()
        let token = try zenoh.liveliness.declareToken(keys.serverAlive)
        state.withLock { $0.serverToken = token }
    }

    /// The documented drain: drop the server token first (robots ride their buffers), let the worker finish
    /// its in-flight request, undeclare the surface (no late session is accepted), close every session.
    public func drain() {
        let token = state.withLock { state -> ZenohLivelinessToken? in
            defer { state.serverToken = nil }
            return state.serverToken
        }
        token?.undeclare()
        let wasRunning = state.withLock { state -> Bool in
            defer { state.isRunning = false }
            return state.isRunning
        }
        if wasRunning {
            wakeUp.signal()
            workerDone.wait()
        }
        let (surface, publishers, closed) = state.withLock { state -> ([any ZenohDeclaration], [ZenohPublisher], Int) in
            let surface = state.surface
            state.surface = []
            let publishers = Array(state.publishers.values)
            state.publishers = [:]
            var closed = 0
            for uuid in Array(state.table.sessions.keys) where state.table.close(clientUUID: uuid) != nil { closed += 1 }
            return (surface, publishers, closed)
        }
        for declaration in surface { declaration.undeclare() }
        for publisher in publishers { publisher.undeclare() }
        for _ in 0..<closed { metrics.sessionClosed(active: 0) }
        capture?.flush()
    }
}

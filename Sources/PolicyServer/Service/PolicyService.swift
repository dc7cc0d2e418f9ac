import Foundation
public import Logging
import NIOCore
import PolicyRuntime
import PolicyWire
public import ServiceLifecycle
import Synchronization
public import Zenoh

/// The server's Zenoh surface, its single inference thread and its garbage collector, as a service.
///
/// Transport callbacks only decide under the lock and deposit; the inference thread takes one observation at
/// a time (round-robin over sessions), runs the policy outside the lock and publishes the chunk. Every
/// decision of the worker, the collector and the drain is made by ``WorkerStateMachine`` under the lock.
/// Run it in a `ServiceGroup` (``run()``: start, serve until graceful shutdown, drain), or drive
/// ``start()`` and ``drain()`` directly.
public final class PolicyService: Service, Sendable {
    typealias PendingReset = (reset: Reset, query: ZenohQuery)

    let server: LoadedServer
    let zenoh: ZenohSession
    let metrics: ServerMetrics
    let logger: Logger
    let auditLogger: Logger
    let state: Mutex<ServiceState>
    /// Where the inference thread sleeps when there is nothing to serve.
    let parker = ThreadParker()
    /// The runner, until the inference thread takes it for good when it starts (the policy is not Sendable).
    let runnerSlot: Mutex<InferenceRunner?>
    /// The runner's clock, for the control side's `receivedAt`.
    let clock: InferenceRunner.Clock
    /// The debug capture ring, when `debug.capture_dir` is set.
    let capture: DebugCapture?
    /// Called once the service is up (its surface declared, its token out).
    let onStarted: @Sendable () -> Void

    struct ServiceState: ~Copyable {
        var table: SessionTable
        var worker = WorkerStateMachine<PendingReset>()
        var publishers: [String: ZenohPublisher] = [:]
        var surface: [any ZenohDeclaration] = []
        var serverToken: ZenohLivelinessToken?
        var collector: Task<Void, Never>?
        /// Drains waiting for the inference thread to exit.
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    public init(
        server: LoadedServer, zenoh: ZenohSession, runner: sending InferenceRunner, metrics: ServerMetrics, logger: Logger,
        auditLogger: Logger, capture: DebugCapture? = nil, onStarted: @escaping @Sendable () -> Void = {}
    ) {
        self.capture = capture
        self.server = server
        self.zenoh = zenoh
        self.metrics = metrics
        self.logger = logger
        self.auditLogger = auditLogger
        self.onStarted = onStarted
        self.clock = runner.clock
        self.runnerSlot = Mutex(runner)
        var table = SessionTable(capabilities: server.capabilities, identity: server.identity)
        table.warmedUp = true
        self.state = Mutex(ServiceState(table: table))
    }

    /// True while the inference thread runs (drives `/healthz`).
    public var isWorkerAlive: Bool {
        state.withLock { $0.worker.phase == .running || $0.worker.phase == .draining }
    }

    /// Starts, serves until the service group shuts down gracefully (SIGTERM, SIGINT), then drains.
    public func run() async throws {
        try start()
        onStarted()
        try? await gracefulShutdown()
        logger.info("Draining")
        await drain()
    }

    /// Declares the control and data surface, starts the inference thread and the garbage collector, then
    /// declares the server's liveliness token.
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
        let interval = state.withLock { $0.worker.garbageInterval }
        let collector = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                guard let self, !Task.isCancelled else { return }
                await self.collectGarbage()
            }
        }
        state.withLock {
            $0.surface = surface
            $0.collector = collector
            $0.worker.started()
        }
        let thread = Thread { [self] in self.workerLoop() }
        thread.name = "inference-worker"
        thread.start()
        let token = try zenoh.liveliness.declareToken(keys.serverAlive)
        state.withLock { $0.serverToken = token }
    }

    /// The documented drain: drop the server token first (robots ride their buffers), stop the collector, let
    /// the inference thread finish its in-flight request, undeclare the surface (no late session is accepted),
    /// close every session.
    public func drain() async {
        let (token, collector, action) = state.withLock { state in
            defer {
                state.serverToken = nil
                state.collector = nil
            }
            return (state.serverToken, state.collector, state.worker.drain())
        }
        token?.undeclare()
        collector?.cancel()
        await collector?.value
        switch action {
        case .stopWorker(let wake):
            if wake { parker.unpark() }
            await workerExit()
        case .awaitWorker:
            await workerExit()
        case .done:
            break
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

    /// Returns once the inference thread has left its loop.
    private func workerExit() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let exited = state.withLock { state -> Bool in
                guard state.worker.phase != .stopped else { return true }
                state.exitWaiters.append(continuation)
                return false
            }
            if exited { continuation.resume() }
        }
    }
}

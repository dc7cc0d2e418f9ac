/// The decisions of the server's inference worker, its garbage collector and its drain, as one pure value kept
/// beside the session table under the service's lock: events in (with the time), actions out. The inference
/// thread, the collector task and `drain()` carry the actions out after the lock. `Reset` is what a queued
/// reset carries (the request and the query to answer).
struct WorkerStateMachine<Reset: Sendable>: Sendable {
    enum Phase: Sendable, Equatable {
        case notStarted
        case running
        /// Asked to stop: the worker finishes what it is serving, then exits.
        case draining
        case stopped
    }

    /// What the worker does next.
    enum WorkerAction: Sendable {
        /// Run these resets (serialized with inference, before any observation).
        case runResets([Reset])
        /// Take the next observation (or batch) from the table; call ``nothingToServe()`` if there is none.
        case serve
        /// Leave the loop.
        case exit
    }

    /// What a drain does.
    enum DrainAction: Sendable, Equatable {
        /// Wake the worker if `wake`, then await its exit.
        case stopWorker(wake: Bool)
        /// Another drain already stopped the worker; await its exit.
        case awaitWorker
        /// Nothing runs.
        case done
    }

    /// What becomes of an arriving reset.
    enum ResetDecision: Sendable, Equatable {
        /// Queued for the worker; wake it if `wake`.
        case queued(wake: Bool)
        /// The server is draining or stopped: answer with a refusal.
        case refused
    }

    /// What the garbage collector does with one session.
    enum Collection: Sendable, Equatable {
        /// The session went silent: close it.
        case close(clientUUID: String, sessionID: String)
        /// The robot's liveliness token was dropped: ask the network whether it is back, and close if not.
        case confirmTokenLost(clientUUID: String, sessionID: String)
    }

    private(set) var phase = Phase.notStarted
    private var resets: [Reset] = []
    /// The worker found nothing to do and parks until woken.
    private(set) var isWorkerParked = false
    /// How often the collector task makes a pass.
    let garbageInterval: Double

    init(garbageInterval: Double = 1) {
        self.garbageInterval = garbageInterval
    }

    mutating func started() {
        if phase == .notStarted { phase = .running }
    }

    // MARK: Worker

    /// The worker asks what to do: resets first, then serving; exit once draining.
    mutating func nextWorkerAction() -> WorkerAction {
        isWorkerParked = false
        switch phase {
        case .notStarted, .draining, .stopped:
            return .exit
        case .running:
            if !resets.isEmpty {
                defer { resets = [] }
                return .runResets(resets)
            }
            return .serve
        }
    }

    /// The table had nothing ready: true when the worker parks until an observation, a reset or a drain
    /// wakes it; false when a drain came in meanwhile (the worker asks again and exits).
    mutating func nothingToServe() -> Bool {
        isWorkerParked = phase == .running
        return isWorkerParked
    }

    /// The worker left its loop: resets still queued are returned, to be refused.
    mutating func workerExited() -> [Reset] {
        phase = .stopped
        isWorkerParked = false
        defer { resets = [] }
        return resets
    }

    // MARK: Arrivals

    /// An observation was deposited: true when the parked worker must be woken (once per park).
    mutating func observationArrived() -> Bool { wakeWorker() }

    mutating func resetArrived(_ reset: Reset) -> ResetDecision {
        guard phase == .running || phase == .notStarted else { return .refused }
        resets.append(reset)
        return .queued(wake: wakeWorker())
    }

    private mutating func wakeWorker() -> Bool {
        guard isWorkerParked else { return false }
        isWorkerParked = false
        return true
    }

    // MARK: Garbage collection

    /// Whether the collector's pass runs: only while serving (a drain closes every session itself).
    var isCollecting: Bool { phase == .running }

    /// What to do with the table's candidates: a silent session is closed, a lost token is confirmed first.
    static func collections(_ candidates: [(clientUUID: String, sessionID: String, tokenLost: Bool)]) -> [Collection] {
        candidates.map {
            $0.tokenLost
                ? .confirmTokenLost(clientUUID: $0.clientUUID, sessionID: $0.sessionID)
                : .close(clientUUID: $0.clientUUID, sessionID: $0.sessionID)
        }
    }

    // MARK: Drain

    mutating func drain() -> DrainAction {
        switch phase {
        case .notStarted:
            phase = .stopped
            return .done
        case .running:
            phase = .draining
            return .stopWorker(wake: wakeWorker())
        case .draining:
            return .awaitWorker
        case .stopped:
            return .done
        }
    }
}

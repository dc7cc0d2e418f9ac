import Foundation
import Logging
import NIOCore
import PolicyRuntime
import PolicyWire
import Synchronization
import Zenoh

extension PolicyService {
    /// The inference thread: resets first, then one observation per turn (or one batch); parks when there
    /// is nothing to serve, exits when drained. Decisions are the state machine's, under the lock.
    func workerLoop() {
        // The runner is this thread's alone from here on.
        guard let runner = runnerSlot.withLock({ $0.take() }) else { return }
        let batchLimit = server.manifest.scheduler == .batch ? server.manifest.schedulerMaxBatch : nil
        loop: while true {
            switch state.withLock({ $0.worker.nextWorkerAction() }) {
            case .exit:
                break loop
            case .runResets(let resets):
                runResets(resets)
            case .serve:
                if let batchLimit {
                    if case .park = serveBatch(runner, limit: batchLimit) { parker.park() }
                    continue
                }
                // One lock for the work, the load it is served under and where its chunk goes.
                let next = state.withLock { state -> Turn in
                    guard let work = state.table.takeNext() else { return state.worker.nothingToServe() ? .park : .askAgain }
                    return .serve(work, state.table.serverLoad, state.publishers[work.session.clientUUID])
                }
                switch next {
                case .serve(let work, let load, let publisher): serve(work, load: load, publisher: publisher, runner: runner)
                case .park: parker.park()
                case .askAgain, .served: break
                }
            }
        }
        let (leftover, waiters) = state.withLock { state in
            defer { state.exitWaiters = [] }
            return (state.worker.workerExited(), state.exitWaiters)
        }
        for pending in leftover {
            answer(pending.query, with: ResetAck(ok: false, error: "server draining: the reset was not run"))
        }
        for waiter in waiters { waiter.resume() }
    }

    /// One turn of the worker, decided under the lock.
    enum Turn {
        case serve(SessionTable.Work, Double, ZenohPublisher?)
        /// A batch was run.
        case served
        /// Nothing ready: park until woken.
        case park
        /// Nothing ready, but a drain came in: ask the state machine again (it says exit).
        case askAgain
    }

    private func runResets(_ resets: [PendingReset]) {
        for (reset, query) in resets {
            let (ack, session) = state.withLock { $0.table.reset(reset) }
            if session != nil && server.servingMode == .exclusive { server.policy.resetPolicy() }
            answer(query, with: ack)
        }
    }

    func answer(_ query: ZenohQuery, with ack: ResetAck) {
        try? query.reply(key: query.key.description, payload: ack.encoded())
        query.finish()
    }

    private func serve(_ work: SessionTable.Work, load: Double, publisher: ZenohPublisher?, runner: InferenceRunner) {
        var session = work.session
        let header = work.pending.header
        do {
            let reply: InferenceRunner.Reply
            do {
                reply = try runner.serve(work.pending, session: &session, superseded: work.superseded, serverLoad: load)
            } catch {
                capture?.record(request: work.pending.body, reply: nil)
                throw error
            }
            capture?.record(request: work.pending.body, reply: reply.body)
            try publish(reply, to: publisher, clientUUID: session.clientUUID)
            state.withLock { $0.table.finishedServing(session, succeeded: true) }
            metrics.requestServed(queueWaitMs: reply.queueWaitMs, inferenceMs: reply.inferenceMs)
            audit(session, header, queueWaitMs: reply.queueWaitMs, inferenceMs: reply.inferenceMs, outcome: "ok")
        } catch {
            state.withLock { $0.table.finishedServing(session, succeeded: false) }
            metrics.requestFailed()
            logger.error("Inference request failed", metadata: ["client_uuid": "\(session.clientUUID)", "error": "\(error)"])
            audit(session, header, queueWaitMs: 0, inferenceMs: 0, outcome: "error: \(error)")
        }
    }

    /// The batch scheduler: every ready session (up to `limit`) in one run; `.park` or `.askAgain` when none
    /// was ready.
    private func serveBatch(_ runner: InferenceRunner, limit: Int) -> Turn {
        let (taken, empty) = state.withLock { state in
            let taken = state.table.takeBatch(limit: limit).map {
                ($0, state.table.serverLoad, state.publishers[$0.session.clientUUID])
            }
            guard taken.isEmpty else { return (taken, Turn.served) }
            return (taken, state.worker.nothingToServe() ? .park : .askAgain)
        }
        guard let load = taken.first?.1 else { return empty }
        var items = taken.map { InferenceRunner.BatchItem(pending: $0.0.pending, session: $0.0.session, superseded: $0.0.superseded) }
        let results = runner.serveBatch(&items, serverLoad: load)
        for ((_, _, publisher), (item, result)) in zip(taken, zip(items, results)) {
            let header = item.pending.header
            do {
                let reply = try result.get()
                try publish(reply, to: publisher, clientUUID: item.session.clientUUID)
                state.withLock { $0.table.finishedServing(item.session, succeeded: true) }
                metrics.requestServed(queueWaitMs: reply.queueWaitMs, inferenceMs: reply.inferenceMs)
                audit(item.session, header, queueWaitMs: reply.queueWaitMs, inferenceMs: reply.inferenceMs, outcome: "ok")
            } catch {
                state.withLock { $0.table.finishedServing(item.session, succeeded: false) }
                metrics.requestFailed()
                logger.error("Inference request failed", metadata: ["client_uuid": "\(item.session.clientUUID)", "error": "\(error)"])
                audit(item.session, header, queueWaitMs: 0, inferenceMs: 0, outcome: "error: \(error)")
            }
        }
        return .served
    }

    /// Publishes a chunk on its session's publisher; a session closed while the chunk was computed has none.
    private func publish(_ reply: InferenceRunner.Reply, to publisher: ZenohPublisher?, clientUUID: String) throws {
        guard let publisher else { return dropped(.sessionClosed, key: clientUUID) }
        try publisher.put(reply.body, attachment: reply.header.packed())
    }

    private func audit(_ session: ServerSession, _ header: AttachmentHeader, queueWaitMs: Double, inferenceMs: Double, outcome: String) {
        // The session copy taken with the observation carries the lifetime supersession count.
        let superseded = session.mailbox.supersededTotal
        auditLogger.info(
            "\(AuditLine.render(sessionID: session.sessionID, clientUUID: session.clientUUID, seqID: header.seqID, episodeID: Int64(header.episodeID), queueWaitMs: queueWaitMs, inferenceMs: inferenceMs, superseded: superseded, outcome: outcome))"
        )
    }

    /// One pass of the garbage collector (its task runs it every second): closes sessions that went silent, and
    /// those whose liveliness token is gone once a liveliness query confirms it.
    func collectGarbage() async {
        let t = now
        let idleTimeout = server.manifest.sessionIdleTimeoutSeconds
        let collections = state.withLock { state -> [WorkerStateMachine<PendingReset>.Collection] in
            guard state.worker.isCollecting else { return [] }
            return WorkerStateMachine<PendingReset>.collections(state.table.garbage(now: t, idleTimeout: idleTimeout))
        }
        for collection in collections {
            switch collection {
            case .close(let clientUUID, let sessionID):
                closeSession(clientUUID: clientUUID, sessionID: sessionID, reason: "idle")
            case .confirmTokenLost(let clientUUID, let sessionID):
                if let key = try? server.keys.alive(client: clientUUID), await tokenStillAlive(key) {
                    // A late DELETE from an earlier incarnation: the token is back.
                    state.withLock { $0.table.clientTokenSeen(clientUUID) }
                    continue
                }
                closeSession(clientUUID: clientUUID, sessionID: sessionID, reason: "liveliness token dropped")
            }
        }
    }

    /// Whether a liveliness query (at most 1 s) finds the token.
    private func tokenStillAlive(_ key: String) async -> Bool {
        guard let replies = try? zenoh.liveliness.get(key, timeout: .seconds(1)), let all = try? await replies.collect() else {
            return false
        }
        return all.contains { $0.sample != nil }
    }
}

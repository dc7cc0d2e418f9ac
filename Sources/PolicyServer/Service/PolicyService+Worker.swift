import Foundation
import PolicyRuntime
import Synchronization
import Logging
import NIOCore
import PolicyRuntime
import PolicyWire
import Zenoh

extension PolicyService {
    /// The single inference worker: resets first, then one observation per turn, GC every second.
    func workerLoop() {
        // The runner is this thread's alone from here on.
        guard let runner = runnerSlot.withLock({ $0.take() }) else { return }
        defer {
            state.withLock { $0.isWorkerAlive = false }
            workerDone.signal()
        }
        while state.withLock({ $0.isRunning }) {
            runPendingResets()
            if server.manifest.scheduler == .batch {
                if !serveBatch(runner) { _ = wakeUp.wait(timeout: .now() + .milliseconds(250)) }
                collectGarbage()
                continue
            }
            // One lock for the work, the load it is served under and where its chunk goes.
            let next = state.withLock { state in
                state.table.takeNext().map { ($0, state.table.serverLoad, state.publishers[$0.session.clientUUID]) }
            }
            if let (work, load, publisher) = next {
                serve(work, load: load, publisher: publisher, runner: runner)
            } else {
                _ = wakeUp.wait(timeout: .now() + .milliseconds(250))
            }
            collectGarbage()
        }
    }

    private func runPendingResets() {
        let resets = state.withLock { state -> [(Reset, ZenohQuery)] in
            defer { state.pendingResets = [] }
            return state.pendingResets
        }
        for (reset, query) in resets {
            let (ack, session) = state.withLock { $0.table.reset(reset) }
            if session != nil && server.servingMode == .exclusive { server.policy.resetPolicy() }
            try? query.reply(key: query.key.description, payload: ack.encoded())
            query.finish()
        }
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

    /// The batch scheduler: every ready session (up to `scheduler_max_batch`) in one run. False when none was ready.
    private func serveBatch(_ runner: InferenceRunner) -> Bool {
        let taken = state.withLock { state in
            state.table.takeBatch(limit: server.manifest.schedulerMaxBatch).map {
                ($0, state.table.serverLoad, state.publishers[$0.session.clientUUID])
            }
        }
        guard let load = taken.first?.1 else { return false }
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
        return true
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
            "\(AuditLine.render(sessionID: session.sessionID, clientUUID: session.clientUUID, seqID: header.seqID, episodeID: Int64(header.episodeID), queueWaitMs: queueWaitMs, inferenceMs: inferenceMs, superseded: superseded, outcome: outcome))")
    }

    /// Closes sessions whose token is gone (after a liveliness get confirms it) or that went silent.
    private func collectGarbage() {
        let t = now
        let candidates = state.withLock { state -> [(clientUUID: String, sessionID: String, tokenLost: Bool)] in
            guard t - state.lastGC >= 1 else { return [] }
            state.lastGC = t
            return state.table.garbage(now: t, idleTimeout: server.manifest.sessionIdleTimeoutSeconds)
        }
        for candidate in candidates {
            if candidate.tokenLost, let key = try? server.keys.alive(client: candidate.clientUUID),
                Self.tokenStillAlive(zenoh: zenoh, key: key)
            {
                // A late DELETE from an earlier incarnation: the token is back.
                state.withLock { $0.table.clientTokenSeen(candidate.clientUUID) }
                continue
            }
            closeSession(
                clientUUID: candidate.clientUUID, sessionID: candidate.sessionID,
                reason: candidate.tokenLost ? "liveliness token dropped" : "idle")
        }
    }

    /// A blocking liveliness get from the worker thread (bridged to async; at most 1 s).
    private static func tokenStillAlive(zenoh: ZenohSession, key: String) -> Bool {
        let done = DispatchSemaphore(value: 0)
        let found = SendableFlag()
        // The worker is a plain thread; this Task is the bridge to the async API.
        Task {
            if let replies = try? zenoh.liveliness.get(key, timeout: .seconds(1)), let all = try? await replies.collect() {
                found.set(all.contains { $0.sample != nil })
            }
            done.signal()
        }
        _ = done.wait(timeout: .now() + .seconds(2))
        return found.value
    }
}

final class SendableFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set(_ value: Bool) { flag.store(value, ordering: .releasing) }
    var value: Bool { flag.load(ordering: .acquiring) }
}

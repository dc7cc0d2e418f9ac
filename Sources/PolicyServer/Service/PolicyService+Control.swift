import Foundation
import Logging
import NIOCore
import PolicyRuntime
import PolicyWire
import Synchronization
import Zenoh

extension PolicyService {
    /// Monotonic seconds, on the runner's clock.
    var now: Double { clock.now }

    func answerStatus(_ query: ZenohQuery) {
        let status = state.withLock { $0.table.status() }
        try? query.reply(key: server.keys.status, payload: status.encoded())
        query.finish()
    }

    func answerSession(_ query: ZenohQuery) {
        defer { query.finish() }
        let payload = query.payload ?? ByteBuffer()
        let request: SessionRequest
        do {
            request = try SessionRequest(decoding: payload)
        } catch {
            let ack = SessionAck(accepted: false, error: "server error: \(error.message)")
            try? query.reply(key: server.keys.session, payload: ack.encoded())
            return
        }
        switch request {
        case .open(let open):
            let result = state.withLock { $0.table.open(open, processors: server.policy.makeSessionState, now: now) }
            var ack = result.ack
            if ack.accepted {
                do {
                    let publisher = try zenoh.declarePublisher(
                        server.keys.actions(client: open.clientUUID),
                        options: ZenohPublicationOptions(
                            priority: .interactiveHigh, congestionControl: .drop, isExpress: true, reliability: .reliable))
                    let (old, active) = state.withLock { state in
                        (state.publishers.updateValue(publisher, forKey: open.clientUUID), state.table.activeSessions)
                    }
                    old?.undeclare()
                    if result.replaced != nil { metrics.sessionClosed(active: active) }
                    metrics.sessionOpened(active: active)
                    logger.info(
                        "Session opened",
                        metadata: [
                            "client_uuid": "\(open.clientUUID)", "session_id": "\(ack.sessionID)",
                            "rtc": "\(ack.supportsRTC)", "warnings": "\(ack.warnings)",
                        ])
                } catch {
                    _ = state.withLock { $0.table.close(clientUUID: open.clientUUID, sessionID: ack.sessionID) }
                    ack = SessionAck(accepted: false, error: "server error: \(error)")
                }
            } else {
                logger.warning("Session rejected", metadata: ["client_uuid": "\(open.clientUUID)", "error": "\(ack.error)"])
            }
            try? query.reply(key: server.keys.session, payload: ack.encoded())
        case .close(let close):
            closeSession(clientUUID: close.clientUUID, sessionID: close.sessionID, reason: "closed by the client")
            try? query.reply(key: server.keys.session, payload: ResetAck(ok: true, error: "").encoded())
        }
    }

    func closeSession(clientUUID: String, sessionID: String, reason: String) {
        let (closed, publisher, active) = state.withLock { state -> (ServerSession?, ZenohPublisher?, Int) in
            guard let closed = state.table.close(clientUUID: clientUUID, sessionID: sessionID) else {
                return (nil, nil, state.table.activeSessions)
            }
            return (closed, state.publishers.removeValue(forKey: clientUUID), state.table.activeSessions)
        }
        guard let closed else { return }
        publisher?.undeclare()
        metrics.sessionClosed(active: active)
        logger.info(
            "Session closed", metadata: ["client_uuid": "\(clientUUID)", "session_id": "\(closed.sessionID)", "reason": "\(reason)"])
    }

    /// Resets run on the worker, serialized with inference; the query is answered from there.
    func answerReset(_ query: ZenohQuery) {
        do {
            let reset = try Reset(decoding: query.payload ?? ByteBuffer())
            switch state.withLock({ $0.worker.resetArrived((reset, query)) }) {
            case .queued(let wake):
                if wake { parker.unpark() }
            case .refused:
                answer(query, with: ResetAck(ok: false, error: "server draining: the reset was not run"))
            }
        } catch {
            try? query.reply(key: query.key.description, payload: ResetAck(ok: false, error: "server error: \(error.message)").encoded())
            query.finish()
        }
    }

    func observationArrived(_ sample: ZenohSample) {
        let header: AttachmentHeader
        switch AttachmentHeader.checked(sample.attachment) {
        case .success(let checked): header = checked
        case .failure(let cause): return dropped(cause, key: sample.key.description)
        }
        guard let uuid = try? ServiceKeys.clientUUID(fromKey: sample.key.description) else {
            return dropped(.badKey, key: sample.key.description)
        }
        let pending = PendingObservation(header: header, body: sample.payload, receivedAt: now)
        let (outcome, wake) = state.withLock { state in
            let outcome = state.table.deposit(clientUUID: uuid, pending)
            if case .unknownClient = outcome { return (outcome, false) }
            return (outcome, state.worker.observationArrived())
        }
        if wake { parker.unpark() }
        switch outcome {
        case .deposited: break
        case .superseded: metrics.observationSuperseded()
        case .unknownClient(let warn):
            metrics.unknownClientDropped()
            if warn { logger.warning("Observation from unknown client dropped", metadata: ["client_uuid": "\(uuid)"]) }
        }
    }

    /// Counts a message dropped on arrival; the first of each cause is logged.
    func dropped(_ cause: DropCause, key: String) {
        if metrics.messageDropped(cause) {
            logger.warning(
                "Message dropped: \(cause.explanation) (counted in dropped_messages_total{cause=\"\(cause.rawValue)\"}; logged once)",
                metadata: ["key": "\(key)"])
        }
    }

    func clientLiveliness(_ sample: ZenohSample) {
        guard let uuid = try? ServiceKeys.clientUUID(fromKey: sample.key.description) else { return }
        let t = now
        state.withLock {
            if sample.kind == .delete { $0.table.clientTokenLost(uuid, now: t) } else { $0.table.clientTokenSeen(uuid) }
        }
    }
}

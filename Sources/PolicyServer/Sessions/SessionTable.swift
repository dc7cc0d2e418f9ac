import Foundation
public import PolicyRuntime
public import PolicyWire

/// Every session of the server and the decisions about them — open, close, reset, deposit, scheduling,
/// garbage collection — as a pure value. The service keeps it behind one lock and does the I/O outside.
public struct SessionTable: Sendable {
    /// What the server says about itself in acks and status replies.
    public struct Identity: Sendable, Hashable {
        public var modelRepo: String
        public var modelRevision: String
        public var chunkSize: Int
        public var servingMode: ServingMode
        public var rtcExecutionHorizon: Int

        public init(modelRepo: String, modelRevision: String, chunkSize: Int, servingMode: ServingMode, rtcExecutionHorizon: Int) {
            self.modelRepo = modelRepo
            self.modelRevision = modelRevision
            self.chunkSize = chunkSize
            self.servingMode = servingMode
            self.rtcExecutionHorizon = rtcExecutionHorizon
        }
    }

    public enum DepositOutcome: Sendable, Hashable {
        case deposited
        case superseded
        /// No session for this uuid; `warn` is true the first time (at most 256 uuids remembered).
        case unknownClient(warn: Bool)
    }

    /// A session the worker should serve now.
    public struct Work: Sendable {
        public var session: ServerSession
        public var pending: PendingObservation
        public var superseded: Int
    }

    public let capabilities: ServerCapabilities
    public let identity: Identity
    public var warmedUp = false
    public private(set) var sessions: [String: ServerSession] = [:]
    private var scheduler: any SessionScheduler
    private var warnedUnknown: [String] = []

    public init(capabilities: ServerCapabilities, identity: Identity, scheduler: any SessionScheduler = RoundRobinScheduler()) {
        self.capabilities = capabilities
        self.identity = identity
        self.scheduler = scheduler
    }

    public var activeSessions: Int { sessions.count }
    public var serverLoad: Double { Double(sessions.count) / Double(max(1, capabilities.maxSessions)) }

    /// Validates and opens (or re-opens) a session. Returns the ack and any session it replaced.
    public mutating func open(_ request: SessionOpen, processors: () -> any PolicySessionState, now: Double)
        -> (ack: SessionAck, replaced: ServerSession?)
    {
        let uuid = request.clientUUID
        let validation = SessionValidation.check(
            request, against: capabilities, activeSessions: sessions.count, isReplacing: sessions[uuid] != nil)
        guard case .accepted(let warnings, let rtcGranted) = validation else {
            if case .rejected(let reason) = validation { return (makeAck(accepted: false, error: reason), nil) }
            return (makeAck(accepted: false, error: "rejected"), nil)
        }
        guard !uuid.isEmpty else { return (makeAck(accepted: false, error: "client_uuid is required"), nil) }
        let session = ServerSession(
            sessionID: UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""), clientUUID: uuid,
            rtcEnabled: rtcGranted, task: request.task, processors: processors(), now: now)
        let replaced = sessions.updateValue(session, forKey: uuid)
        var ack = makeAck(accepted: true, error: "")
        ack.warnings = warnings
        ack.sessionID = session.sessionID
        ack.supportsRTC = capabilities.rtcActive && rtcGranted
        return (ack, replaced)
    }

    /// Closes `uuid`'s session when it matches `sessionID` (any session when empty).
    public mutating func close(clientUUID uuid: String, sessionID: String = "") -> ServerSession? {
        guard let session = sessions[uuid], sessionID.isEmpty || session.sessionID == sessionID else { return nil }
        return sessions.removeValue(forKey: uuid)
    }

    /// An episode boundary from the robot: empties the mailbox and resets the session's processors.
    public mutating func reset(_ request: Reset) -> (ack: ResetAck, session: ServerSession?) {
        guard var session = sessions[request.clientUUID] else {
            return (ResetAck(ok: false, error: "unknown client '\(request.clientUUID)'"), nil)
        }
        _ = session.mailbox.takeForReply()
        session.episodeID = request.episodeID
        session.processors.reset()
        sessions[request.clientUUID] = session
        return (ResetAck(ok: true, error: ""), session)
    }

    /// The observation subscriber's only job: put the observation in its session's mailbox.
    public mutating func deposit(clientUUID uuid: String, _ pending: PendingObservation) -> DepositOutcome {
        guard var session = sessions[uuid] else {
            if warnedUnknown.contains(uuid) { return .unknownClient(warn: false) }
            warnedUnknown.append(uuid)
            if warnedUnknown.count > 256 { warnedUnknown.removeFirst() }
            return .unknownClient(warn: true)
        }
        let superseded = session.mailbox.deposit(pending)
        session.lastActivity = pending.receivedAt
        session.tokenLostAt = nil
        sessions[uuid] = session
        return superseded ? .superseded : .deposited
    }

    /// Takes the next session's observation (round-robin among sessions with one), or nil.
    public mutating func takeNext() -> Work? {
        let ready = sessions.values.filter(\.mailbox.isFull).map(\.clientUUID)
        guard let uuid = scheduler.next(ready: ready), var session = sessions[uuid],
            let (pending, superseded) = session.mailbox.takeForReply()
        else { return nil }
        sessions[uuid] = session
        return Work(session: session, pending: pending, superseded: superseded)
    }

    /// Takes up to `limit` ready sessions' observations in scheduler order (for one batched run), or none.
    public mutating func takeBatch(limit: Int) -> [Work] {
        var ready = sessions.values.filter(\.mailbox.isFull).map(\.clientUUID)
        var batch: [Work] = []
        while batch.count < limit, let uuid = scheduler.next(ready: ready) {
            ready.removeAll { $0 == uuid }
            guard var session = sessions[uuid], let (pending, superseded) = session.mailbox.takeForReply() else { continue }
            sessions[uuid] = session
            batch.append(Work(session: session, pending: pending, superseded: superseded))
        }
        return batch
    }

    /// Stores what serving changed (episode, counters) — only if the session was not replaced meanwhile.
    public mutating func finishedServing(_ served: ServerSession, succeeded: Bool) {
        guard var current = sessions[served.clientUUID], current.sessionID == served.sessionID else { return }
        current.episodeID = served.episodeID
        if succeeded { current.requests += 1 } else { current.errors += 1 }
        sessions[served.clientUUID] = current
    }

    public mutating func clientTokenLost(_ uuid: String, now: Double) {
        sessions[uuid]?.tokenLostAt = now
    }

    public mutating func clientTokenSeen(_ uuid: String) {
        sessions[uuid]?.tokenLostAt = nil
    }

    /// Sessions to close: token gone for more than `tokenGrace` s (the caller double-checks with a liveliness
    /// get), or silent for `idleTimeout` s. Each names its session id so removal is identity-checked.
    public func garbage(now: Double, idleTimeout: Double, tokenGrace: Double = 5)
        -> [(clientUUID: String, sessionID: String, tokenLost: Bool)]
    {
        sessions.values.compactMap { s in
            if let lost = s.tokenLostAt, now - lost > tokenGrace { return (s.clientUUID, s.sessionID, true) }
            if now - s.lastActivity > idleTimeout { return (s.clientUUID, s.sessionID, false) }
            return nil
        }
    }

    public func status() -> ServerStatus {
        ServerStatus(
            modelRepo: identity.modelRepo, modelRevision: identity.modelRevision, policyType: capabilities.policyType,
            actionNames: capabilities.actionNames, expectedCameras: capabilities.expectedCameras,
            stateDim: Int64(capabilities.stateDim), chunkSize: Int64(identity.chunkSize),
            trainedFPS: capabilities.trainedFPS, supportsRTC: capabilities.rtcActive,
            rtcExecutionHorizon: Int64(identity.rtcExecutionHorizon), servingMode: identity.servingMode.rawValue,
            warmedUp: warmedUp, minSchemaVersion: Int64(capabilities.minSchemaVersion),
            maxSchemaVersion: Int64(capabilities.maxSchemaVersion), activeSessions: Int64(sessions.count),
            maxSessions: Int64(capabilities.maxSessions))
    }

    private func makeAck(accepted: Bool, error: String) -> SessionAck {
        SessionAck(
            accepted: accepted, error: error, modelRepo: identity.modelRepo, modelRevision: identity.modelRevision,
            policyType: capabilities.policyType, actionNames: capabilities.actionNames,
            expectedCameras: capabilities.expectedCameras, stateDim: Int64(capabilities.stateDim),
            chunkSize: Int64(identity.chunkSize), trainedFPS: capabilities.trainedFPS, supportsRTC: false,
            rtcExecutionHorizon: Int64(identity.rtcExecutionHorizon), servingMode: identity.servingMode.rawValue,
            warmedUp: warmedUp, schemaVersion: Int64(AttachmentHeader.currentSchemaVersion), serverLoad: serverLoad)
    }
}

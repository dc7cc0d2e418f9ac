import ZenohProtocol
import ZenohTransport

extension SessionStateMachine {
    /// A connection attempt begins; returns its generation, or nil when the session is closed.
    mutating func connectAttemptStarted() -> UInt64? {
        if self.isClosed { return nil }
        self.generation += 1
        self.connection = .connecting(generation: self.generation, earlyClose: nil)
        self.earlyMessages = []
        return self.generation
    }

    /// The attempt of `generation` failed before a transport existed.
    mutating func connectAttemptFailed(generation: UInt64) {
        if case .connecting(let current, _) = self.connection, current == generation {
            self.connection = .disconnected
            self.earlyMessages = []
        }
    }

    /// The transport of `generation` is up: send every declaration again and tell the application.
    /// Fails when the transport already closed, or the session was closed while connecting.
    mutating func connectionEstablished(
        generation: UInt64, info: ZenohTransportInfo
    ) -> Result<[SessionAction], ZenohError> {
        if self.isClosed { return .failure(ZenohError(.sessionClosed, "the session was closed while connecting")) }
        switch self.connection {
        case .connecting(let current, nil) where current == generation:
            self.connection = .connected(generation: generation, info: info)
            self.faces[generation] = Face(info: info, isUplink: true)
            var actions = self.redeclarations(for: generation)
            actions.append(.emit(self.hasConnectedBefore ? .reconnected(info) : .connected(info)))
            self.hasConnectedBefore = true
            let early = self.earlyMessages
            self.earlyMessages = []
            for message in early { actions += self.received(message, generation: generation) }
            return .success(actions)
        case .connecting(let current, let error?) where current == generation:
            self.connection = .disconnected
            self.earlyMessages = []
            return .failure(error)
        default:
            // A stale attempt (its generation was superseded): benign, the caller closes that transport.
            return .failure(ZenohError(.connectionClosed, "connection attempt \(generation) was superseded"))
        }
    }

    /// A remote connected to our listener (peer mode): it becomes a face with a fresh generation, and a peer is
    /// told our declarations. Returns nil when the session is closed (the caller closes that transport).
    mutating func faceAccepted(info: ZenohTransportInfo) -> (generation: UInt64, actions: [SessionAction])? {
        guard !self.isClosed, self.isPeer else { return nil }
        self.generation += 1
        self.faces[self.generation] = Face(info: info, isUplink: false)
        return (self.generation, self.redeclarations(for: self.generation))
    }

    /// The transport of `generation` reported `.closed`. For the dialled link: in client mode pending queries
    /// fail with `connectionClosed`, the application hears `.disconnected`, and the reconnect loop starts (if
    /// enabled). For any face: what it declared is forgotten — liveliness subscribers see its tokens go, and
    /// in peer mode the other faces are told.
    mutating func transportClosed(generation: UInt64, error: ZenohError) -> [SessionAction] {
        switch self.connection {
        case .connecting(let current, nil) where current == generation:
            self.connection = .connecting(generation: current, earlyClose: error)
            return []
        case .connected(let current, _) where current == generation:
            self.connection = .disconnected
            var actions: [SessionAction] = []
            if !self.isPeer {
                actions += self.failPendingQueries(
                    ZenohError(.connectionClosed, "the link to the router was lost: \(error.message)", cause: error))
            }
            actions += self.faceRemoved(generation)
            actions.append(.emit(.disconnected(error)))
            if self.reconnectsAutomatically { actions.append(.startReconnecting) }
            return actions
        default:
            // An accepted face, an older transport, or the session is closed.
            return self.faceRemoved(generation)
        }
    }

    /// The application closed the session: everything pending ends with `sessionClosed`.
    mutating func closeRequested() -> [SessionAction] {
        if self.isClosed { return [] }
        self.isClosed = true
        self.connection = .closed
        let actions = self.failPendingQueries(ZenohError(.sessionClosed, "the session was closed"))
        self.faces = [:]
        self.routedIDs = [:]
        self.inboundRequests = [:]
        self.forwardedRequests = [:]
        self.subscribers = [:]
        self.queryables = [:]
        self.tokens = [:]
        self.livelinessSubscribers = [:]
        return actions
    }

    private mutating func failPendingQueries(_ error: ZenohError) -> [SessionAction] {
        let ids = self.pendingQueries.keys.sorted { "\($0)" < "\($1)" }
        self.pendingQueries = [:]
        return ids.map { .finishQuery($0, error: error) }
    }

    /// Forgets a face: its tokens go (DELETE to liveliness subscribers that saw them), peers and clients
    /// are told its entities are gone, queries waiting on it stop waiting, requests it sent are dropped.
    private mutating func faceRemoved(_ generation: UInt64) -> [SessionAction] {
        guard let face = self.faces.removeValue(forKey: generation) else { return [] }
        var actions: [SessionAction] = []
        for (id, subscriber) in self.livelinessSubscribers.sorted(by: { $0.key < $1.key }) {
            let gone = subscriber.deliveredTokens.filter { $0.face == generation }.sorted()
            for token in gone {
                if let key = face.tokens[token.id] {
                    actions.append(.deliverLivelinessSample(ZenohSample(kind: .delete, key: key), subscriberIDs: [id]))
                }
                self.livelinessSubscribers[id]?.deliveredTokens.remove(token)
            }
        }
        // Undeclarations to the others: computed as if the face were still there for the forwarding rule.
        self.faces[generation] = face
        for entity in face.entities {
            let remote = RemoteEntity(face: generation, kind: entity.kind, id: entity.id)
            if self.routedIDs[remote] != nil {
                actions += self.propagate(remote, key: entity.key, declared: false)
            }
        }
        self.faces[generation] = nil
        self.routedIDs = self.routedIDs.filter { $0.key.face != generation }
        self.inboundRequests = self.inboundRequests.filter { $0.key.generation != generation }
        self.forwardedRequests = self.forwardedRequests.filter { $0.value.generation != generation }
        for (forwarded, origin) in self.forwardedRequests.sorted(by: { $0.key.requestID < $1.key.requestID })
        where forwarded.generation == generation {
            self.forwardedRequests[forwarded] = nil
            actions += self.inboundRequestPartFinished(origin)
        }
        for (id, pending) in self.pendingQueries.sorted(by: { "\($0.key)" < "\($1.key)" })
        where pending.awaitingFaces.contains(generation) {
            actions += self.responseFinalReceived(for: id, from: generation)
        }
        return actions
    }
}

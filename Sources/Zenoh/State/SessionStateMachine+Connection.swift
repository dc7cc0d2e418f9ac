import ZenohProtocol
import ZenohTransport

extension SessionStateMachine {
    /// A connection attempt begins; returns its generation, or nil when the session is closed.
    mutating func connectAttemptStarted() -> UInt64? {
        if case .closed = self.connection { return nil }
        self.generation += 1
        self.connection = .connecting(generation: self.generation, earlyClose: nil)
        return self.generation
    }

    /// The attempt of `generation` failed before a transport existed.
    mutating func connectAttemptFailed(generation: UInt64) {
        if case .connecting(let current, _) = self.connection, current == generation {
            self.connection = .disconnected
        }
    }

    /// The transport of `generation` is up: send every declaration again and tell the application.
    /// Fails when the transport already closed, or the session was closed while connecting.
    mutating func connectionEstablished(
        generation: UInt64, info: ZenohTransportInfo
    ) -> Result<[SessionAction], ZenohError> {
        switch self.connection {
        case .connecting(let current, nil) where current == generation:
            self.connection = .connected(generation: generation, info: info)
            var actions = self.redeclarations()
            actions.append(.emit(self.hasConnectedBefore ? .reconnected(info) : .connected(info)))
            self.hasConnectedBefore = true
            return .success(actions)
        case .connecting(let current, let error?) where current == generation:
            self.connection = .disconnected
            return .failure(error)
        case .closed:
            return .failure(ZenohError(.sessionClosed, "the session was closed while connecting"))
        default:
            // A stale attempt (its generation was superseded): benign, the caller closes that transport.
            return .failure(ZenohError(.connectionClosed, "connection attempt \(generation) was superseded"))
        }
    }

    /// The transport of `generation` reported `.closed`. When it was the live one: pending queries fail
    /// with `connectionClosed`, liveliness subscribers see DELETEs, the remote tables are forgotten, the
    /// application hears `.disconnected`, and the reconnect loop starts (if enabled).
    mutating func transportClosed(generation: UInt64, error: ZenohError) -> [SessionAction] {
        switch self.connection {
        case .connecting(let current, nil) where current == generation:
            self.connection = .connecting(generation: current, earlyClose: error)
            return []
        case .connected(let current, _) where current == generation:
            self.connection = .disconnected
            var actions = self.failPendingQueries(
                ZenohError(.connectionClosed, "the link to the router was lost: \(error.message)", cause: error))
            actions += self.livelinessLost()
            self.forgetRemoteTables()
            actions.append(.emit(.disconnected(error)))
            if self.reconnectsAutomatically { actions.append(.startReconnecting) }
            return actions
        default:
            return []  // an older transport, or the session is closed: nothing to do
        }
    }

    /// The application closed the session: everything pending ends with `sessionClosed`.
    mutating func closeRequested() -> [SessionAction] {
        if case .closed = self.connection { return [] }
        self.connection = .closed
        let actions = self.failPendingQueries(ZenohError(.sessionClosed, "the session was closed"))
        self.forgetRemoteTables()
        self.subscribers = [:]
        self.queryables = [:]
        self.tokens = [:]
        self.livelinessSubscribers = [:]
        return actions
    }

    var isClosed: Bool { self.connection == .closed }

    private mutating func failPendingQueries(_ error: ZenohError) -> [SessionAction] {
        let ids = self.pendingQueries.keys.sorted { "\($0)" < "\($1)" }
        self.pendingQueries = [:]
        return ids.map { .finishQuery($0, error: error) }
    }

    private mutating func forgetRemoteTables() {
        self.remoteKeyExprs = [:]
        self.remoteTokens = [:]
        self.remoteSubscribers = [:]
        self.remoteQueryables = [:]
        self.inboundRequests = [:]
    }
}

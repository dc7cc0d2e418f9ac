import Logging
import Synchronization
import ZenohProtocol
import ZenohTransport

extension ZenohSession {
    /// Tries every endpoint once, in order; on success the state machine has re-declared everything.
    func connectToAnyEndpoint() async -> Result<ZenohTransportInfo, ZenohError> {
        var transportConfiguration = self.configuration.transport
        transportConfiguration.whatAmI = self.configuration.mode == .peer ? .peer : .client
        var lastError = ZenohError(.connectionFailed, "no endpoint to connect to")
        for endpoint in self.configuration.connect {
            guard let generation = self.storage.withLock({ $0.machine.connectAttemptStarted() }) else {
                return .failure(ZenohError(.sessionClosed, "the session was closed"))
            }
            let connection: any ZenohTransportConnection
            do {
                connection = try await self.connector.connect(to: endpoint, configuration: transportConfiguration) {
                    [weak self] event in
                    self?.transportEvent(event, generation: generation)
                }
            } catch {
                self.storage.withLock { $0.machine.connectAttemptFailed(generation: generation) }
                self.logger.debug(
                    "Connection attempt failed",
                    metadata: [ZenohLogKey.endpoint: "\(endpoint)", ZenohLogKey.error: "\(error)"])
                lastError = error
                continue
            }
            let established: Result<[SessionEffect], ZenohError> = self.storage.withLock { storage in
                switch storage.machine.connectionEstablished(generation: generation, info: connection.info) {
                case .success(let actions):
                    storage.connections[generation] = connection
                    return .success(storage.resolve(actions))
                case .failure(let error):
                    return .failure(error)
                }
            }
            switch established {
            case .success(let effects):
                self.logger.debug("Session connected", metadata: [ZenohLogKey.endpoint: "\(endpoint)"])
                self.run(effects)
                await self.awaitInitialDeclarations()
                return .success(connection.info)
            case .failure(let error):
                await connection.close()
                lastError = error
                if error.code == .sessionClosed { return .failure(error) }
            }
        }
        return .failure(lastError)
    }

    /// A dialled peer pushes its declarations right after open and ends them with `D_FINAL(0)`; like Rust, wait
    /// for that (at most 500 ms) so that the first get or put after `open` already knows where to go.
    func awaitInitialDeclarations() async {
        let deadline = ContinuousClock.now + .milliseconds(500)
        while !self.storage.withLock({ $0.machine.uplinkHasDeclaredEverything }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// An event from the transport of `generation` (on its event loop: never blocks).
    func transportEvent(_ event: ZenohTransportEvent, generation: UInt64) {
        let effects: [SessionEffect] = self.storage.withLock { storage in
            switch event {
            case .message(let message):
                return storage.resolve(storage.machine.received(message, generation: generation))
            case .closed(let error):
                let actions = storage.machine.transportClosed(generation: generation, error: error)
                storage.connections[generation] = nil
                return storage.resolve(actions)
            }
        }
        self.run(effects)
    }

    /// Starts the reconnect loop after a lost link.
    func startReconnecting() {
        // Bridge (house style G8 exception): the transport's `.closed` arrives on an event loop; the
        // reconnect rounds run in their own task until a transport is up or the session is closed or
        // released (the task holds the session only during a round, never while it waits).
        Task { [weak self, configuration] in
            var backoff = ReconnectBackoff(policy: configuration.reconnect)
            while let delay = await self?.reconnectRound(&backoff) {
                try? await Task.sleep(for: delay)
            }
        }
    }

    /// One round over every endpoint; returns the delay before the next round, or nil when done.
    private func reconnectRound(_ backoff: inout ReconnectBackoff) async -> Duration? {
        guard case .failure(let error) = await self.connectToAnyEndpoint(), error.code != .sessionClosed else {
            return nil
        }
        let delay = backoff.nextDelay()
        self.logger.debug(
            "Reconnect round failed", metadata: [ZenohLogKey.error: "\(error)", ZenohLogKey.delay: "\(delay)"])
        return delay
    }

    /// Sends a Response for an inbound query, if its request is still open on the current transport.
    func sendResponse(_ response: NetworkMessage.Response, generation: UInt64) throws(ZenohError) {
        _ = try self.perform { (storage) throws(ZenohError) in
            guard storage.machine.canReply(generation: generation, requestID: response.requestID) else {
                throw ZenohError(
                    .connectionClosed, "request \(response.requestID) can no longer be answered: its transport is gone")
            }
            return ((), [.send(.response(response), .request, face: generation)])
        }
    }

    /// One local queryable finished an inbound request.
    func inboundQueryFinished(generation: UInt64, requestID: UInt32) {
        _ = self.perform { storage in
            ((), storage.machine.inboundQueryFinished(generation: generation, requestID: requestID))
        }
    }
}

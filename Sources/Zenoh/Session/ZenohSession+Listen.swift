import Logging
import Synchronization
import ZenohProtocol
import ZenohTransport

extension ZenohSession {
    /// Binds every `listen` endpoint of a peer; accepted peers and clients become faces of the session.
    func startListening() async throws(ZenohError) {
        guard !self.configuration.listen.isEmpty else { return }
        var transportConfiguration = self.configuration.transport
        transportConfiguration.whatAmI = .peer
        for endpoint in self.configuration.listen {
            let listener = try await TCPTransportListener.listen(
                on: endpoint, configuration: transportConfiguration, maximumSessions: self.configuration.maximumSessions,
                tls: endpoint.linkProtocol == .tls ? self.configuration.tls : nil, logger: self.logger
            ) { [weak self] accepted in
                guard let self else {
                    Task { await accepted.connection.close() }
                    return
                }
                self.accepted(accepted)
            }
            let isClosed = self.storage.withLock { storage in
                if !storage.machine.isClosed { storage.listeners.append(listener) }
                return storage.machine.isClosed
            }
            if isClosed {
                await listener.close()
                throw ZenohError(.sessionClosed, "the session was closed while it started listening")
            }
            self.logger.info("Zenoh peer listening", metadata: [ZenohLogKey.endpoint: "\(listener.localEndpoint)"])
        }
    }

    /// A transport our listener accepted (on its event loop: never blocks).
    private func accepted(_ accepted: ZenohAcceptedTransport) {
        let connection = accepted.connection
        let admitted: (generation: UInt64, effects: [SessionEffect])? = self.storage.withLock { storage in
            guard let (generation, actions) = storage.machine.faceAccepted(info: connection.info) else { return nil }
            storage.connections[generation] = connection
            return (generation, storage.resolve(actions))
        }
        guard let admitted else {
            Task { await connection.close() }
            return
        }
        self.logger.debug(
            "Remote connected",
            metadata: [
                ZenohLogKey.endpoint: "\(connection.info.endpoint)", "zenoh.remote": "\(connection.info.remoteZid)",
                "zenoh.whatami": "\(connection.info.remoteWhatAmI)",
            ])
        self.run(admitted.effects)
        accepted.start { [weak self] event in
            self?.transportEvent(event, generation: admitted.generation)
        }
    }
}

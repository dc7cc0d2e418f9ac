import JSON
import Logging
import NIOCore
import OrderedCollections
import PolicyWire
import Synchronization
import Zenoh

extension RemoteEngine {
    /// Connects and handshakes, then starts the worker. Throws (before the robot moves) when no server
    /// answers, the session is refused, or the action names or their order differ.
    public func start() async throws(RemoteInferenceError) {
        let zenohConfiguration: ZenohConfiguration
        do {
            zenohConfiguration = try configuration.zenohConfiguration()
        } catch {
            throw RemoteInferenceError(.invalidConfiguration, error.message)
        }
        let zenoh: ZenohSession
        do {
            zenoh = try await ZenohSession.open(configuration: zenohConfiguration, logger: logger)
        } catch {
            throw RemoteInferenceError(.noServer, "\(noServerMessage) — \(error.message)")
        }
        resources.withLock { $0.zenoh = zenoh }
        do {
            // The action subscription goes first so it reaches the router long before the first observation.
            let actions = try zenoh.declareSubscriber(try keys.actions(client: clientUUID)) { [weak self] sample in
                self?.chunkSampleArrived(sample)
            }
            resources.withLock { $0.declarations.append(actions) }
            let ack = try await handshake(zenoh)
            try configure(from: ack, isReconnect: false)
            let publisher = try zenoh.declarePublisher(
                try keys.observations(client: clientUUID),
                options: ZenohPublicationOptions(priority: .data, congestionControl: .drop, isExpress: false, reliability: .bestEffort))
            let server = try zenoh.liveliness.declareSubscriber(keys.serverAlive, history: true) { [weak self] sample in
                self?.serverLivelinessChanged(sample)
            }
            let token = try zenoh.liveliness.declareToken(try keys.alive(client: clientUUID))
            resources.withLock {
                $0.publisher = publisher
                $0.declarations += [server, token]
            }
        } catch let error as RemoteInferenceError {
            await closeTransport()
            throw error
        } catch {
            await closeTransport()
            throw RemoteInferenceError(.protocolError, "declaring the robot's Zenoh entities failed: \(error)")
        }
        let now = MonotonicClock.seconds
        core.withLock {
            _ = $0.failSafe.handshakeSucceeded(at: now)
            $0.noteState(now: now)
        }
        let events = zenoh.connectionEvents
        // Bridge (house style G8 exception): start()/stop() is LeRobot's engine interface; the worker and the
        // link watcher live in one task that stop() cancels and awaits.
        let worker = Task { [self] in
            await withDiscardingTaskGroup { group in
                group.addTask { await self.watchLink(events) }
                await self.runWorker()
                group.cancelAll()
            }
        }
        resources.withLock { $0.worker = worker }
    }

    /// Stops the worker, closes the session on the server (best effort, 1 s), and closes the transport.
    public func stop() async {
        core.withLock { $0.isStopping = true }
        wake.deposit(())
        replies.deposit(.interrupt)
        let (worker, zenoh, sessionID) = resources.withLock { ($0.worker, $0.zenoh, $0.sessionID) }
        worker?.cancel()
        await worker?.value
        if let zenoh, !sessionID.isEmpty {
            let close = SessionClose(clientUUID: clientUUID, sessionID: sessionID)
            _ = try? await zenoh.getAll(keys.session, payload: close.encoded(), timeout: .seconds(1))
        }
        await closeTransport()
    }

    private func closeTransport() async {
        let (zenoh, declarations, publisher) = resources.withLock { r -> (ZenohSession?, [any ZenohDeclaration], ZenohPublisher?) in
            defer {
                r.zenoh = nil
                r.declarations = []
                r.publisher = nil
            }
            return (r.zenoh, r.declarations, r.publisher)
        }
        publisher?.undeclare()
        for declaration in declarations { declaration.undeclare() }
        await zenoh?.close()
    }

    var noServerMessage: String {
        "No policy server answered status query at '\(keys.status)' via '\(configuration.connectEndpoint)' "
            + "(timeout \(configuration.handshakeTimeout)s)"
    }

    /// Status query, then session open; validates the ack (edge-semantics §7.3 "Handshake").
    func handshake(_ zenoh: ZenohSession) async throws(RemoteInferenceError) -> SessionAck {
        let statusReplies: [ZenohReply]
        do {
            statusReplies = try await zenoh.getAll(keys.status, timeout: .seconds(configuration.handshakeTimeout))
        } catch {
            throw RemoteInferenceError(.noServer, noServerMessage)
        }
        guard let statusSample = statusReplies.compactMap(\.sample).first else {
            throw RemoteInferenceError(.noServer, noServerMessage)
        }
        let status: ServerStatus
        do {
            status = try ServerStatus(decoding: statusSample.payload)
        } catch {
            throw RemoteInferenceError(.protocolError, "the status reply from '\(keys.status)' is not a Status: \(error.message)")
        }
        let open = SessionOpen(
            clientUUID: clientUUID, robotType: robot.robotType, policyType: policy.type.isEmpty ? status.policyType : policy.type,
            fps: robot.fps, actionNames: robot.orderedActionKeys, cameraNames: robot.wireCameraKeys,
            stateDim: Int64(robot.stateDim), rtcEnabled: configuration.rtcEnabled, task: robot.task,
            tags: OrderedDictionary(configuration.tags, uniquingKeysWith: { _, last in last }))
        let ackReplies: [ZenohReply]
        do {
            ackReplies = try await zenoh.getAll(
                keys.session, payload: open.encoded(), timeout: .seconds(configuration.failSafe.requestTimeout))
        } catch {
            throw RemoteInferenceError(
                .sessionRejected, "Policy server rejected the session: no answer from '\(keys.session)' (\(error.message))")
        }
        guard let ackSample = ackReplies.compactMap(\.sample).first else {
            throw RemoteInferenceError(
                .sessionRejected,
                "Policy server rejected the session: no answer from '\(keys.session)' within request_timeout_s=\(configuration.failSafe.requestTimeout)"
            )
        }
        let ack: SessionAck
        do {
            ack = try SessionAck(decoding: ackSample.payload)
        } catch {
            throw RemoteInferenceError(.protocolError, "the session reply from '\(keys.session)' is not a SessionAck: \(error.message)")
        }
        guard ack.accepted else {
            throw RemoteInferenceError(.sessionRejected, "Policy server rejected the session: \(ack.error)")
        }
        for warning in ack.warnings { logger.warning("\(warning)") }
        if !ack.actionNames.isEmpty && ack.actionNames != robot.orderedActionKeys {
            throw RemoteInferenceError(
                .actionMismatch,
                "Action name/order mismatch between server policy and this robot.\n  server: \(pythonRepr(ack.actionNames))\n  client: \(pythonRepr(robot.orderedActionKeys))"
            )
        }
        return ack
    }

    /// Configures RTC and the buffer from an ack; on a reconnect, refuses another model or revision.
    func configure(from ack: SessionAck, isReconnect: Bool) throws(RemoteInferenceError) {
        let identity = "\(ack.modelRepo)@\(ack.modelRevision)"
        let previous = resources.withLock { r -> String? in
            let previous = r.identity
            if previous == nil { r.identity = identity }
            return previous
        }
        if let previous, previous != identity {
            throw RemoteInferenceError(
                .modelChanged,
                "Server model changed across reconnect (\(previous) → \(identity)) — refusing to execute wrong-model chunks")
        }
        let rtc = configuration.rtcEnabled && ack.supportsRTC
        if configuration.rtcEnabled && !ack.supportsRTC {
            logger.warning("RTC downgraded to chunk-append (server does not support RTC)")
        }
        let horizon = ack.rtcExecutionHorizon > 0 ? Int(ack.rtcExecutionHorizon) : configuration.rtcExecutionHorizon
        let mode: ActionQueue.MergeMode = rtc ? .replace : .append
        let columns = robot.orderedActionKeys.count
        let failure = core.withLock { core -> RemoteInferenceError? in
            if let buffer = core.buffer, buffer.queue.mode != mode {
                return RemoteInferenceError(
                    .invalidConfiguration,
                    "the server's RTC support changed across reconnect (\(buffer.queue.mode) → \(mode)); refusing to mix merge modes")
            }
            if core.buffer == nil {
                core.buffer = ActionBuffer(
                    mode: mode, fallback: configuration.fallback, actionDimension: columns,
                    maxActionAge: configuration.failSafe.maxActionAge)
            }
            core.rtcActive = rtc
            core.horizon = horizon
            core.isServerWarmedUp = ack.warmedUp
            return nil
        }
        if let failure { throw failure }
        resources.withLock { $0.sessionID = ack.sessionID }
    }
}

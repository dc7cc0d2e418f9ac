import Logging
import NIOCore
import PolicyWire
import Synchronization
import Zenoh

extension RemoteEngine {
    /// The network worker: one request in flight, resets, reconnects; exits when stopped or DEAD.
    func runWorker() async {
        let encoder: ObservationEncoder
        do {
            encoder = try ObservationEncoder(quality: configuration.jpegQuality, renameMap: robot.renameMap)
        } catch {
            die("cannot create the JPEG encoder: \(error.message)")
            return
        }
        while !Task.isCancelled {
            let now = MonotonicClock.seconds
            switch core.withLock({ $0.nextWorkerStep(now: now) }) {
            case .stop:
                return
            case .idle:
                // Nothing to do until the control thread or a transport callback deposits a wake-up (a new
                // observation while a chunk is due, the buffer running low, a reset, resume, a lost server, stop).
                _ = await wake.next()
            case .sendReset(let episode):
                await sendReset(episode: episode)
            case .reconnect:
                await reconnect()
            case .request(let request):
                await run(request, encoder: encoder)
            }
        }
    }

    /// One request cycle (edge-semantics §7.3): encode, publish, await the matching chunk, merge.
    func run(_ request: EngineCore.RequestSnapshot, encoder: ObservationEncoder) async {
        let body: ByteBuffer
        do {
            body = try encoder.encode(request, task: robot.task)
        } catch {
            logger.warning("Observation not sent: \(error.message)")
            _ = await wake.next(timeout: 0.5)
            return
        }
        guard core.withLock({ $0.isCurrent(request) }), let publisher = resources.withLock({ $0.publisher }) else { return }
        let header = AttachmentHeader(
            messageType: .observation, seqID: request.seq, episodeID: request.episode,
            clientMonoNs: MonotonicClock.nanoseconds, sessionEpoch: request.epoch)
        let sentAt = MonotonicClock.seconds
        _ = try? publisher.put(body, attachment: header.packed())
        let deadline = sentAt + configuration.failSafe.requestTimeout
        while !Task.isCancelled {
            let remaining = deadline - MonotonicClock.seconds
            guard remaining > 0, let delivery = await replies.next(timeout: remaining) else { break }
            guard case .chunk(let echo, let payload, let receivedAt) = delivery else {
                // A reset, a lost server or stop abandons this request (its chunk is dropped as late when it
                // lands); an interruption meant for an earlier request is ignored.
                if core.withLock({ $0.isCurrent(request) && !$0.isReconnectRequested && !$0.isStopping }) { continue }
                return
            }
            guard echo.seqID == request.seq, echo.sessionEpoch == request.epoch, echo.episodeID == request.episode else {
                core.withLock { $0.stats.lateChunksDropped += 1 }
                continue
            }
            guard let chunk = try? ActionChunk(decoding: payload), let model = chunk.chunkModel.flatMap(Self.rows),
                let robotRows = chunk.chunkRobot.flatMap(Self.rows), model.columns == robot.orderedActionKeys.count,
                robotRows.columns == model.columns
            else {
                dropped(.malformedBody, detail: "chunk for seq \(request.seq); treated as a timeout")
                break
            }
            let latency = receivedAt - sentAt
            let outcome = core.withLock {
                $0.chunkArrived(for: request, model: model, robot: robotRows, latency: latency, now: MonotonicClock.seconds)
            }
            if case .merged(let report) = outcome, report.indexDiffMismatch {
                logger.debug(
                    "Indexes diff is not equal to real delay",
                    metadata: [
                        "consumed": "\(report.consumedDuringInference ?? 0)", "delay": "\(report.delayUsed)",
                    ])
            }
            return
        }
        guard !Task.isCancelled else { return }
        let now = MonotonicClock.seconds
        switch core.withLock({ $0.requestTimedOut(now: now) }) {
        case .warnDegraded(let quiet):
            logger.warning(
                "No fresh action chunk for \(String(format1: quiet)) s (degraded_after_s=\(configuration.failSafe.degradedAfter)); riding the buffer"
            )
        case .die(let reason):
            die(reason)
        default:
            break
        }
    }

    /// Tells the server about an episode boundary (1 s; a missing ack is only a warning, since the next
    /// observation's header carries the new episode anyway).
    func sendReset(episode: UInt32) async {
        guard let zenoh = resources.withLock({ $0.zenoh }), let key = try? keys.reset(client: clientUUID) else { return }
        let message = Reset(clientUUID: clientUUID, episodeID: Int64(episode))
        let replies = try? await zenoh.getAll(key, payload: message.encoded(), timeout: .seconds(1))
        let ack = replies?.compactMap(\.sample).first.flatMap { try? ResetAck(decoding: $0.payload) }
        if ack?.ok != true {
            logger.warning("Reset of episode \(episode) not acknowledged: \(ack?.error ?? "no reply"); the next observation carries it")
        }
    }

    /// RECONNECTING: re-handshake with exponential backoff until it works, the model changed (DEAD), or the
    /// offline budget is spent (DEAD).
    func reconnect() async {
        guard let zenoh = resources.withLock({ $0.zenoh }) else { return }
        logger.warning("Reconnecting to the policy server")
        while !Task.isCancelled {
            let now = MonotonicClock.seconds
            let action = core.withLock { core -> FailSafeStateMachine.Action in
                // A paused rollout keeps resetting the offline clock: a pause never burns the offline budget.
                let action = core.failSafe.nextReconnectAttempt(at: now, isPaused: !core.isActive)
                core.noteState(now: now)
                return action
            }
            switch action {
            case .die(let reason):
                die(reason)
                return
            case .attemptReconnect(let wait, let epoch):
                do {
                    try await Task.sleep(for: .nanoseconds(Int64(wait * 1e9)))
                } catch {
                    return
                }
                do {
                    let ack = try await handshake(zenoh)
                    try configure(from: ack, isReconnect: true)
                    let at = MonotonicClock.seconds
                    core.withLock { $0.reconnected(now: at) }
                    logger.info("Reconnected to the policy server (epoch \(epoch))")
                    return
                } catch let error
                    where error.code == .modelChanged || error.code == .actionMismatch
                    || error.code == .invalidConfiguration
                {
                    die(error.message)
                    return
                } catch {
                    logger.info("Reconnect attempt failed: \(error.message)")
                }
            default:
                return
            }
        }
    }

    /// Treats a lost link to the router as a lost server.
    func watchLink(_ events: ZenohConnectionEvents) async {
        for await event in events {
            if case .disconnected = event { serverLost() }
        }
    }

    // MARK: Transport callbacks (deposit only)

    func chunkSampleArrived(_ sample: ZenohSample) {
        let receivedAt = MonotonicClock.seconds
        switch AttachmentHeader.checked(sample.attachment) {
        case .success(let header): replies.deposit(.chunk(header, sample.payload, receivedAt: receivedAt))
        case .failure(let cause): dropped(cause, detail: "on \(sample.key.description)")
        }
    }

    /// Counts a chunk dropped on arrival; the first of each cause is logged.
    func dropped(_ cause: DropCause, detail: String) {
        if core.withLock({ $0.stats.dropped.count(cause) }) {
            logger.warning("Chunk dropped: \(cause.explanation), \(detail) (counted in the stats' dropped_messages; logged once)")
        }
    }

    func serverLivelinessChanged(_ sample: ZenohSample) {
        if sample.kind == .delete {
            serverLost()
        } else {
            core.withLock { $0.isServerAlive = true }
        }
    }

    func serverLost() {
        let now = MonotonicClock.seconds
        if core.withLock({ $0.serverLost(now: now) }) {
            replies.deposit(.interrupt)
            wake.deposit(())
        }
    }

    static func rows(_ tensor: PolicyTensor) -> ActionRows? {
        guard tensor.dtype == .float32, tensor.shape.count == 2, tensor.shape[1] > 0 else { return nil }
        return ActionRows(values: tensor.floats(), columns: tensor.shape[1])
    }
}

extension String {
    init(format1 value: Double) {
        self = "\((value * 10).rounded() / 10)"
    }
}

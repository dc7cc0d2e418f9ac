import Synchronization

/// The session's connection events, from ``ZenohSession/connectionEvents``: the current state first
/// (`.connected` when connected), then every change. Ends when the session is closed.
public final class ZenohConnectionEvents: AsyncSequence, Sendable {
    /// The events.
    public typealias Element = ZenohConnectionEvent
    /// Iteration never throws.
    public typealias Failure = Never

    private let session: ZenohSession
    private let id: Int
    let buffer: EventBuffer<ZenohConnectionEvent>

    init(session: ZenohSession, id: Int, buffer: EventBuffer<ZenohConnectionEvent>) {
        self.session = session
        self.id = id
        self.buffer = buffer
    }

    deinit {
        self.session.removeEventSink(self.id)
    }

    /// Iterates the events.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(events: self)
    }

    /// The iterator; it keeps its registration alive.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private let events: ZenohConnectionEvents

        init(events: ZenohConnectionEvents) {
            self.events = events
        }

        /// The next event, or nil once the session is closed (or the task was cancelled).
        public mutating func next() async -> ZenohConnectionEvent? {
            try? await self.events.buffer.next()
        }
    }
}

extension ZenohSession {
    /// Connection events for a new listener: `.connected(info)` first if connected now, then
    /// `.disconnected` / `.reconnected` as they happen (the newest 64 are kept if nobody reads).
    public var connectionEvents: ZenohConnectionEvents {
        let buffer = EventBuffer<ZenohConnectionEvent>(policy: .bufferingNewest(64))
        let id: Int = self.storage.withLock { storage in
            let id = storage.nextEventSinkID
            storage.nextEventSinkID += 1
            if storage.machine.isClosed {
                buffer.finish()
            } else {
                if let info = storage.machine.transportInfo { buffer.yield(.connected(info)) }
                storage.eventSinks[id] = buffer
            }
            return id
        }
        return ZenohConnectionEvents(session: self, id: id, buffer: buffer)
    }

    func removeEventSink(_ id: Int) {
        let removed = self.storage.withLock { $0.eventSinks.removeValue(forKey: id) }
        removed?.finish()
    }
}

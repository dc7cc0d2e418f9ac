import Synchronization

/// LeRobot's shared shutdown event: set by signals, by `q` on stdin, or by the engine going DEAD; the
/// strategies poll it every tick.
public final class ShutdownEvent: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public func set() { flag.store(true, ordering: .releasing) }
    public var isSet: Bool { flag.load(ordering: .acquiring) }
}

/// Operator commands for dagger and episodic, read from stdin (keys or lines) on their own thread and
/// consumed at the top of a tick.
public final class OperatorCommands: Sendable {
    private let pending = Mutex<[DaggerPhases.Event]>([])
    private let episodic = Mutex<[EpisodicPhases.Event]>([])

    public init() {}

    public func push(_ event: DaggerPhases.Event) { pending.withLock { $0.append(event) } }

    /// LeRobot keeps a single pending transition: the newest wins.
    func take() -> DaggerPhases.Event? {
        pending.withLock { events in
            defer { events.removeAll() }
            return events.last
        }
    }

    public func push(_ event: EpisodicPhases.Event) { episodic.withLock { $0.append(event) } }

    /// Episodic key flags, all of them, oldest first (LeRobot sets flags; none is lost).
    func takeEpisodic() -> [EpisodicPhases.Event] {
        episodic.withLock { events in
            defer { events.removeAll() }
            return events
        }
    }
}

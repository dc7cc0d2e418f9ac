/// Picks which ready session the inference worker serves next.
public protocol SessionScheduler: Sendable {
    /// Chooses among the client uuids that have a pending observation; nil when none is ready.
    mutating func next(ready: [String]) -> String?
}

/// Round-robin by client uuid, starting after the last one served: no session waits more than one full turn.
public struct RoundRobinScheduler: SessionScheduler {
    public private(set) var lastServed: String?

    public init() {}

    public mutating func next(ready: [String]) -> String? {
        guard !ready.isEmpty else { return nil }
        let ordered = ready.sorted()
        let choice = lastServed.flatMap { last in ordered.first { $0 > last } } ?? ordered[0]
        lastServed = choice
        return choice
    }
}

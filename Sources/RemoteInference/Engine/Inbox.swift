import Synchronization

/// A small bounded mailbox with one awaiting reader: transport callbacks and the control thread deposit
/// without blocking (the oldest item is dropped when full), the engine's worker awaits with a timeout.
final class Inbox<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var waiter: (id: UInt64, continuation: CheckedContinuation<Element?, Never>)?
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Hands `element` to the waiting reader, or keeps it (dropping the oldest beyond the capacity).
    func deposit(_ element: Element) {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.items.append(element)
            if state.items.count > capacity { state.items.removeFirst() }
            return nil
        }
        waiter?.resume(returning: element)
    }

    /// Forgets everything kept.
    func removeAll() {
        state.withLock { $0.items.removeAll() }
    }

    /// The oldest kept element, else the next one deposited; nil when the task is cancelled.
    func next() async -> Element? {
        if let kept = state.withLock({ $0.items.isEmpty ? nil : $0.items.removeFirst() }) { return kept }
        guard !Task.isCancelled else { return nil }
        return await wait()
    }

    /// The oldest kept element, else the next one deposited within `timeout` seconds, else nil (also when
    /// the task is cancelled).
    func next(timeout seconds: Double) async -> Element? {
        if let kept = state.withLock({ $0.items.isEmpty ? nil : $0.items.removeFirst() }) { return kept }
        guard seconds > 0, !Task.isCancelled else { return nil }
        return await withTaskGroup(of: Element?.self) { group in
            group.addTask { await self.wait() }
            group.addTask {
                try? await Task.sleep(for: .nanoseconds(Int64(seconds * 1e9)))
                return nil
            }
            var result = await group.next() ?? nil
            group.cancelAll()
            // The timer may win while a deposit already went to the waiter: keep that element.
            for await late in group where result == nil { result = late }
            return result
        }
    }

    private func wait() async -> Element? {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                let immediate = state.withLock { state -> Element?? in
                    if Task.isCancelled { return .some(nil) }
                    if !state.items.isEmpty { return .some(state.items.removeFirst()) }
                    state.waiter = (id, continuation)
                    return .none
                }
                if case .some(let value) = immediate { continuation.resume(returning: value) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
                guard let waiter = state.waiter, waiter.id == id else { return nil }
                state.waiter = nil
                return waiter.continuation
            }
            waiter?.resume(returning: nil)
        }
    }
}

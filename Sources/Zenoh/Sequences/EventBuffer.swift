import Synchronization
import ZenohTransport

/// A single-consumer queue behind each of our public async sequences (house style G10: a small
/// `Mutex`-based queue, never a leaked `AsyncStream`).
///
/// Producers never wait: when a bounded buffer is full the oldest value is dropped. The consumer's
/// continuation is resumed, and dropped values are released, outside the lock (G9).
final class EventBuffer<Element: Sendable>: Sendable {
    private struct State {
        /// Popped slots are set to nil at once, so a consumed value is not retained by the buffer.
        var elements: [Element?] = []
        var head = 0
        var waiter: CheckedContinuation<Result<Element?, ZenohError>, Never>?
        var isFinished = false
        var failure: ZenohError?

        var count: Int { self.elements.count - self.head }

        mutating func popFirst() -> Element? {
            guard self.head < self.elements.count else { return nil }
            let element = self.elements[self.head]
            self.elements[self.head] = nil
            self.head += 1
            if self.head > 64, self.head * 2 > self.elements.count {
                self.elements.removeFirst(self.head)
                self.head = 0
            }
            return element
        }
    }

    private enum YieldOutcome {
        case resume(CheckedContinuation<Result<Element?, ZenohError>, Never>)
        case stored(dropped: Element?)
        case refused
    }

    private let capacity: Int?
    private let state = Mutex(State())

    init(policy: ZenohBufferingPolicy = .default) {
        self.capacity = policy.capacity
    }

    /// Appends `element`, or hands it to a waiting consumer. Returns false when the buffer is finished.
    @discardableResult
    func yield(_ element: Element) -> Bool {
        let outcome: YieldOutcome = self.state.withLock { state in
            if state.isFinished { return .refused }
            if let waiter = state.waiter {
                state.waiter = nil
                return .resume(waiter)
            }
            var dropped: Element?
            if let capacity = self.capacity, state.count >= capacity {
                dropped = state.popFirst()
            }
            state.elements.append(element)
            return .stored(dropped: dropped)
        }
        switch outcome {
        case .resume(let waiter):
            waiter.resume(returning: .success(element))
            return true
        case .stored(let dropped):
            _ = dropped  // released here, outside the lock (it may be a query whose deinit sends a final)
            return true
        case .refused:
            return false
        }
    }

    /// Ends the sequence after the values already queued; with `error`, the consumer then sees it once.
    func finish(throwing error: ZenohError? = nil) {
        let waiter: CheckedContinuation<Result<Element?, ZenohError>, Never>? = self.state.withLock { state in
            guard !state.isFinished else { return nil }
            state.isFinished = true
            guard let waiter = state.waiter else {
                state.failure = error  // delivered by the next call to next(), after the queued values
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: error.map { .failure($0) } ?? .success(nil))
    }

    /// Whether ``finish(throwing:)`` was called.
    var isFinished: Bool { self.state.withLock { $0.isFinished } }

    /// The next value; nil once finished and drained, or when the task is cancelled.
    func next() async throws(ZenohError) -> Element? {
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Element?, ZenohError>, Never>) in
                let immediate: Result<Element?, ZenohError>? = self.state.withLock { state in
                    if let element = state.popFirst() { return .success(element) }
                    if state.isFinished {
                        defer { state.failure = nil }
                        return state.failure.map { .failure($0) } ?? .success(nil)
                    }
                    if Task.isCancelled { return .success(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = self.state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: .success(nil))
        }
        return try result.get()
    }
}

import Foundation
import Synchronization
import ZenohProtocol
import ZenohTransport

/// Collects a transport's events for the interop tests, which poll it with deadlines.
final class EventRecorder: Sendable {
    private let events = Mutex<[ZenohTransportEvent]>([])

    func record(_ event: ZenohTransportEvent) {
        self.events.withLock { $0.append(event) }
    }

    var messages: [NetworkMessage] {
        self.events.withLock { events in
            events.compactMap { if case .message(let message) = $0 { message } else { nil } }
        }
    }

    var closures: [ZenohError] {
        self.events.withLock { events in
            events.compactMap { if case .closed(let error) = $0 { error } else { nil } }
        }
    }

    var count: Int { self.events.withLock { $0.count } }

    /// Polls until `find` returns a value, or fails after `timeout` seconds.
    func wait<T>(
        for what: String, timeout: TimeInterval = 15, _ find: (EventRecorder) -> T?
    ) async throws -> T {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let value = find(self) { return value }
            try await Task.sleep(for: .milliseconds(20))
        }
        if let value = find(self) { return value }
        throw TestFailure("no \(what) within \(timeout) s; events: \(self.count), closures: \(self.closures)")
    }

    /// The first received Put whose key is `key`.
    func put(on key: String) -> ZenohMessage.Put? {
        for message in self.messages {
            guard case .push(let push) = message, push.wireExpr.suffix == key, case .put(let put) = push.body
            else { continue }
            return put
        }
        return nil
    }
}

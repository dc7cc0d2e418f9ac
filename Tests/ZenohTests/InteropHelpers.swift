import Foundation
import InteropSupport
import NIOCore
import Synchronization
import Testing
import Zenoh
import ZenohProtocol
import ZenohTransport

/// Collects values delivered by callbacks and lets a test wait, with a timeout, until they satisfy a
/// condition (no `Task.sleep`: the timeout is a dispatch timer).
final class Collector<Value: Sendable>: Sendable {
    private struct Waiter {
        var predicate: @Sendable ([Value]) -> Bool
        var continuation: CheckedContinuation<[Value], any Error>
    }
    private struct State {
        var values: [Value] = []
        var waiters: [Int: Waiter] = [:]
        var nextID = 0
    }
    private let state = Mutex(State())

    var values: [Value] { self.state.withLock { $0.values } }

    func append(_ value: Value) {
        let ready: [(CheckedContinuation<[Value], any Error>, [Value])] = self.state.withLock { state in
            state.values.append(value)
            let values = state.values
            let matched = state.waiters.filter { $0.value.predicate(values) }
            for id in matched.keys { state.waiters[id] = nil }
            return matched.values.map { ($0.continuation, values) }
        }
        for (continuation, values) in ready { continuation.resume(returning: values) }
    }

    /// Waits until `predicate` holds for everything collected so far.
    @discardableResult
    func wait(
        timeout: TimeInterval = 15, _ what: String, _ predicate: @escaping @Sendable ([Value]) -> Bool
    ) async throws -> [Value] {
        try await withCheckedThrowingContinuation { continuation in
            let id: Int? = self.state.withLock { state in
                if predicate(state.values) { return nil }
                let id = state.nextID
                state.nextID += 1
                state.waiters[id] = Waiter(predicate: predicate, continuation: continuation)
                return id
            }
            guard let id else {
                continuation.resume(returning: self.values)
                return
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                let expired = self.state.withLock { state in
                    (state.waiters.removeValue(forKey: id), state.values)
                }
                expired.0?.continuation.resume(
                    throwing: PythonRunner.Failure(description: "timed out waiting for \(what); got \(expired.1)"))
            }
        }
    }
}

/// Runs blocking InteropSupport calls off the cooperative pool.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

extension PythonProcess {
    /// Waits (off the cooperative pool) for a JSON line matching `predicate`.
    @discardableResult
    func waitForJSON(
        timeout: TimeInterval = 15, _ predicate: @escaping @Sendable ([String: Any]) -> Bool
    ) async throws -> [String: String] {
        let line = try await offPool {
            try self.waitForLine(timeout: timeout) { line in
                guard line.hasPrefix("{"), let data = line.data(using: .utf8),
                    let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
                else { return false }
                return predicate(object)
            }.line
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
        return object.compactMapValues { $0 as? String }
    }

    func ready() async throws {
        try await offPool { try self.waitUntilReady() }
    }
}

enum Interop {
    static func router(port: Int? = nil) async throws -> ZenohRouter {
        try await offPool { if let port { try ZenohRouter(port: port) } else { try ZenohRouter() } }
    }

    static func session(_ router: ZenohRouter) async throws -> ZenohSession {
        var configuration = ZenohConfiguration(connect: [try ZenohEndpoint(parsing: router.endpoint)])
        configuration.queryTimeout = .seconds(5)
        configuration.reconnect = .init(initialDelay: .milliseconds(200), maximumDelay: .seconds(1))
        return try await ZenohSession.open(configuration: configuration, connector: TCPTransportConnector())
    }

    static func python(_ router: ZenohRouter, _ arguments: [String]) throws -> PythonProcess {
        try PythonProcess("zenoh_tool.py", ["-e", router.endpoint] + arguments)
    }

    /// Runs a one-shot Python command to completion (DONE) and returns its JSON lines.
    static func run(_ router: ZenohRouter, _ arguments: [String]) async throws -> [[String: String]] {
        let process = try python(router, arguments)
        defer { process.stop() }
        try await offPool { _ = try process.waitForLine(timeout: 20) { $0 == "DONE" } }
        return process.jsonLines().map { $0.compactMapValues { $0 as? String } }
    }

    static func hex(_ text: String) -> String { Array(text.utf8).hexString }
}

extension ByteBuffer {
    var text: String { String(buffer: self) }
}

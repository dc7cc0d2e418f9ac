import Testing
import ZenohTransport

@testable import Zenoh

@Suite("EventBuffer")
struct EventBufferTests {
    @Test func boundedBufferDropsTheOldestAndDeliversInOrder() async throws {
        let buffer = EventBuffer<Int>(policy: .bufferingNewest(2))
        for value in 1...4 { buffer.yield(value) }
        buffer.finish()
        #expect(!buffer.yield(5))
        #expect(try await buffer.next() == 3)
        #expect(try await buffer.next() == 4)
        #expect(try await buffer.next() == nil)
    }

    @Test func finishWithAnErrorIsSeenOnceAfterTheQueuedValues() async throws {
        let buffer = EventBuffer<Int>(policy: .unbounded)
        buffer.yield(1)
        buffer.finish(throwing: ZenohError(.connectionClosed, "gone"))
        #expect(try await buffer.next() == 1)
        await #expect(throws: ZenohError(.connectionClosed, "")) { _ = try await buffer.next() }
        #expect(try await buffer.next() == nil)
    }

    @Test func aWaitingConsumerIsResumedByYieldAndByCancellation() async throws {
        let buffer = EventBuffer<Int>()
        async let value = buffer.next()
        // The consumer may or may not be parked yet; either way it gets the value.
        buffer.yield(7)
        #expect(try await value == 7)
        let waiting = Task { try await buffer.next() }
        waiting.cancel()
        #expect(try await waiting.value == nil)
    }
}

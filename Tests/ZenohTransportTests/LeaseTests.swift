import NIOCore
import Testing
import ZenohProtocol

@testable import ZenohTransport

@Suite("Lease and keep-alive")
struct LeaseTests {
    @Test func keepAliveIsAQuarterOfOurLease() {
        var lease = LeaseTracker(remoteLeaseMilliseconds: 10_000, localLeaseMilliseconds: 8_000, now: Fixtures.t0)
        #expect(lease.nextDeadline == Fixtures.at(ms: 2_000))
        #expect(lease.tick(now: Fixtures.at(ms: 1_999)) == .none)
        #expect(lease.tick(now: Fixtures.at(ms: 2_000)) == .sendKeepAlive)
        lease.sent(at: Fixtures.at(ms: 2_000))
        lease.received(at: Fixtures.at(ms: 2_000))
        #expect(lease.nextDeadline == Fixtures.at(ms: 4_000))
        // Traffic we send postpones the keep-alive.
        lease.sent(at: Fixtures.at(ms: 3_500))
        #expect(lease.tick(now: Fixtures.at(ms: 4_000)) == .none)
        #expect(lease.nextDeadline == Fixtures.at(ms: 5_500))
    }

    @Test func expiresAfterTheRemoteLeaseOfSilence() {
        var lease = LeaseTracker(remoteLeaseMilliseconds: 10_000, localLeaseMilliseconds: 10_000, now: Fixtures.t0)
        lease.received(at: Fixtures.at(ms: 3_000))
        lease.sent(at: Fixtures.at(ms: 12_000))
        #expect(lease.tick(now: Fixtures.at(ms: 12_999)) == .none)
        #expect(lease.nextDeadline == Fixtures.at(ms: 13_000))
        #expect(lease.tick(now: Fixtures.at(ms: 13_000)) == .expired(silence: .milliseconds(10_000)))
    }

    @Test func machineSendsKeepAlivesAndExpires() throws {
        var machine = TransportStateMachine(parameters: Fixtures.parameters(remoteLease: 10_000), now: Fixtures.t0)
        #expect(machine.nextTimerDeadline == Fixtures.at(ms: 2_500))
        guard case .none = machine.timerFired(now: Fixtures.at(ms: 1_000)) else {
            Issue.record("early tick did something")
            return
        }
        guard case .send(let batches) = machine.timerFired(now: Fixtures.at(ms: 2_500)) else {
            Issue.record("no keep-alive")
            return
        }
        #expect(batches.map { Array($0.contiguous.readableBytesView) } == [[0x01, 0x00, 0x04]])
        #expect(machine.nextTimerDeadline == Fixtures.at(ms: 5_000))

        // A data flush also counts as "sent": no keep-alive at 5 000 then.
        machine.enqueue(Fixtures.serialized(Fixtures.push("a", payload: [1])), on: .reliable)
        #expect(machine.flush(now: Fixtures.at(ms: 4_000)).count == 1)
        guard case .none = machine.timerFired(now: Fixtures.at(ms: 5_000)) else {
            Issue.record("keep-alive despite traffic")
            return
        }
        // Any inbound batch refreshes the lease, a KeepAlive included.
        _ = machine.batchReceived(Fixtures.framedBatch([.keepAlive(.init())]), now: Fixtures.at(ms: 6_000))
        guard case .send = machine.timerFired(now: Fixtures.at(ms: 15_999)) else {
            Issue.record("expected a keep-alive before expiry")
            return
        }
        guard case .close(let error, let send) = machine.timerFired(now: Fixtures.at(ms: 16_000)) else {
            Issue.record("no expiry")
            return
        }
        #expect(error.code == .leaseExpired)
        #expect(try Fixtures.decode(try #require(send.first)) == [.close(.init(reason: .expired))])
        #expect(machine.isClosed)
        guard case .none = machine.timerFired(now: Fixtures.at(ms: 30_000)) else {
            Issue.record("closed machine still ticks")
            return
        }
    }
}

import Testing

@testable import PolicyServer

@Suite("Worker state machine: serving, parking, resets, garbage collection, drain")
struct WorkerStateMachineTests {
    typealias Machine = WorkerStateMachine<Int>

    static func running() -> Machine {
        var machine = Machine(garbageInterval: 1)
        machine.started()
        return machine
    }

    @Test("Resets run before serving; an empty table parks the worker, and one arrival wakes it once")
    func servingAndParking() {
        var m = Self.running()
        guard case .serve = m.nextWorkerAction() else { Issue.record("expected serve"); return }
        #expect(m.nothingToServe() && m.isWorkerParked)
        let first = m.observationArrived()
        let second = m.observationArrived()
        #expect(first && !second, "a second arrival before the worker runs must not wake it again")
        #expect(m.resetArrived(7) == .queued(wake: false))
        #expect(m.resetArrived(8) == .queued(wake: false))
        guard case .runResets(let resets) = m.nextWorkerAction() else { Issue.record("expected resets"); return }
        #expect(resets == [7, 8])
        guard case .serve = m.nextWorkerAction() else { Issue.record("expected serve"); return }
        _ = m.nothingToServe()
        #expect(m.resetArrived(9) == .queued(wake: true))
    }

    @Test("A worker that is busy is never woken: arrivals while serving cost nothing")
    func busyWorker() {
        var m = Self.running()
        _ = m.nextWorkerAction()
        let wakes = [m.observationArrived(), m.observationArrived()]
        #expect(wakes == [false, false])
        #expect(m.resetArrived(1) == .queued(wake: false))
    }

    @Test("Drain wakes a parked worker, which exits; queued resets come back to be refused; later resets are refused")
    func drainParked() {
        var m = Self.running()
        _ = m.nextWorkerAction()
        _ = m.nothingToServe()
        #expect(m.drain() == .stopWorker(wake: true))
        #expect(m.drain() == .awaitWorker)
        #expect(m.resetArrived(3) == .refused)
        guard case .exit = m.nextWorkerAction() else { Issue.record("expected exit"); return }
        #expect(m.workerExited() == [])
        #expect(m.phase == .stopped && m.drain() == .done)
    }

    @Test("Drain of a busy worker: no wake, the worker finishes its request and exits at its next decision")
    func drainBusy() {
        var m = Self.running()
        #expect(m.resetArrived(4) == .queued(wake: false))
        #expect(m.drain() == .stopWorker(wake: false))
        #expect(m.phase == .draining)
        guard case .exit = m.nextWorkerAction() else { Issue.record("expected exit"); return }
        #expect(m.workerExited() == [4])
        let wake = m.observationArrived()
        #expect(!m.isWorkerParked && !wake)
    }

    @Test("A drain between the worker's decision to serve and its empty table: it does not park, it asks again and exits")
    func drainBetweenServeAndPark() {
        var m = Self.running()
        guard case .serve = m.nextWorkerAction() else { Issue.record("expected serve"); return }
        #expect(m.drain() == .stopWorker(wake: false))
        let parks = m.nothingToServe()
        #expect(!parks && !m.isWorkerParked)
        guard case .exit = m.nextWorkerAction() else { Issue.record("expected exit"); return }
    }

    @Test("Never started: drain has nothing to wait for")
    func drainNotStarted() {
        var m = Machine()
        #expect(m.drain() == .done)
        guard case .exit = m.nextWorkerAction() else { Issue.record("expected exit"); return }
    }

    @Test("Garbage collection runs only while serving; lost tokens are confirmed first, silent sessions closed")
    func garbage() {
        var m = Self.running()
        #expect(m.isCollecting)
        let collections = Machine.collections([
            (clientUUID: "a", sessionID: "s1", tokenLost: false), (clientUUID: "b", sessionID: "s2", tokenLost: true),
        ])
        #expect(collections == [.close(clientUUID: "a", sessionID: "s1"), .confirmTokenLost(clientUUID: "b", sessionID: "s2")])
        _ = m.drain()
        #expect(!m.isCollecting)
    }
}

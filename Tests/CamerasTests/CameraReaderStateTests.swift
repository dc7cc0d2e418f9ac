import Testing

@testable import Cameras

@Suite struct CameraReaderStateTests {
    typealias State = CameraReaderState<Int>

    @Test func keepsTheNewestFrameAndChecksItsAge() {
        var state = State(label: "camera 'front' (/dev/video0)")
        #expect(state.latestFrame(at: 0, maxAgeMs: 500).error?.code == .noFrame)
        #expect(state.frameArrived(1, at: 10) == .keepReading)
        #expect(state.frameArrived(2, at: 10.1) == .keepReading)
        #expect((try? state.latestFrame(at: 10.2, maxAgeMs: 500).get()) == 2)
        let stale = state.latestFrame(at: 11.1, maxAgeMs: 500)
        #expect(stale.error?.message == ("camera 'front' (/dev/video0): latest frame is too old: 1000.0 ms (max allowed: 500.0 ms)"))
    }

    @Test func tenConsecutiveErrorsEndTheCamera() {
        var state = State(label: "camera 'front' (/dev/video0)")
        for count in 1...9 {
            #expect(state.readFailed("bad packet \(count)") == .warnAndKeepReading(count: count, message: "bad packet \(count)"))
        }
        #expect(state.frameArrived(7, at: 1) == .keepReading)  // a success resets the count
        #expect(state.consecutiveErrors == 0)
        for count in 1...9 { _ = state.readFailed("bad packet \(count)") }
        let expected = CameraError(.ended, "camera 'front' (/dev/video0): 10 consecutive read errors, camera stopped; last: corrupt JPEG")
        #expect(state.readFailed("corrupt JPEG") == .stopReading(expected))
        #expect(state.latestFrame(at: 1, maxAgeMs: 500).error == expected)
        #expect(state.frameArrived(8, at: 2) == .stopReading(nil))
    }

    @Test func endOfStreamAndStopAreFinal() {
        var state = State(label: "camera 'front' (clip.avi)")
        _ = state.frameArrived(1, at: 0)
        #expect(
            state.sourceEnded("end of file") == .stopReading(CameraError(.ended, "camera 'front' (clip.avi): stream ended (end of file)")))
        #expect(state.stopRequested() == false)
        #expect(state.latestFrame(at: 0, maxAgeMs: 500).error?.code == .notConnected)
        var running = State(label: "x")
        #expect(running.stopRequested() == true)
    }
}

extension Result {
    var error: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

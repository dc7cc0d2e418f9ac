import Synchronization

/// One robot's processor state for an ONNX policy: the state the relative-actions step cached last.
final class ONNXPolicySession: PolicySessionState {
    private let cached = Mutex<[Float]?>(nil)

    var cachedState: [Float]? {
        get { cached.withLock { $0 } }
        set { cached.withLock { $0 = newValue } }
    }

    func reset() { cachedState = nil }
}

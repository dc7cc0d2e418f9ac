import JSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A test fixture, not a policy: `chunk_model[t][j] = state[j] + 0.01·t`, `chunk_robot = 2 × chunk_model`
/// (LeRobot's own test mock). Chunk size, action names, state dimension and cameras come from its
/// `config.json` (`"type": "mock"`); `"mock_compute_ms"` simulates inference time.
public final class MockPolicy: ChunkPolicy {
    public let config: PolicyConfig
    public let supportsRTC: Bool
    public let computeMilliseconds: Double

    public init(config: PolicyConfig) {
        self.config = config
        self.supportsRTC = config.raw["mock_supports_rtc"]?.bool ?? true
        self.computeMilliseconds = config.raw["mock_compute_ms"]?.double ?? 0
    }

    private final class Session: PolicySessionState {
        func reset() {}
    }

    public func makeSessionState() -> any PolicySessionState { Session() }

    public func predictChunk(_ request: PolicyRequest, session: any PolicySessionState) throws(PolicyRuntimeError)
        -> PolicyOutput
    {
        let columns = config.actionDim
        guard config.stateDim == 0 || request.state.count == config.stateDim else {
            throw PolicyRuntimeError(
                .invalidInput, "state has \(request.state.count) values, the policy expects \(config.stateDim)")
        }
        if computeMilliseconds > 0 { usleep(useconds_t(computeMilliseconds * 1000)) }
        let rows = config.chunkSize
        var model = [Float](repeating: 0, count: rows * columns)
        for t in 0..<rows {
            for j in 0..<columns {
                let base = j < request.state.count ? request.state[j] : 0
                model[t * columns + j] = base + 0.01 * Float(t)
            }
        }
        return PolicyOutput(chunkModel: model, chunkRobot: model.map { 2 * $0 }, rows: rows, columns: columns)
    }

    public func resetPolicy() {}
}

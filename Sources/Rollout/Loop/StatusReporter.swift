import Foundation
public import RemoteInference

/// The operator's view: on a terminal one live line (state, queue depth, last latency, achieved Hz,
/// overruns) rewritten in place; otherwise a plain log line every few seconds. State changes always get
/// their own line.
public final class StatusReporter: @unchecked Sendable {
    private let isTerminal: Bool
    private let write: @Sendable (String) -> Void
    private var lastPrint = 0.0
    private var lastState: LinkState?
    private var windowStart = 0.0
    private var windowTicks = 0
    private var hz = 0.0
    private var hasLiveLine = false

    /// `write` receives whole lines (or, on a terminal, carriage-return updates).
    public init(isTerminal: Bool, write: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal
        self.write = write
    }

    /// One line of text for the operator, outside the live line.
    public func line(_ text: String) {
        if hasLiveLine {
            write("\r\u{1B}[2K")
            hasLiveLine = false
        }
        write(text + "\n")
    }

    /// Called once per tick.
    public func tick(now: Double, state: LinkState, queueDepth: Int, lastLatency: Double, overruns: Int, phase: String?) {
        if windowStart == 0 { windowStart = now }
        windowTicks += 1
        if now - windowStart >= 1 {
            hz = Double(windowTicks) / (now - windowStart)
            windowStart = now
            windowTicks = 0
        }
        if state != lastState {
            line("[\(Self.clock())] state \(lastState.map { "\($0) → " } ?? "")\(state)")
            lastState = state
        }
        let interval = isTerminal ? 0.25 : 5
        guard now - lastPrint >= interval else { return }
        lastPrint = now
        let text = "\(state) queue=\(queueDepth) latency=\(Int((lastLatency * 1000).rounded()))ms "
            + "rate=\(String(format: "%.1f", hz))Hz overruns=\(overruns)\(phase.map { " phase=\($0)" } ?? "")"
        if isTerminal {
            write("\r\u{1B}[2K" + text)
            hasLiveLine = true
        } else {
            write("[\(Self.clock())] " + text + "\n")
        }
    }

    /// Ends the live line.
    public func finish() {
        if hasLiveLine {
            write("\n")
            hasLiveLine = false
        }
    }

    static func clock() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date())
    }
}

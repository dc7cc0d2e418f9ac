import Foundation
public import RemoteInference
import Synchronization

/// The operator's view: on a terminal one live line (state, queue depth, last latency, achieved Hz,
/// overruns) rewritten in place; otherwise a plain log line every few seconds. State changes always get
/// their own line. What to print is decided under a lock; the text is written after it.
public final class StatusReporter: Sendable {
    private struct State {
        var lastPrint = 0.0
        var lastState: LinkState?
        var windowStart = 0.0
        var windowTicks = 0
        var hz = 0.0
        var hasLiveLine = false

        /// The text of an operator line, clearing the live line first when there is one.
        mutating func line(_ text: String) -> String {
            defer { hasLiveLine = false }
            return (hasLiveLine ? "\r\u{1B}[2K" : "") + text + "\n"
        }
    }

    private let isTerminal: Bool
    private let write: @Sendable (String) -> Void
    private let state = Mutex(State())

    /// `write` receives whole lines (or, on a terminal, carriage-return updates).
    public init(isTerminal: Bool, write: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal
        self.write = write
    }

    /// One line of text for the operator, outside the live line.
    public func line(_ text: String) {
        write(state.withLock { $0.line(text) })
    }

    /// Called once per tick.
    public func tick(now: Double, state link: LinkState, queueDepth: Int, lastLatency: Double, overruns: Int, phase: String?) {
        let interval = isTerminal ? 0.25 : 5
        let isTerminal = isTerminal
        let output = state.withLock { s -> String in
            if s.windowStart == 0 { s.windowStart = now }
            s.windowTicks += 1
            if now - s.windowStart >= 1 {
                s.hz = Double(s.windowTicks) / (now - s.windowStart)
                s.windowStart = now
                s.windowTicks = 0
            }
            var output = ""
            if link != s.lastState {
                output += s.line("[\(Self.clock())] state \(s.lastState.map { "\($0) → " } ?? "")\(link)")
                s.lastState = link
            }
            guard now - s.lastPrint >= interval else { return output }
            s.lastPrint = now
            let text =
                "\(link) queue=\(queueDepth) latency=\(Int((lastLatency * 1000).rounded()))ms "
                + "rate=\(String(format: "%.1f", s.hz))Hz overruns=\(overruns)\(phase.map { " phase=\($0)" } ?? "")"
            if isTerminal {
                s.hasLiveLine = true
                return output + "\r\u{1B}[2K" + text
            }
            return output + "[\(Self.clock())] " + text + "\n"
        }
        if !output.isEmpty { write(output) }
    }

    /// Ends the live line.
    public func finish() {
        let ends = state.withLock { s -> Bool in
            defer { s.hasLiveLine = false }
            return s.hasLiveLine
        }
        if ends { write("\n") }
    }

    static func clock() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date())
    }
}

/// The text LeRobot's VLA pre-processors hand to the tokenizer.
public enum LeRobotPrompt {
    /// `pi0_new_line_processor` / `smolvla_new_line_processor`: the task with `"\n"` appended unless its last
    /// scalar already is one (Python's `str.endswith("\n")`, so "…\r\n" is left alone).
    public static func withNewline(_ task: String) -> String {
        task.unicodeScalars.last == "\n" ? task : task + "\n"
    }

    /// `pi05_prepare_state_tokenizer_processor_step`:
    /// `"Task: <task>, State: <bins>;\nAction: "`, where the task is stripped of leading and trailing whitespace
    /// (Python's `str.strip()`), then has `_` and `\n` replaced by spaces, and the bins are the normalized state
    /// discretized into 256 bins over [−1, 1) (`np.digitize(x, linspace(−1, 1, 257)[:-1]) − 1`: −1 below −1, 255 at
    /// 1 and above, 255 for NaN), separated by single spaces.
    ///
    /// `maxStateDimension`: LeRobot's step first zero-pads the state to `max_state_dim` (32) in the versions checked
    /// (each padded zero becomes bin 128); pass nil for a version that does not.
    public static func pi05(task: String, normalizedState: [Float], maxStateDimension: Int? = 32) -> String {
        var state = normalizedState
        if let maxStateDimension, state.count < maxStateDimension {
            state += repeatElement(0, count: maxStateDimension - state.count)
        }
        let bins = state.map { String(stateBin($0)) }.joined(separator: " ")
        return "Task: \(cleanedTask(task)), State: \(bins);\nAction: "
    }

    /// The bin of one normalized state value (see ``pi05(task:normalizedState:maxStateDimension:)``).
    public static func stateBin(_ value: Float) -> Int {
        let x = Double(value)
        if x.isNaN { return 255 }
        if x < -1 { return -1 }
        if x >= 1 { return 255 }
        // The bin edges −1 + k/128 are exact doubles, and so is every comparison with them; `x + 1` is not for a
        // value within about 2⁻²⁹ of 0, so the estimate is corrected against the edges (numpy compares exactly).
        var bin = min(255, max(0, Int(((x + 1) * 128).rounded(.down))))
        while bin > 0, x < -1 + Double(bin) / 128 { bin -= 1 }
        while bin < 255, x >= -1 + Double(bin + 1) / 128 { bin += 1 }
        return bin
    }

    /// Python's `task.strip().replace("_", " ").replace("\n", " ")`.
    static func cleanedTask(_ task: String) -> String {
        var scalars = Array(task.unicodeScalars)
        while let first = scalars.first, isPythonSpace(first) { scalars.removeFirst() }
        while let last = scalars.last, isPythonSpace(last) { scalars.removeLast() }
        var out = String()
        for s in scalars { out.unicodeScalars.append(s == "_" || s == "\n" ? " " : s) }
        return out
    }

    /// Python's `str.isspace()` for one scalar (bidirectional class WS, B or S, or category Zs).
    static func isPythonSpace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            true
        default:
            false
        }
    }
}

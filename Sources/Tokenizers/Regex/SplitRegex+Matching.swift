extension SplitRegex {
    /// Every non-overlapping match in `text`, left to right (empty matches are skipped, as they split nothing).
    /// `stepsPerCharacter` bounds the work: a pattern that backtracks past it throws instead of running for ever.
    func matches(in text: [Unicode.Scalar], stepsPerCharacter: Int) throws(TokenizerError) -> [Range<Int>] {
        let (product, overflow) = max(0, stepsPerCharacter).multipliedReportingOverflow(by: text.count + 1)
        var budget = Budget(remaining: overflow ? Int.max : product.addingReportingOverflow(10_000).partialValue)
        if budget.remaining < 0 { budget.remaining = Int.max }
        var result: [Range<Int>] = []
        var position = 0
        var stack: [Frame] = []
        while position <= text.count {
            var found: Range<Int>?
            var start = position
            while start <= text.count {
                if let end = try run(program: 0, text: text, at: start, budget: &budget, stack: &stack) {
                    found = start..<end
                    break
                }
                start += 1
            }
            guard let match = found else { break }
            if match.isEmpty {
                position = match.lowerBound + 1
                continue
            }
            result.append(match)
            position = match.upperBound
        }
        return result
    }

    struct Budget {
        var remaining: Int
    }

    /// A backtracking point: resume `pc` at `position`; for a greedy run, `floor` is the shortest length still to
    /// try (the run gives back one scalar at a time).
    struct Frame {
        var pc: Int
        var position: Int
        var floor: Int
    }

    private func exhausted() -> TokenizerError {
        TokenizerError(.encodingFailed, "regex \(quoted(pattern)) ran past its step budget (catastrophic backtracking)")
    }

    /// Runs `program` anchored at `start`; returns where the match ends.
    private func run(
        program: Int, text: [Unicode.Scalar], at start: Int, budget: inout Budget, stack: inout [Frame]
    ) throws(TokenizerError) -> Int? {
        let code = programs[program]
        let base = stack.count
        defer { stack.removeSubrange(base...) }
        var pc = 0
        var position = start
        while true {
            budget.remaining -= 1
            if budget.remaining < 0 { throw exhausted() }
            var failed = false
            switch code[pc] {
            case .match:
                return position
            case .jump(let target):
                pc = target
            case .split(let first, let second):
                stack.append(Frame(pc: second, position: position, floor: -1))
                pc = first
            case .greedyRun(let matcherIndex, let min, let max):
                let matcher = matchers[matcherIndex]
                var end = position
                let limit = max == Int.max ? text.count : Swift.min(text.count, position &+ max)
                while end < limit, matcher.matches(text[end]) { end += 1 }
                budget.remaining -= end - position
                if budget.remaining < 0 { throw exhausted() }
                if end - position < min {
                    failed = true
                } else {
                    if end - position > min { stack.append(Frame(pc: pc + 1, position: end - 1, floor: position + min)) }
                    position = end
                    pc += 1
                }
            case .assert(let assertion):
                if check(assertion, text: text, at: position) { pc += 1 } else { failed = true }
            case .lookahead(let sub, let negated):
                let hit = try run(program: sub, text: text, at: position, budget: &budget, stack: &stack) != nil
                if hit != negated { pc += 1 } else { failed = true }
            }
            if failed {
                guard stack.count > base, let frame = stack.popLast() else { return nil }
                pc = frame.pc
                position = frame.position
                if frame.floor >= 0 && frame.position > frame.floor {
                    stack.append(Frame(pc: frame.pc, position: frame.position - 1, floor: frame.floor))
                }
            }
        }
    }

    private func check(_ assertion: Assertion, text: [Unicode.Scalar], at position: Int) -> Bool {
        switch assertion {
        case .lineStart: return position == 0 || text[position - 1] == "\n"
        case .lineEnd: return position == text.count || text[position] == "\n"
        case .textStart: return position == 0
        case .textEnd: return position == text.count
        case .textEndOrFinalNewline:
            return position == text.count || (position == text.count - 1 && text[position] == "\n")
        case .wordBoundary, .notWordBoundary:
            let before = position > 0 && ScalarSet.isWord(text[position - 1])
            let after = position < text.count && ScalarSet.isWord(text[position])
            return (before != after) == (assertion == .wordBoundary)
        }
    }
}

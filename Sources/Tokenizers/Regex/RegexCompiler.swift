/// Turns a syntax tree into programs for the backtracking matcher: program 0 is the pattern, the others are the
/// bodies of lookaheads.
struct RegexCompiler {
    let pattern: String
    private(set) var programs: [[Instruction]] = []
    private(set) var matchers: [ScalarMatcher] = []
    private var failure: TokenizerError?
    static let maxInstructions = 100_000

    init(pattern: String) { self.pattern = pattern }

    mutating func compileMain(_ node: RegexNode) {
        programs.append([])
        _ = compileProgram(node, into: 0)
    }

    func check() throws(TokenizerError) {
        if let failure { throw failure }
    }

    private mutating func compileProgram(_ node: RegexNode, into program: Int) -> Int {
        var code: [Instruction] = []
        emit(node, into: &code)
        code.append(.match(0))
        if code.count > Self.maxInstructions, failure == nil {
            failure = TokenizerError(.unsupportedComponent, "regex \(quoted(pattern)): the pattern is too large")
        }
        programs[program] = code
        return program
    }

    private mutating func matcherIndex(_ matcher: ScalarMatcher) -> Int {
        matchers.append(matcher)
        return matchers.count - 1
    }

    private mutating func emit(_ node: RegexNode, into code: inout [Instruction]) {
        guard code.count <= Self.maxInstructions else { return }
        switch node {
        case .empty:
            break
        case .single(let matcher):
            code.append(.greedyRun(matcher: matcherIndex(matcher), min: 1, max: 1))
        case .concatenation(let nodes):
            for n in nodes { emit(n, into: &code) }
        case .alternation(let branches):
            // split(b0, next) … each branch jumps to the end.
            var jumps: [Int] = []
            for (i, branch) in branches.enumerated() {
                if i < branches.count - 1 {
                    let split = code.count
                    code.append(.split(split + 1, -1))
                    emit(branch, into: &code)
                    jumps.append(code.count)
                    code.append(.jump(-1))
                    code[split] = .split(split + 1, code.count)
                } else {
                    emit(branch, into: &code)
                }
            }
            for j in jumps { code[j] = .jump(code.count) }
        case .assertion(let assertion):
            code.append(.assert(assertion))
        case .lookahead(let body, let negated):
            programs.append([])
            let index = programs.count - 1
            _ = compileProgram(body, into: index)
            code.append(.lookahead(program: index, negated: negated))
        case .repetition(let body, let min, let max, let greedy):
            if case .single(let matcher) = body, greedy {
                code.append(.greedyRun(matcher: matcherIndex(matcher), min: min, max: max ?? Int.max))
                return
            }
            if max == nil && body.isNullable {
                if failure == nil {
                    failure = TokenizerError(
                        .unsupportedComponent,
                        "regex \(quoted(pattern)): an unbounded repetition of something that can match nothing")
                }
                return
            }
            for _ in 0..<min { emit(body, into: &code) }
            if let max {
                // Each optional copy: split(body, end) — nested so that a skipped copy ends the run.
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(code.count)
                    code.append(.split(-1, -1))
                    emit(body, into: &code)
                    guard code.count <= Self.maxInstructions else { return }
                }
                let end = code.count
                for s in splits { code[s] = greedy ? .split(s + 1, end) : .split(end, s + 1) }
            } else {
                let loop = code.count
                code.append(.split(-1, -1))
                emit(body, into: &code)
                code.append(.jump(loop))
                let end = code.count
                code[loop] = greedy ? .split(loop + 1, end) : .split(end, loop + 1)
            }
        }
    }
}

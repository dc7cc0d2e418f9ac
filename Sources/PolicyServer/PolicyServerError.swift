/// Why the server refused to start or to do something. The message names the manifest key or flag at fault.
public struct PolicyServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of failure; bounded, so safe as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable { case manifestInvalid, unsupportedPolicy, modelLoadFailed }
        private var base: Base
        private init(_ base: Base) { self.base = base }

        /// A manifest key or flag has a missing, malformed or inconsistent value.
        public static let manifestInvalid = Self(.manifestInvalid)
        /// The policy cannot be served (no chunk API, or an unsafe serving mode).
        public static let unsupportedPolicy = Self(.unsupportedPolicy)
        /// The model could not be found, downloaded or loaded.
        public static let modelLoadFailed = Self(.modelLoadFailed)

        public var description: String {
            switch base {
            case .manifestInvalid: "manifest invalid"
            case .unsupportedPolicy: "unsupported policy"
            case .modelLoadFailed: "model load failed"
            }
        }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code && lhs.message == rhs.message }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// Python's `repr` of a list of strings (`['a', 'b']`), as LeRobot's messages show lists.
func pythonRepr(_ strings: [String]) -> String {
    "[" + strings.map { pythonRepr($0) }.joined(separator: ", ") + "]"
}

/// Python's `repr` of a string: single quotes unless the string contains one and no double quote.
func pythonRepr(_ string: String) -> String {
    let quote: Character = string.contains("'") && !string.contains("\"") ? "\"" : "'"
    var out = String(quote)
    for scalar in string.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case Unicode.Scalar(UInt8(ascii: quote == "'" ? "'" : "\"")): out += "\\" + String(quote)
        case _ where scalar.value < 0x20 || scalar.value == 0x7f:
            let hex = String(scalar.value, radix: 16)
            out += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    out.append(quote)
    return out
}

/// Python's `str(float)` for the values we print (`30.0`, `29.97`, `1e-05`): Swift's shortest round-trip
/// form agrees with Python's for every finite value below 1e16.
func pythonFloat(_ value: Double) -> String {
    "\(value)"
}

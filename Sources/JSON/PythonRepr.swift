// Python's `repr`, for messages that quote LeRobot's Python text (`missing camera features ['front']`).

/// Python's `repr` of a string: single quotes unless it contains one and no double quote; backslash, the quote,
/// `\t \n \r` escaped; other control and unprintable characters as `\xhh`, `\uhhhh` or `\Uhhhhhhhh`.
public func pythonRepr(_ string: String) -> String {
    var out = ""
    appendPythonRepr(string, to: &out)
    return out
}

/// Python's `repr` of a list of strings: `['a', 'b']`.
public func pythonRepr(_ strings: [String]) -> String {
    var out = "["
    for (i, string) in strings.enumerated() {
        if i > 0 { out += ", " }
        appendPythonRepr(string, to: &out)
    }
    return out + "]"
}

/// Python's `repr` (and `str`) of a float: `30.0`, `29.97`, `1e-05`, `inf`. Swift's shortest round-trip text is
/// the same as Python's for every double.
public func pythonRepr(_ value: Double) -> String {
    value.description
}

extension JSONValue {
    /// The value as Python's `repr` shows what `json.loads` makes of it: `None`, `True`, `3`, `0.5`, `'a'`,
    /// `[1, 'b']`, `{'k': None}`.
    public var pythonRepr: String {
        var out = ""
        appendPythonRepr(to: &out)
        return out
    }

    private func appendPythonRepr(to out: inout String) {
        switch self {
        case .null: out += "None"
        case .bool(let b): out += b ? "True" : "False"
        case .integer(let i): out += String(i)
        case .double(let d): out += d.description
        case .string(let s): JSON.appendPythonRepr(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                item.appendPythonRepr(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, member) in members.enumerated() {
                if i > 0 { out += ", " }
                JSON.appendPythonRepr(member.key, to: &out)
                out += ": "
                member.value.appendPythonRepr(to: &out)
            }
            out += "}"
        }
    }
}

private func appendPythonRepr(_ string: String, to out: inout String) {
    let quote: Unicode.Scalar = string.contains("'") && !string.contains("\"") ? "\"" : "'"
    out.unicodeScalars.append(quote)
    for scalar in string.unicodeScalars {
        switch scalar {
        case "\\", quote:
            out += "\\"
            out.unicodeScalars.append(scalar)
        case "\t": out += "\\t"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += hexEscape(scalar.value, "x", digits: 2)
        case _ where scalar.value < 0x7F || isPrintable(scalar): out.unicodeScalars.append(scalar)
        case _ where scalar.value <= 0xFF: out += hexEscape(scalar.value, "x", digits: 2)
        case _ where scalar.value <= 0xFFFF: out += hexEscape(scalar.value, "u", digits: 4)
        default: out += hexEscape(scalar.value, "U", digits: 8)
        }
    }
    out.unicodeScalars.append(quote)
}

/// Python's `str.isprintable` for one non-ASCII character: not a control, format, surrogate, private-use,
/// unassigned or separator character.
private func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
        false
    default:
        true
    }
}

private func hexEscape(_ value: UInt32, _ letter: String, digits: Int) -> String {
    let hex = String(value, radix: 16)
    return "\\" + letter + String(repeating: "0", count: max(0, digits - hex.count)) + hex
}

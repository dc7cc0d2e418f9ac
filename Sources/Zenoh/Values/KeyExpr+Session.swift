import ZenohProtocol
import ZenohTransport

extension KeyExpr {
    /// Validates a user-supplied key expression, turning a refusal into a `ZenohError` that names the key.
    static func validated(_ text: String, for purpose: String) throws(ZenohError) -> KeyExpr {
        do {
            return try KeyExpr(text)
        } catch {
            throw ZenohError(.invalidKeyExpr, "\(purpose) key '\(text)' is invalid: \(error.message)", cause: error)
        }
    }
}

/// A selector: a key expression and the parameters after `?`.
struct Selector: Hashable, Sendable {
    var key: KeyExpr
    var parameters: String

    /// Parses `key?parameters`.
    init(parsing text: String) throws(ZenohError) {
        if let question = text.firstIndex(of: "?") {
            self.key = try KeyExpr.validated(String(text[..<question]), for: "selector")
            self.parameters = String(text[text.index(after: question)...])
        } else {
            self.key = try KeyExpr.validated(text, for: "selector")
            self.parameters = ""
        }
    }

    init(key: KeyExpr, parameters: String) {
        self.key = key
        self.parameters = parameters
    }

    /// Whether the parameters contain `_anyke` (replies on any key are accepted).
    static func acceptsAnyKey(_ parameters: String) -> Bool {
        parameters.split(separator: ";").contains { pair in
            pair.split(separator: "=", maxSplits: 1).first.map { $0 == "_anyke" } ?? false
        }
    }
}

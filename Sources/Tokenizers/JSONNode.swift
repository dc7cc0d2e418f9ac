import JSON

/// A value with where it came from, so that every shape error names the file and the JSON path
/// (`tokenizer.json: model.merges[12] must be a string or a pair of strings`).
struct JSONNode {
    let value: JSONValue
    /// The parent's path and this node's key or index; the full path is only built for an error message (a
    /// vocabulary has hundreds of thousands of members).
    private let parentPath: String
    private let component: Component
    let source: String

    private enum Component {
        case root, key(String), index(Int)
    }

    init(_ value: JSONValue, path: String, source: String) {
        self.init(value, parentPath: path, component: .root, source: source)
    }

    private init(_ value: JSONValue, parentPath: String, component: Component, source: String) {
        self.value = value
        self.parentPath = parentPath
        self.component = component
        self.source = source
    }

    var path: String {
        switch component {
        case .root: parentPath
        case .key(let key): parentPath.isEmpty ? key : "\(parentPath).\(key)"
        case .index(let i): "\(parentPath)[\(i)]"
        }
    }

    var displayPath: String { path.isEmpty ? "the document" : path }

    func error(_ why: String) -> TokenizerError {
        TokenizerError(.invalidFile, "\(source): \(displayPath) \(why)")
    }

    func unsupported(_ why: String) -> TokenizerError {
        TokenizerError(.unsupportedComponent, "\(source): \(displayPath): \(why)")
    }

    var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// The member `key`, or nil when it is absent or `null` (serde's `Option` reading).
    func field(_ key: String) throws(TokenizerError) -> JSONNode? {
        guard case .object(let members) = value else { throw error("must be an object, got \(value.kindName)") }
        for member in members where member.key == key {
            if case .null = member.value { return nil }
            return JSONNode(member.value, parentPath: path, component: .key(key), source: source)
        }
        return nil
    }

    func requiredField(_ key: String) throws(TokenizerError) -> JSONNode {
        guard let node = try field(key) else { throw error("needs a \"\(key)\" member") }
        return node
    }

    func string() throws(TokenizerError) -> String {
        guard case .string(let s) = value else { throw error("must be a string, got \(value.kindName)") }
        return s
    }

    func bool() throws(TokenizerError) -> Bool {
        guard case .bool(let b) = value else { throw error("must be a boolean, got \(value.kindName)") }
        return b
    }

    func int() throws(TokenizerError) -> Int {
        switch value {
        case .integer(let i): return i
        case .double(let d) where d == d.rounded() && abs(d) < 9e15: return Int(d)
        default: throw error("must be an integer, got \(value.kindName)")
        }
    }

    func double() throws(TokenizerError) -> Double {
        switch value {
        case .integer(let i): return Double(i)
        case .double(let d): return d
        default: throw error("must be a number, got \(value.kindName)")
        }
    }

    func array() throws(TokenizerError) -> [JSONNode] {
        guard case .array(let items) = value else { throw error("must be an array, got \(value.kindName)") }
        let path = self.path
        var nodes: [JSONNode] = []
        nodes.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            nodes.append(JSONNode(item, parentPath: path, component: .index(i), source: source))
        }
        return nodes
    }

    func members() throws(TokenizerError) -> [(key: String, node: JSONNode)] {
        guard case .object(let members) = value else { throw error("must be an object, got \(value.kindName)") }
        let path = self.path
        return members.map { ($0.key, JSONNode($0.value, parentPath: path, component: .key($0.key), source: source)) }
    }

    // Optional-member conveniences with defaults.
    func string(_ key: String, default fallback: String? = nil) throws(TokenizerError) -> String? {
        guard let node = try field(key) else { return fallback }
        return try node.string()
    }

    func bool(_ key: String, default fallback: Bool) throws(TokenizerError) -> Bool {
        guard let node = try field(key) else { return fallback }
        return try node.bool()
    }

    func int(_ key: String, default fallback: Int) throws(TokenizerError) -> Int {
        guard let node = try field(key) else { return fallback }
        return try node.int()
    }

    /// The `type` member of a component.
    func typeName() throws(TokenizerError) -> String { try requiredField("type").string() }
}

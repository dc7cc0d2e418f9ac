/// The Zenoh key expressions of one policy service:
/// `@lerobot/<seg(model_id)>/<seg(revision or "main")>/<seg(task or "default")>` and the keys below it.
///
/// `@lerobot` is a verbatim chunk, so wildcards never match it; the server subscribes with single-chunk
/// wildcards (`<prefix>/*/obs`), never `**`.
public struct ServiceKeys: Sendable, Hashable {
    /// The chunks a segment may never sanitize to: they name the service's own keys.
    public static let reservedChunks: Set<String> = ["status", "session", "server", "obs", "action", "reset", "alive"]

    /// `@lerobot/<model>/<revision>/<task>`.
    public let prefix: String

    /// Builds the prefix; an empty revision means `main`, an empty task means `default`.
    public init(modelID: String, revision: String = "main", task: String = "") throws(PolicyWireError) {
        let model = try Self.segment(modelID, what: "model id")
        let rev = try Self.segment(revision.isEmpty ? "main" : revision, what: "revision")
        let taskChunk = try Self.segment(task.isEmpty ? "default" : task, what: "task")
        self.prefix = "@lerobot/\(model)/\(rev)/\(taskChunk)"
    }

    /// Queryable: capabilities.
    public var status: String { "\(prefix)/status" }
    /// Queryable: session open / close.
    public var session: String { "\(prefix)/session" }
    /// The server's liveliness token.
    public var serverAlive: String { "\(prefix)/server/alive" }
    /// What the server subscribes to for every client's observations.
    public var allObservations: String { "\(prefix)/*/obs" }
    /// What the server declares for every client's resets.
    public var allResets: String { "\(prefix)/*/reset" }
    /// What the server watches (with history) for client liveliness.
    public var allClientsAlive: String { "\(prefix)/*/alive" }

    /// `<prefix>/<uuid>/obs`.
    public func observations(client uuid: String) throws(PolicyWireError) -> String {
        try clientKey(uuid, "obs")
    }

    /// `<prefix>/<uuid>/action`.
    public func actions(client uuid: String) throws(PolicyWireError) -> String {
        try clientKey(uuid, "action")
    }

    /// `<prefix>/<uuid>/reset`.
    public func reset(client uuid: String) throws(PolicyWireError) -> String {
        try clientKey(uuid, "reset")
    }

    /// `<prefix>/<uuid>/alive`.
    public func alive(client uuid: String) throws(PolicyWireError) -> String {
        try clientKey(uuid, "alive")
    }

    private func clientKey(_ uuid: String, _ leaf: String) throws(PolicyWireError) -> String {
        "\(prefix)/\(try Self.segment(uuid, what: "client uuid"))/\(leaf)"
    }

    /// The client uuid of an incoming per-client key: its second-to-last chunk.
    public static func clientUUID(fromKey key: String) throws(PolicyWireError) -> String {
        let chunks = key.split(separator: "/", omittingEmptySubsequences: false)
        guard chunks.count >= 2, !chunks[chunks.count - 2].isEmpty else {
            throw PolicyWireError(.invalidKey, "key '\(key)' has no client chunk")
        }
        return String(chunks[chunks.count - 2])
    }

    /// LeRobot's `seg()`: trims whitespace, folds every run of characters outside `[A-Za-z0-9_.-]` into one
    /// `-`, strips leading and trailing `-` and `.`, and refuses an empty or reserved result.
    ///
    /// `what` names the input in the error ("task 'status' collides with reserved chunk 'status'").
    public static func segment(_ raw: String, what: String = "key segment") throws(PolicyWireError) -> String {
        var folded = ""
        var inRun = false
        for scalar in raw.unicodeScalars.trimmingWhitespace() {
            if isKept(scalar) {
                folded.unicodeScalars.append(scalar)
                inRun = false
            } else if !inRun {
                folded.append("-")
                inRun = true
            }
        }
        let trimmed = folded.unicodeScalars.drop { $0 == "-" || $0 == "." }
        let result = String(String.UnicodeScalarView(trimmed.reversed().drop { $0 == "-" || $0 == "." }.reversed()))
        guard !result.isEmpty else {
            throw PolicyWireError(.invalidKey, "\(what) '\(raw)' sanitizes to an empty chunk")
        }
        guard !reservedChunks.contains(result) else {
            throw PolicyWireError(.invalidKey, "\(what) '\(raw)' collides with reserved chunk '\(result)'")
        }
        return result
    }

    private static func isKept(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "A"..."Z", "a"..."z", "0"..."9", "_", ".", "-": true
        default: false
        }
    }
}

extension String.UnicodeScalarView {
    fileprivate func trimmingWhitespace() -> Substring.UnicodeScalarView {
        let view = self[...]
        let start = view.firstIndex { !$0.properties.isWhitespace } ?? view.endIndex
        let end = view.lastIndex { !$0.properties.isWhitespace }.map { view.index(after: $0) } ?? start
        return view[start..<Swift.max(start, end)]
    }
}

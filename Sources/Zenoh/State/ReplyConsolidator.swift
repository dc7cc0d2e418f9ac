import ZenohProtocol

/// Querier-side consolidation of the replies to one `get`, as the Rust session does it (zenoh-protocol.md
/// section 9): `none` passes everything; `monotonic` passes a reply only if it is newer than the last one
/// passed for its key; `latest` holds the newest reply per key until the query ends. Error replies always
/// pass. A reply without a timestamp is older than any with one, so it never replaces a held reply.
struct ReplyConsolidator: Equatable {
    private var newest: [KeyExpr: ZenohTimestamp?] = [:]
    private var held: [KeyExpr: ZenohReply] = [:]
    private var order: [KeyExpr] = []

    /// Records `reply`; returns whether it is to be delivered now.
    mutating func accept(_ reply: ZenohReply, mode: ConsolidationMode) -> Bool {
        guard let sample = reply.sample, mode == .monotonic || mode == .latest else { return true }
        let key = sample.key
        if let known = self.newest[key], !Self.isNewer(sample.timestamp, than: known) { return false }
        self.newest[key] = sample.timestamp
        guard mode == .latest else { return true }
        if self.held.updateValue(reply, forKey: key) == nil { self.order.append(key) }
        return false
    }

    /// The replies held by `latest`, in the order their keys first answered.
    var heldReplies: [ZenohReply] {
        self.order.compactMap { self.held[$0] }
    }

    private static func isNewer(_ candidate: ZenohTimestamp?, than known: ZenohTimestamp?) -> Bool {
        guard let candidate else { return false }
        guard let known else { return true }
        return (candidate.time, candidate.id.high, candidate.id.low) > (known.time, known.id.high, known.id.low)
    }
}

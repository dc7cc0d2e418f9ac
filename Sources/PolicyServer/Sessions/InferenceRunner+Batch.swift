import PolicyRuntime

extension InferenceRunner {
    /// One session's part of a batched run.
    public struct BatchItem {
        public var pending: PendingObservation
        public var session: ServerSession
        public var superseded: Int

        public init(pending: PendingObservation, session: ServerSession, superseded: Int) {
            self.pending = pending
            self.session = session
            self.superseded = superseded
        }
    }

    /// Serves several sessions' observations with one policy run when the policy batches (RTC sessions included
    /// when the policy guides each row with its own prefix, as flow-matching policies do; otherwise they run one by
    /// one), else one after another. Each item gets its own result; a
    /// request that does not decode fails alone, and when a batched run fails its items are run one by one, so only
    /// the request at fault fails. `items[i].session`
    /// comes back updated (episode).
    public func serveBatch(_ items: inout [BatchItem], serverLoad: Double) -> [Result<Reply, any Error>] {
        guard items.count > 1, let batched = policy as? any BatchedChunkPolicy,
            batched.batchesRTC || !items.contains(where: \.session.rtcEnabled)
        else {
            return items.indices.map { i in
                Result { try serve(items[i].pending, session: &items[i].session, superseded: items[i].superseded, serverLoad: serverLoad) }
            }
        }
        let start = now
        var results = [Result<Reply, any Error>?](repeating: nil, count: items.count)
        var prepared: [(index: Int, prepared: Prepared)] = []
        for i in items.indices {
            do { prepared.append((i, try prepare(items[i].pending, session: &items[i].session))) } catch { results[i] = .failure(error) }
        }
        if !prepared.isEmpty {
            let requests = prepared.map { ($0.prepared.request, items[$0.index].session.processors) }
            do {
                let outputs = try batched.predictChunks(requests)
                for (entry, output) in zip(prepared, outputs) {
                    results[entry.index] = Result {
                        try reply(
                            entry.prepared, output: output, start: start, superseded: items[entry.index].superseded, serverLoad: serverLoad)
                    }
                }
            } catch {
                // One robot's request that does not fit the policy (a state of the wrong size, a missing camera, a
                // task too long for the graph) fails the whole run; serving the items one by one then isolates it,
                // so the other robots still get their chunks.
                for entry in prepared {
                    results[entry.index] = Result {
                        guard prepared.count > 1 else { throw error }
                        let single = [(entry.prepared.request, items[entry.index].session.processors)]
                        guard let output = try batched.predictChunks(single).first else { throw error }
                        return try reply(
                            entry.prepared, output: output, start: start, superseded: items[entry.index].superseded, serverLoad: serverLoad)
                    }
                }
            }
        }
        return results.map { $0! }
    }
}

public import AssentLog
internal import AssentStorage

extension SnapshotStore {
    /// Why `commitment` is in or out of `snapshot`, re-deciding it from the snapshot's own inputs.
    public func explain(_ snapshot: Snapshot, commitment: [UInt8]) throws -> JSONObject {
        let inputs = try SnapshotInputs.fromIndex(
            store, baseHeight: snapshot.parameters.baseHeight, revocationHeight: snapshot.parameters.revocationHeight)
        var result = JSONObject([
            ("snapshot", .string(snapshot.id)), ("sample", .string("sha256:" + Hex.encode(commitment))),
        ])
        let key = commitment.count == 32 ? CommitmentKey(commitment) : nil
        guard let sample = inputs.samples.first(where: { $0.commitment == key }) else {
            result["member"] = .bool(false)
            result["reason"] = .string("not logged below height \(snapshot.parameters.baseHeight)")
            return result
        }
        var evaluator = SnapshotEvaluator(policy: snapshot.policy, parameters: snapshot.parameters)
        let member = try members(snapshot).contains { $0.commitment == commitment }
        result["member"] = .bool(member)
        switch evaluator.decide(sample, inputs: inputs) {
        case .included(let license):
            result["license"] = .string(license)
            result["reason"] = .string("admitted under \(license) by policy \(snapshot.policy.name)")
        case .excluded(let reason):
            result["reason"] = .string(reason)
        }
        let sources = inputs.sources(of: sample)
        result["licenses"] = .array(sources.map { .string(inputs.texts[$0.license]) })
        result["opt_out"] = .string(SampleFields.fold(sources.map { inputs.texts[$0.optOut] }))
        result["consent"] = sample.consent >= 0 ? .string(inputs.texts[sample.consent]) : .null
        result["subject"] = sample.subject >= 0 ? .string(inputs.texts[sample.subject]) : .null
        return result
    }

    /// The commitments only in `first` and only in `second`.
    public func diff(_ first: Snapshot, _ second: Snapshot) throws -> (removed: [[UInt8]], added: [[UInt8]]) {
        let a = try members(first).map(\.commitment)
        let b = try members(second).map(\.commitment)
        var removed: [[UInt8]] = []
        var added: [[UInt8]] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i].lexicographicallyPrecedes(b[j])) {
                removed.append(a[i])
                i += 1
            } else if i == a.count || b[j].lexicographicallyPrecedes(a[i]) {
                added.append(b[j])
                j += 1
            } else {
                i += 1
                j += 1
            }
        }
        return (removed, added)
    }

    /// Recomputes the snapshot from the log entries alone and reports whether roots and shards agree.
    public func recomputeFromLog(_ snapshot: Snapshot) throws -> (root: [UInt8], matches: Bool) {
        let inputs = try SnapshotInputs.fromLog(
            store.ledger, baseHeight: snapshot.parameters.baseHeight,
            revocationHeight: snapshot.parameters.revocationHeight)
        var evaluator = SnapshotEvaluator(policy: snapshot.policy, parameters: snapshot.parameters)
        var table = MemberTable()
        table.records = evaluator.members(of: inputs, table: &table)
        let contents = SnapshotContents(table: table, shards: snapshot.parameters.shards)
        return (contents.root, contents.root == snapshot.root && contents.shardRoots == snapshot.shardRoots)
    }
}

extension SnapshotStore {
    /// The shards of `snapshot` that hold at least one of `samples` (commitment and subject pseudonym).
    /// A sample's shard is computed from it, so it is in the snapshot only in that shard: each sample
    /// is looked up in the one proof tile that would hold it (a few KiB read through an index), or,
    /// for a snapshot without tiles, in its shard's sorted member blob.
    public func shardsHolding(_ samples: [(commitment: [UInt8], subject: String?)], in snapshot: Snapshot) throws
        -> Set<Int>
    {
        let tiled = try hasTiles(snapshot)
        var holding: Set<Int> = []
        for sample in samples {
            let shard = SnapshotEvaluator.shard(
                subject: sample.subject, commitment: sample.commitment, of: snapshot.parameters.shards)
            guard !holding.contains(shard) else { continue }
            let sql =
                tiled
                ? "SELECT members FROM snapshot_tiles WHERE snapshot = ? AND first <= ? ORDER BY first DESC LIMIT 1"
                : "SELECT members FROM snapshot_shards WHERE snapshot = ? AND shard = ?"
            let found = try store.database.withStatement(sql) { statement in
                try statement.bind([
                    .integer(Int64(snapshot.seq)), tiled ? .blob(sample.commitment) : .integer(Int64(shard)),
                ])
                guard try statement.step() else { return false }
                return statement.withBlob(0) { blob in Self.binarySearch(blob: blob, for: sample.commitment) }
            }
            if found { holding.insert(shard) }
        }
        return holding
    }
}

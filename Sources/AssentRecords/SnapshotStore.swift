internal import Foundation
internal import AssentCrypto
public import AssentLog
internal import AssentStorage

/// Cuts, stores and reads snapshots.
public struct SnapshotStore {
    /// The largest shard count a snapshot entry can carry comfortably.
    public static let maximumShards = 256

    /// The store snapshots live in.
    public let store: RecordStore

    /// Snapshots over `store`.
    public init(store: RecordStore) { self.store = store }

    /// Cuts and logs a snapshot at height `at` (default: the current size) as of `asOf` (default: now),
    /// built from the newest earlier snapshot of the same policy and K when there is one
    /// (``contents(from:parameters:)``).
    /// With `fromScratch` (for benchmarks and checks) no earlier snapshot is built on.
    /// - Throws: ``RecordsError`` for a height beyond the log, a bad time or shard count.
    public func create(
        policy: Policy, at height: UInt64? = nil, asOf: String? = nil, shards: Int = 1, fromScratch: Bool = false
    ) throws -> Snapshot {
        guard (1...Self.maximumShards).contains(shards) else {
            throw RecordsError(.invalidInput, "shards: K must be between 1 and \(Self.maximumShards)")
        }
        if let asOf, UTCTime.parse(asOf) == nil {
            throw RecordsError(.invalidInput, "as-of: expected a UTC time like 2026-01-01T00:00:00Z, not \"\(asOf)\"")
        }
        return try store.ledger.write { writer in
            let size = writer.size
            let base = height ?? size
            guard base <= size else {
                throw RecordsError(.invalidInput, "at: height \(base) is beyond the log's \(size) entries")
            }
            let time = asOf ?? writer.timestamp
            let parameters = SnapshotParameters(
                baseHeight: base, revocationHeight: base, asOf: time, evaluatedAt: time, shards: shards)
            let earlier = fromScratch ? nil : try newestBase(policy: policy, parameters: parameters)
            return try log(
                contents: try earlier.map { try contents(from: $0, parameters: parameters) }
                    ?? contents(parameters: parameters, policy: policy),
                parameters: parameters, policy: policy, writer: writer, extra: JSONObject())
        }
    }

    /// Re-cuts `snapshot` as reproduction does: the same H, policy, T and K, with revocations and
    /// expiries up to the current height R and now T'. Logged as a new snapshot naming the old one.
    /// Only the samples that entries since `snapshot` could change are decided again
    /// (``contents(from:parameters:)``).
    public func recut(_ snapshot: Snapshot, writer: LogWriter) throws -> Snapshot {
        let parameters = SnapshotParameters(
            baseHeight: snapshot.parameters.baseHeight, revocationHeight: writer.size, asOf: snapshot.parameters.asOf,
            evaluatedAt: max(writer.timestamp, snapshot.parameters.asOf), shards: snapshot.parameters.shards)
        return try log(
            contents: try contents(from: snapshot, parameters: parameters), parameters: parameters,
            policy: snapshot.policy, writer: writer, extra: JSONObject([("recut_of", .string(snapshot.id))]))
    }

    /// Computes the members for `parameters` from the index tables.
    package func contents(parameters: SnapshotParameters, policy: Policy) throws -> SnapshotContents {
        let inputs = try SnapshotInputs.fromIndex(
            store, baseHeight: parameters.baseHeight, revocationHeight: parameters.revocationHeight)
        var evaluator = SnapshotEvaluator(policy: policy, parameters: parameters)
        var table = MemberTable()
        table.records = evaluator.members(of: inputs, table: &table)
        return SnapshotContents(table: table, shards: parameters.shards)
    }

    private func log(
        contents: SnapshotContents, parameters: SnapshotParameters, policy: Policy, writer: LogWriter, extra: JSONObject
    ) throws -> Snapshot {
        let seq = writer.size
        let snapshot = Snapshot(
            id: Snapshot.id(forSeq: seq), seq: seq, parameters: parameters, policy: policy,
            count: contents.table.records.count,
            root: contents.root, shardRoots: contents.shardRoots, shardCounts: contents.shardCounts)
        var fields = snapshot.statement
        for member in extra.members { fields[member.key] = member.value }
        let entry = try writer.append(type: "snapshot", fields: fields)
        precondition(entry.seq == seq)
        try save(snapshot, contents: contents, connection: writer.connection)
        return snapshot
    }

    private func save(_ snapshot: Snapshot, contents: SnapshotContents, connection: Database) throws {
        let table = contents.table
        var byShard = [[MemberRecord]](repeating: [], count: snapshot.parameters.shards)
        for shard in byShard.indices { byShard[shard].reserveCapacity(snapshot.shardCounts[shard]) }
        for record in table.records { byShard[Int(record.shard)].append(record) }
        let parameters = snapshot.parameters
        try connection.run(
            """
            INSERT INTO snapshots (seq, id, base_height, revocation_height, as_of, evaluated_at, policy_digest, policy, shards, count, root, pairs)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(Int64(snapshot.seq)), .text(snapshot.id), .integer(Int64(parameters.baseHeight)),
                .integer(Int64(parameters.revocationHeight)), .text(parameters.asOf), .text(parameters.evaluatedAt),
                .text(snapshot.policy.digest), .blob(snapshot.policy.canonicalJSON), .integer(Int64(parameters.shards)),
                .integer(Int64(snapshot.count)), .blob(snapshot.root), .blob(table.pairsJSON),
            ])
        // A shard whose members an earlier snapshot already stores is not stored again: its row keeps
        // its count and root, and a link names the snapshot that holds its member blob.
        for (shard, storedIn) in contents.storedShards.sorted(by: { $0.key < $1.key }) {
            try connection.run(
                "INSERT INTO snapshot_shard_links (snapshot, shard, stored_in) VALUES (?, ?, ?)",
                [.integer(Int64(snapshot.seq)), .integer(Int64(shard)), .integer(Int64(storedIn))])
        }
        for shard in 0..<parameters.shards {
            var blob: [UInt8] = []
            if contents.storedShards[shard] == nil { MemberTable.encode(byShard[shard], into: &blob) }
            try connection.run(
                "INSERT INTO snapshot_shards (snapshot, shard, count, root, members) VALUES (?, ?, ?, ?, ?)",
                [
                    .integer(Int64(snapshot.seq)), .integer(Int64(shard)), .integer(Int64(snapshot.shardCounts[shard])),
                    .blob(snapshot.shardRoots[shard]), .blob(blob),
                ])
        }
        try saveTiles(
            seq: snapshot.seq, records: table.records, tileHashes: contents.tileHashes, connection: connection)
    }

    /// The snapshot with this id (`snap-<seq>`).
    /// - Throws: ``RecordsError`` `notFound`.
    public func load(_ id: String) throws -> Snapshot {
        guard let seq = Snapshot.seq(fromID: id) else {
            throw RecordsError(.notFound, "no snapshot \(id) (ids look like snap-123)")
        }
        let row = try store.database.withStatement(
            "SELECT base_height, revocation_height, as_of, evaluated_at, policy, shards, count, root FROM snapshots WHERE seq = ?"
        ) { statement -> (SnapshotParameters, [UInt8], Int, [UInt8])? in
            try statement.bind([.integer(Int64(seq))])
            guard try statement.step() else { return nil }
            let parameters = SnapshotParameters(
                baseHeight: UInt64(statement.integer(0)), revocationHeight: UInt64(statement.integer(1)),
                asOf: statement.text(2),
                evaluatedAt: statement.text(3), shards: Int(statement.integer(5)))
            return (parameters, statement.blob(4), Int(statement.integer(6)), statement.blob(7))
        }
        guard let row else { throw RecordsError(.notFound, "no snapshot \(id) (see assent status)") }
        // The shard roots and counts come from the snapshot's entry: reading them from snapshot_shards
        // would load every member blob with them (SQLite reads a WITHOUT ROWID row whole).
        let entry = try JSONParser.parse(try store.ledger.entry(seq).bytes).objectValue
        let shardRoots = (entry?["shard_roots"]?.arrayValue ?? []).compactMap {
            $0.stringValue.flatMap(RevocationRegistry.parseCommitment)
        }
        let shardCounts = (entry?["shard_counts"]?.arrayValue ?? []).compactMap { $0.integerValue.map { Int($0) } }
        guard shardRoots.count == row.0.shards, shardCounts.count == row.0.shards else {
            throw RecordsError(
                .conflict, "snapshot \(id): its entry does not list \(row.0.shards) shard roots; run assent log verify")
        }
        return Snapshot(
            id: Snapshot.id(forSeq: seq), seq: seq, parameters: row.0, policy: try Policy(json: row.1), count: row.2,
            root: row.3,
            shardRoots: shardRoots, shardCounts: shardCounts)
    }

    /// The members of a snapshot, in leaf (commitment) order; with `shards`, only those shards' members.
    /// Unless `sorted`, shard by shard instead (each shard's in commitment order).
    public func members(_ snapshot: Snapshot, shards: Set<Int>? = nil, sorted: Bool = true) throws -> [SnapshotMember] {
        let stored = try storedShards(snapshot, only: shards)
        var table = stored.table
        table.records = sorted ? Self.merge(stored.shards) : Array(stored.shards.joined())
        return table.records.indices.map(table.member)
    }

    /// A snapshot's stored members shard by shard (each shard's in commitment order), with its pairs
    /// in `table` (whose records are left empty); with `only`, the other shards are left empty. A shard
    /// linked to an earlier snapshot's blob is read from there, its pairs mapped through that
    /// snapshot's pair list.
    func storedShards(_ snapshot: Snapshot, only: Set<Int>? = nil) throws -> (
        table: MemberTable, shards: [[MemberRecord]]
    ) {
        var table = MemberTable()
        var pairMaps: [UInt64: [UInt32]] = [:]
        let links = try storedIn(snapshot)
        var shards = [[MemberRecord]](repeating: [], count: snapshot.parameters.shards)
        for shard in shards.indices where only?.contains(shard) ?? true {
            let source = links[shard] ?? snapshot.seq
            if pairMaps[source] == nil {
                pairMaps[source] = try pairs(ofSeq: source).map { table.pair(consent: $0.consent, license: $0.license) }
            }
            let pairMap = pairMaps[source]!
            try store.database.withStatement("SELECT members FROM snapshot_shards WHERE snapshot = ? AND shard = ?") {
                statement in
                try statement.bind([.integer(Int64(source)), .integer(Int64(shard))])
                guard try statement.step() else {
                    throw RecordsError(
                        .conflict,
                        "snapshot \(snapshot.id) has no stored members for shard \(shard); run assent log verify")
                }
                try statement.withBlob(0) { blob in
                    try MemberTable.decode(blob, shard: shard, pairMap: pairMap, into: &shards[shard])
                }
            }
        }
        return (table, shards)
    }

    /// Shard → the snapshot (log index) whose row holds that shard's member blob, for the shards of
    /// `snapshot` stored by an earlier one.
    func storedIn(_ snapshot: Snapshot) throws -> [Int: UInt64] {
        try store.database.withStatement("SELECT shard, stored_in FROM snapshot_shard_links WHERE snapshot = ?") {
            statement in
            try statement.bind([.integer(Int64(snapshot.seq))])
            var links: [Int: UInt64] = [:]
            while try statement.step() { links[Int(statement.integer(0))] = UInt64(statement.integer(1)) }
            return links
        }
    }

    /// Every snapshot id, oldest first.
    public func all() throws -> [String] {
        try store.database.withStatement("SELECT id FROM snapshots ORDER BY seq") { statement in
            var ids: [String] = []
            while try statement.step() { ids.append(statement.text(0)) }
            return ids
        }
    }

    /// The snapshots that contain `commitment`: its shard is computed, then that shard's sorted
    /// members are binary-searched, so no log scan and no per-sample rows.
    public func snapshots(containing commitment: [UInt8], subject: String?) throws -> [String] {
        var found: [String] = []
        for id in try all() {
            if try !shardsHolding([(commitment, subject)], in: try load(id)).isEmpty { found.append(id) }
        }
        return found
    }

    /// The snapshot's distinct (consent, licence) pairs, which its member records index.
    func pairs(of snapshot: Snapshot) throws -> [(consent: String?, license: String)] {
        try pairs(ofSeq: snapshot.seq)
    }

    /// The (consent, licence) pairs of the snapshot logged at `seq`.
    private func pairs(ofSeq seq: UInt64) throws -> [(consent: String?, license: String)] {
        let bytes = try store.database.withStatement("SELECT pairs FROM snapshots WHERE seq = ?") {
            statement -> [UInt8] in
            try statement.bind([.integer(Int64(seq))])
            _ = try statement.step()
            return statement.blob(0)
        }
        return (try JSONParser.parse(bytes).arrayValue ?? []).map { pair in
            let items = pair.arrayValue ?? []
            return (items.first?.stringValue, items.last?.stringValue ?? "")
        }
    }

    static func binarySearch(blob: UnsafeRawBufferPointer, for commitment: [UInt8]) -> Bool {
        var low = 0
        var high = blob.count / 36
        while low < high {
            let middle = (low + high) / 2
            let candidate = UnsafeRawBufferPointer(rebasing: blob[(middle * 36)..<(middle * 36 + 32)])
            if candidate.elementsEqual(commitment) { return true }
            if candidate.lexicographicallyPrecedes(commitment) { low = middle + 1 } else { high = middle }
        }
        return false
    }
}

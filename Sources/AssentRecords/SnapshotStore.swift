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
    /// - Throws: ``RecordsError`` for a height beyond the log, a bad time or shard count.
    public func create(policy: Policy, at height: UInt64? = nil, asOf: String? = nil, shards: Int = 1) throws
        -> Snapshot
    {
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
            let earlier = try newestBase(policy: policy, parameters: parameters)
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
        return SnapshotContents(members: evaluator.members(of: inputs), shards: parameters.shards)
    }

    private func log(
        contents: SnapshotContents, parameters: SnapshotParameters, policy: Policy, writer: LogWriter, extra: JSONObject
    ) throws -> Snapshot {
        let seq = writer.size
        let snapshot = Snapshot(
            id: Snapshot.id(forSeq: seq), seq: seq, parameters: parameters, policy: policy,
            count: contents.members.count,
            root: contents.root, shardRoots: contents.shardRoots, shardCounts: contents.shardCounts)
        var fields = snapshot.statement
        for member in extra.members { fields[member.key] = member.value }
        let entry = try writer.append(type: "snapshot", fields: fields)
        precondition(entry.seq == seq)
        try save(snapshot, contents: contents, connection: writer.connection)
        return snapshot
    }

    private func save(_ snapshot: Snapshot, contents: SnapshotContents, connection: Database) throws {
        let members = contents.members
        // Consent → licence → pair index: no key string built per member.
        var pairs: [String?: [String: UInt32]] = [:]
        var pairList: [JSONValue] = []
        var pairIndex: [UInt32] = []
        pairIndex.reserveCapacity(members.count)
        var blobs = [[UInt8]](repeating: [], count: snapshot.parameters.shards)
        for shard in blobs.indices { blobs[shard].reserveCapacity(snapshot.shardCounts[shard] * 36) }
        for member in members {
            let index: UInt32
            if let known = pairs[member.consent]?[member.license] {
                index = known
            } else {
                index = UInt32(pairList.count)
                pairs[member.consent, default: [:]][member.license] = index
                pairList.append(.array([member.consent.map(JSONValue.string) ?? .null, .string(member.license)]))
            }
            pairIndex.append(index)
            blobs[member.shard] += member.commitment
            for shift in stride(from: 0, to: 32, by: 8) {
                blobs[member.shard].append(UInt8(truncatingIfNeeded: index >> UInt32(shift)))
            }
        }
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
                .integer(Int64(snapshot.count)), .blob(snapshot.root), .blob(CanonicalJSON.encode(.array(pairList))),
            ])
        for shard in 0..<parameters.shards {
            try connection.run(
                "INSERT INTO snapshot_shards (snapshot, shard, count, root, members) VALUES (?, ?, ?, ?, ?)",
                [
                    .integer(Int64(snapshot.seq)), .integer(Int64(shard)), .integer(Int64(snapshot.shardCounts[shard])),
                    .blob(snapshot.shardRoots[shard]), .blob(blobs[shard]),
                ])
        }
        try saveTiles(
            seq: snapshot.seq, members: members, pairIndex: pairIndex, tileHashes: contents.tileHashes,
            connection: connection)
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
        let pairs = try self.pairs(of: snapshot)
        var members: [SnapshotMember] = []
        members.reserveCapacity(snapshot.count)
        try store.database.withStatement("SELECT shard, members FROM snapshot_shards WHERE snapshot = ? ORDER BY shard")
        { statement in
            try statement.bind([.integer(Int64(snapshot.seq))])
            while try statement.step() {
                let shard = Int(statement.integer(0))
                if let shards, !shards.contains(shard) { continue }
                statement.withBlob(1) { blob in
                    var offset = 0
                    while offset + 36 <= blob.count {
                        let commitment = Array(blob[offset..<offset + 32])
                        let index =
                            Int(blob[offset + 32]) | Int(blob[offset + 33]) << 8 | Int(blob[offset + 34]) << 16 | Int(
                                blob[offset + 35]) << 24
                        members.append(
                            SnapshotMember(
                                commitment: commitment, consent: pairs[index].consent, license: pairs[index].license,
                                shard: shard))
                        offset += 36
                    }
                }
            }
        }
        if sorted && snapshot.parameters.shards > 1 && shards?.count != 1 {
            members.sort { $0.commitment.lexicographicallyPrecedes($1.commitment) }
        }
        return members
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
        let bytes = try store.database.withStatement("SELECT pairs FROM snapshots WHERE seq = ?") {
            statement -> [UInt8] in
            try statement.bind([.integer(Int64(snapshot.seq))])
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

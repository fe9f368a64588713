internal import AssentLog
internal import AssentStorage

/// Snapshots built from an earlier snapshot of the same policy and K: only the samples that entries
/// since could decide otherwise (new samples and sources, revocations, withdrawals, renewals, consents
/// and expiries inside the moved time window) are decided again; every other member is kept as it
/// was. The members and roots equal cutting from scratch (tested against it).
extension SnapshotStore {
    /// The contents for `parameters`, built from `previous` when its parameters lie at or below these
    /// (H, R, T and T′, same K and policy) and it was cut with this build's licence list, else from
    /// scratch.
    func contents(from previous: Snapshot, parameters: SnapshotParameters) throws -> SnapshotContents {
        let old = previous.parameters
        // Decisions are kept only if they were made with the licence list this build elects with.
        let entry = try JSONParser.parse(try store.ledger.entry(previous.seq).bytes).objectValue
        guard parameters.shards == old.shards, parameters.baseHeight >= old.baseHeight,
            parameters.revocationHeight >= old.revocationHeight, parameters.asOf >= old.asOf,
            parameters.evaluatedAt >= old.evaluatedAt, entry?["license_list"]?.stringValue == SPDXLicenseList.version
        else { return try contents(parameters: parameters, policy: previous.policy) }
        let (consents, commitments) = try touched(from: old, to: parameters)
        // Stored members that cannot be read whole are not built on either.
        guard var (table, byShard) = try? storedShards(previous) else {
            return try contents(parameters: parameters, policy: previous.policy)
        }
        let inputs = try SnapshotInputs.fromIndex(
            store, baseHeight: parameters.baseHeight, revocationHeight: parameters.revocationHeight,
            touching: consents, commitments: commitments, loggedFrom: old.baseHeight)
        var changedShards: [Int: Set<CommitmentKey>] = [:]
        var subjectShards: [Int32: Int] = [:]
        for sample in inputs.samples {
            let shard: Int
            if sample.subject >= 0, let known = subjectShards[sample.subject] {
                shard = known
            } else {
                shard = SnapshotEvaluator.shard(
                    subject: sample.subject >= 0 ? inputs.texts[sample.subject] : nil,
                    commitment: sample.commitment.bytes, of: parameters.shards)
                if sample.subject >= 0 { subjectShards[sample.subject] = shard }
            }
            changedShards[shard, default: []].insert(sample.commitment)
        }
        // The stored members are built on only if every shard of them leads to the previous snapshot's
        // logged shard root. Their leaf hashes are kept for the new tree (numbered shard by shard), and
        // the shards left unchanged keep their roots.
        let storedLeaves = SnapshotContents.flatLeafHashes(Array(byShard.joined()), table: table)
        var numbered: UInt32 = 0
        for shard in byShard.indices {
            for index in byShard[shard].indices {
                byShard[shard][index].leaf = numbered
                numbered += 1
            }
        }
        let starts = byShard.reduce(into: [0]) { $0.append($0.last! + $1.count * 32) }
        let storedRoots = Parallel.map(parts: parameters.shards) { shard in
            MerkleHasher().root(ofFlatLeafHashes: Array(storedLeaves[starts[shard]..<starts[shard + 1]]))
        }
        guard storedRoots == previous.shardRoots else {
            return try contents(parameters: parameters, policy: previous.policy)
        }
        for (shard, removed) in changedShards { byShard[shard].removeAll { removed.contains($0.commitment) } }
        var evaluator = SnapshotEvaluator(policy: previous.policy, parameters: parameters)
        for record in evaluator.members(of: inputs, table: &table) { byShard[Int(record.shard)].append(record) }
        for shard in changedShards.keys {
            byShard[shard] = CommitmentSort.sorted(byShard[shard]) { $0.commitment }
        }
        table.records = Self.merge(byShard)
        let unchanged = (0..<parameters.shards).filter { changedShards[$0] == nil }
        var contents = SnapshotContents(
            table: table, shards: parameters.shards, knownLeaves: storedLeaves,
            knownShardRoots: Dictionary(uniqueKeysWithValues: unchanged.map { ($0, previous.shardRoots[$0]) }))
        // The unchanged shards' members are stored already: in the previous snapshot's row, or where
        // its link points.
        let links = try storedIn(previous)
        for shard in unchanged { contents.storedShards[shard] = links[shard] ?? previous.seq }
        return contents
    }

    /// The newest snapshot under `policy` with K = `shards` whose parameters lie at or below
    /// `parameters`, to build from.
    func newestBase(policy: Policy, parameters: SnapshotParameters) throws -> Snapshot? {
        let seq = try store.database.withStatement(
            """
            SELECT seq FROM snapshots WHERE policy_digest = ? AND shards = ? AND base_height <= ?
            AND revocation_height <= ? AND as_of <= ? AND evaluated_at <= ? ORDER BY seq DESC LIMIT 1
            """
        ) { statement -> Int64? in
            try statement.bind([
                .text(policy.digest), .integer(Int64(parameters.shards)), .integer(Int64(parameters.baseHeight)),
                .integer(Int64(parameters.revocationHeight)), .text(parameters.asOf), .text(parameters.evaluatedAt),
            ])
            return try statement.step() ? statement.integer(0) : nil
        }
        return try seq.map { try load(Snapshot.id(forSeq: UInt64($0))) }
    }

    /// Consents and sample commitments whose samples below H₀ could be decided otherwise between the
    /// two parameter sets: consents renewed in [H₀, R), granted in (T₀, T], expiring in (T₀, T′] or
    /// withdrawn (logged in [R₀, R) or taking effect in (T′₀, T′]); samples revoked likewise, and
    /// samples given a further source in [H₀, H). A superset is harmless: those samples are decided
    /// again exactly as from scratch.
    private func touched(from old: SnapshotParameters, to new: SnapshotParameters) throws
        -> (consents: Set<String>, commitments: Set<[UInt8]>)
    {
        let bindings: [SQLValue] = [
            .integer(Int64(old.baseHeight)), .integer(Int64(old.revocationHeight)),
            .integer(Int64(new.baseHeight)), .integer(Int64(new.revocationHeight)),
            .text(old.asOf), .text(new.asOf), .text(old.evaluatedAt), .text(new.evaluatedAt),
        ]
        // ?1 H₀, ?2 R₀, ?3 H, ?4 R, ?5 T₀, ?6 T, ?7 T′₀, ?8 T′.
        var consents: Set<String> = []
        for sql in [
            "SELECT consent FROM consent_renewals WHERE seq < ?4 AND (seq >= ?1 OR (expires_at > ?5 AND expires_at <= ?8))",
            "SELECT consent FROM consents WHERE seq < ?4 AND ((granted_at > ?5 AND granted_at <= ?6) OR (expires_at > ?5 AND expires_at <= ?8))",
            "SELECT consent FROM consent_withdrawals WHERE seq < ?4 AND (seq >= ?2 OR (effective_at > ?7 AND effective_at <= ?8))",
        ] {
            try store.database.withStatement(sql) { statement in
                try statement.bind(bindings)
                while try statement.step() { consents.insert(statement.text(0)) }
            }
        }
        var commitments: Set<[UInt8]> = []
        try store.database.withStatement(
            "SELECT commitment FROM sample_revocations WHERE seq < ?4 AND (seq >= ?2 OR (effective_at > ?7 AND effective_at <= ?8))"
        ) { statement in
            try statement.bind(bindings)
            while try statement.step() { commitments.insert(statement.blob(0)) }
        }
        try store.database.withStatement(
            "SELECT body FROM entries WHERE type = 'sample.source' AND seq >= ?1 AND seq < ?3"
        ) { statement in
            try statement.bind(Array(bindings[0..<3]))
            while try statement.step() {
                let body = try JSONParser.parse(statement.blob(0)).objectValue
                if let commitment = body?["commitment"]?.stringValue.flatMap(RevocationRegistry.parseCommitment) {
                    commitments.insert(commitment)
                }
            }
        }
        return (consents, commitments)
    }

    /// Record lists (each sorted, as shards are) merged into one list sorted by commitment.
    static func merge(_ lists: [[MemberRecord]]) -> [MemberRecord] {
        let nonEmpty = lists.filter { !$0.isEmpty }
        guard nonEmpty.count > 1 else { return nonEmpty.first ?? [] }
        var all: [MemberRecord] = []
        all.reserveCapacity(lists.reduce(0) { $0 + $1.count })
        for list in nonEmpty { all += list }
        return CommitmentSort.sorted(all) { $0.commitment }
    }
}

extension SnapshotInputs {
    /// The inputs of only the samples below H that were logged from `loggedFrom` on, rely on one of
    /// `consents` or are one of `commitments`, with their sources below H, and every consent, renewal,
    /// revocation and withdrawal below R (as ``fromIndex(_:baseHeight:revocationHeight:)`` reads them).
    static func fromIndex(
        _ store: RecordStore, baseHeight: UInt64, revocationHeight: UInt64, touching consents: Set<String>,
        commitments: Set<[UInt8]>, loggedFrom: UInt64
    ) throws -> SnapshotInputs {
        let database = store.database
        var inputs = SnapshotInputs()
        var bySeq: [Int64: Sample] = [:]
        // Samples below H (?1) that meet `condition` on ?2.
        func read(where condition: String, _ value: SQLValue) throws {
            try database.withStatement(
                "SELECT seq, commitment, subject, consent FROM samples WHERE seq < ?1 AND " + condition
            ) { statement in
                try statement.bind([.integer(Int64(baseHeight)), value])
                while try statement.step() {
                    bySeq[statement.integer(0)] = Sample(
                        commitment: try commitment(statement, 1), subject: inputs.text(statement, 2),
                        consent: inputs.text(statement, 3))
                }
            }
        }
        try read(where: "seq >= ?2", .integer(Int64(loggedFrom)))
        for consent in consents.sorted() { try read(where: "consent = ?2", .text(consent)) }
        for commitment in commitments.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            try read(where: "commitment = ?2", .blob(commitment))
        }
        try database.withStatement(
            "SELECT license, opt_out FROM sample_sources WHERE sample = ? AND seq < ? ORDER BY seq"
        ) { statement in
            for seq in bySeq.keys.sorted() {
                try statement.reset()
                try statement.bind([.integer(seq), .integer(Int64(baseHeight))])
                inputs.samples.append(bySeq[seq]!)
                while try statement.step() {
                    inputs.append(
                        Source(license: inputs.text(statement, 0), optOut: inputs.text(statement, 1)),
                        toSampleAt: inputs.samples.count - 1)
                }
            }
        }
        inputs.sortByCommitment()
        try inputs.readConsentsAndRevocations(database, below: revocationHeight)
        return inputs
    }
}

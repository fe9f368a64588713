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
        var byShard = try membersByShard(previous)
        let inputs = try SnapshotInputs.fromIndex(
            store, baseHeight: parameters.baseHeight, revocationHeight: parameters.revocationHeight,
            touching: consents, commitments: commitments, loggedFrom: old.baseHeight)
        var changedShards: [Int: Set<[UInt8]>] = [:]
        for sample in inputs.samples {
            let shard = SnapshotEvaluator.shard(
                subject: sample.subject, commitment: sample.commitment, of: parameters.shards)
            changedShards[shard, default: []].insert(sample.commitment)
        }
        // The stored members are built on only if they lead to the previous snapshot's logged shard
        // roots: the changed shards are hashed as they were here, the others are compared below.
        let hasher = MerkleHasher()
        for shard in changedShards.keys
        where hasher.root(ofFlatLeafHashes: SnapshotContents.flatLeafHashes(byShard[shard]))
            != previous.shardRoots[shard]
        {
            return try contents(parameters: parameters, policy: previous.policy)
        }
        for (shard, removed) in changedShards { byShard[shard].removeAll { removed.contains($0.commitment) } }
        var evaluator = SnapshotEvaluator(policy: previous.policy, parameters: parameters)
        for member in evaluator.members(of: inputs) { byShard[member.shard].append(member) }
        for shard in changedShards.keys {
            byShard[shard].sort { $0.commitment.lexicographicallyPrecedes($1.commitment) }
        }
        let contents = SnapshotContents(members: Self.merge(byShard), shards: parameters.shards)
        for shard in 0..<parameters.shards where changedShards[shard] == nil {
            guard contents.shardRoots[shard] == previous.shardRoots[shard] else {
                return try self.contents(parameters: parameters, policy: previous.policy)
            }
        }
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

    /// A snapshot's members shard by shard, each shard's in commitment order.
    private func membersByShard(_ snapshot: Snapshot) throws -> [[SnapshotMember]] {
        var byShard = [[SnapshotMember]](repeating: [], count: snapshot.parameters.shards)
        for member in try members(snapshot, shards: nil, sorted: false) { byShard[member.shard].append(member) }
        return byShard
    }

    /// Sorted lists merged into one sorted list (by commitment bytes; compared by their first eight
    /// bytes as one big-endian word, then by the rest on a tie).
    static func merge(_ lists: [[SnapshotMember]]) -> [SnapshotMember] {
        var merged: [SnapshotMember] = []
        merged.reserveCapacity(lists.reduce(0) { $0 + $1.count })
        let keys = lists.map { list in
            list.map { member in member.commitment.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        }
        var positions = [Int](repeating: 0, count: lists.count)
        // A binary heap of list numbers, by the commitment at each list's position.
        var heap: [Int] = lists.indices.filter { !lists[$0].isEmpty }
        func precedes(_ a: Int, _ b: Int) -> Bool {
            let (left, right) = (keys[a][positions[a]], keys[b][positions[b]])
            if left != right { return left < right }
            return lists[a][positions[a]].commitment.lexicographicallyPrecedes(lists[b][positions[b]].commitment)
        }
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { return }
                var child = left
                if left + 1 < heap.count && precedes(heap[left + 1], heap[left]) { child = left + 1 }
                guard precedes(heap[child], heap[parent]) else { return }
                heap.swapAt(child, parent)
                parent = child
            }
        }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
        while let top = heap.first {
            merged.append(lists[top][positions[top]])
            positions[top] += 1
            if positions[top] == lists[top].count {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
            }
            siftDown(0)
        }
        return merged
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
        var bySeq: [Int64: Sample] = [:]
        // Samples below H (?1) that meet `condition` on ?2.
        func read(where condition: String, _ value: SQLValue) throws {
            try database.withStatement(
                "SELECT seq, commitment, subject, consent FROM samples WHERE seq < ?1 AND " + condition
            ) { statement in
                try statement.bind([.integer(Int64(baseHeight)), value])
                while try statement.step() {
                    bySeq[statement.integer(0)] = Sample(
                        commitment: statement.blob(1), subject: statement.isNull(2) ? nil : statement.text(2),
                        consent: statement.isNull(3) ? nil : statement.text(3), sources: [])
                }
            }
        }
        try read(where: "seq >= ?2", .integer(Int64(loggedFrom)))
        for consent in consents.sorted() { try read(where: "consent = ?2", .text(consent)) }
        for commitment in commitments.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            try read(where: "commitment = ?2", .blob(commitment))
        }
        var inputs = SnapshotInputs()
        try database.withStatement(
            "SELECT license, opt_out FROM sample_sources WHERE sample = ? AND seq < ? ORDER BY seq"
        ) { statement in
            for seq in bySeq.keys.sorted() {
                try statement.reset()
                try statement.bind([.integer(seq), .integer(Int64(baseHeight))])
                var sample = bySeq[seq]!
                while try statement.step() {
                    sample.sources.append(Source(license: statement.text(0), optOut: statement.text(1)))
                }
                inputs.samples.append(sample)
            }
        }
        inputs.sortByCommitment()
        try inputs.readConsentsAndRevocations(database, below: revocationHeight)
        return inputs
    }
}

internal import AssentLog
internal import AssentStorage

/// Re-cutting a snapshot from its own members: with the same H, as-of time, policy and K, only
/// revocations, withdrawals, renewals and expiries between its evaluation and the new one can change
/// a sample's decision, so only the samples they touch are decided again; every other member is kept
/// as it was. The members and roots equal cutting from scratch (tested against it).
extension SnapshotStore {
    /// The contents of re-cutting `previous` with `parameters`, from its members and the samples that
    /// entries since could change; from scratch when the parameters are not a re-cut of it.
    func recutContents(of previous: Snapshot, parameters: SnapshotParameters) throws -> SnapshotContents {
        let own = previous.parameters
        guard parameters.baseHeight == own.baseHeight, parameters.asOf == own.asOf, parameters.shards == own.shards,
            parameters.revocationHeight >= own.revocationHeight, parameters.evaluatedAt >= own.evaluatedAt
        else { return try contents(parameters: parameters, policy: previous.policy) }
        let (consents, commitments) = try touched(from: own, to: parameters)
        var byShard = try membersByShard(previous)
        if !consents.isEmpty || !commitments.isEmpty {
            let inputs = try SnapshotInputs.fromIndex(
                store, baseHeight: parameters.baseHeight, revocationHeight: parameters.revocationHeight,
                touching: consents, commitments: commitments)
            var changedShards: [Int: Set<[UInt8]>] = [:]
            for sample in inputs.samples {
                let shard = SnapshotEvaluator.shard(
                    subject: sample.subject, commitment: sample.commitment, of: parameters.shards)
                changedShards[shard, default: []].insert(sample.commitment)
            }
            for (shard, removed) in changedShards { byShard[shard].removeAll { removed.contains($0.commitment) } }
            var evaluator = SnapshotEvaluator(policy: previous.policy, parameters: parameters)
            for member in evaluator.members(of: inputs) { byShard[member.shard].append(member) }
            for shard in changedShards.keys {
                byShard[shard].sort { $0.commitment.lexicographicallyPrecedes($1.commitment) }
            }
        }
        return SnapshotContents(members: Self.merge(byShard), shards: parameters.shards)
    }

    /// Consents and sample commitments that entries logged in [R₀, R) or taking effect in (T′₀, T′]
    /// could make decide otherwise: renewed consents, consents whose grant or renewal expires in the
    /// window, withdrawn consents, revoked samples. A superset is harmless: those samples are decided
    /// again exactly as from scratch.
    private func touched(from old: SnapshotParameters, to new: SnapshotParameters) throws
        -> (consents: Set<String>, commitments: Set<[UInt8]>)
    {
        let window: [SQLValue] = [
            .integer(Int64(old.revocationHeight)), .integer(Int64(new.revocationHeight)), .text(old.evaluatedAt),
            .text(new.evaluatedAt),
        ]
        func condition(_ column: String) -> String {
            "seq < ?2 AND (seq >= ?1 OR (\(column) > ?3 AND \(column) <= ?4))"
        }
        var consents: Set<String> = []
        for sql in [
            "SELECT consent FROM consent_renewals WHERE " + condition("expires_at"),
            "SELECT consent FROM consents WHERE seq < ?2 AND expires_at > ?3 AND expires_at <= ?4",
            "SELECT consent FROM consent_withdrawals WHERE " + condition("effective_at"),
        ] {
            try store.database.withStatement(sql) { statement in
                try statement.bind(window)
                while try statement.step() { consents.insert(statement.text(0)) }
            }
        }
        var commitments: Set<[UInt8]> = []
        try store.database.withStatement("SELECT commitment FROM sample_revocations WHERE " + condition("effective_at"))
        {
            statement in
            try statement.bind(window)
            while try statement.step() { commitments.insert(statement.blob(0)) }
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
    /// The inputs of only the samples below H that rely on one of `consents` or are one of
    /// `commitments`, with their sources below H, and every consent, renewal, revocation and withdrawal
    /// below R (as ``fromIndex(_:baseHeight:revocationHeight:)`` reads them).
    static func fromIndex(
        _ store: RecordStore, baseHeight: UInt64, revocationHeight: UInt64, touching consents: Set<String>,
        commitments: Set<[UInt8]>
    ) throws -> SnapshotInputs {
        let database = store.database
        var bySeq: [Int64: Sample] = [:]
        func read(_ sql: String, _ key: SQLValue) throws {
            try database.withStatement(sql) { statement in
                try statement.bind([key, .integer(Int64(baseHeight))])
                while try statement.step() {
                    bySeq[statement.integer(0)] = Sample(
                        commitment: statement.blob(1), subject: statement.isNull(2) ? nil : statement.text(2),
                        consent: statement.isNull(3) ? nil : statement.text(3), sources: [])
                }
            }
        }
        for consent in consents.sorted() {
            try read(
                "SELECT seq, commitment, subject, consent FROM samples WHERE consent = ? AND seq < ?", .text(consent))
        }
        for commitment in commitments.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            try read(
                "SELECT seq, commitment, subject, consent FROM samples WHERE commitment = ? AND seq < ?",
                .blob(commitment))
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

internal import AssentLog
internal import AssentStorage

extension SnapshotStore {
    /// Whether re-cutting `snapshot` with revocations up to `revocationHeight` and the clock at
    /// `evaluatedAt` could give other members than it has.
    ///
    /// Later entries and a later clock can only exclude members, except a renewal, which can re-admit a
    /// sample whose consent had expired. So the answer is true when a renewal was logged since the
    /// snapshot or expires in (its evaluation time, `evaluatedAt`], or when an expiry, withdrawal or
    /// revocation that was not in effect then is now and touches a member (a member's consent, or the
    /// member itself). False means the re-cut equals the snapshot, found without reading its samples.
    ///
    /// - Parameter handledFrom: the log index of a model trained on the snapshot. Withdrawals and
    ///   revocations logged after it whose own transaction checked every model then registered
    ///   (``RevocationRegistry/noteModelsChecked(revocation:writer:)``) are skipped: had they touched a
    ///   member, that model would already be stale. Any other revocation is still checked.
    public func mayDiffer(
        _ snapshot: Snapshot, revocationHeight: UInt64, evaluatedAt: String, handledFrom: UInt64? = nil
    ) throws -> Bool {
        let own = snapshot.parameters
        guard revocationHeight >= own.revocationHeight, evaluatedAt >= own.evaluatedAt else { return true }
        let database = store.database
        let renewed = try database.withStatement(
            "SELECT EXISTS (SELECT 1 FROM consent_renewals WHERE seq >= ?1 OR (expires_at > ?2 AND expires_at <= ?3))"
        ) { statement in
            try statement.bind([.integer(Int64(own.revocationHeight)), .text(own.evaluatedAt), .text(evaluatedAt)])
            return try statement.step() && statement.integer(0) != 0
        }
        if renewed { return true }

        // Rows that take effect between the two evaluations, or that were logged since the snapshot and
        // are in effect now, and whose own transaction did not already check the model.
        func pending(_ table: String) -> String {
            """
            \(table).effective_at <= ?3 AND (\(table).seq >= ?1 OR \(table).effective_at > ?2)
            AND NOT (\(table).seq > ?4 AND \(table).seq IN (SELECT seq FROM revocation_checks))
            """
        }
        let window: [SQLValue] = [
            .integer(Int64(own.revocationHeight)), .text(own.evaluatedAt), .text(evaluatedAt),
            .integer(handledFrom.map { Int64($0) } ?? Int64.max),
        ]
        let memberConsents = Set(try pairs(of: snapshot).compactMap(\.consent))
        if !memberConsents.isEmpty {
            let queries: [(sql: String, bindings: [SQLValue])] = [
                ("SELECT consent FROM consents WHERE expires_at > ?1 AND expires_at <= ?2", Array(window[1...2])),
                ("SELECT consent FROM consent_withdrawals w WHERE " + pending("w"), window),
            ]
            for query in queries {
                let touched = try database.withStatement(query.sql) { statement in
                    try statement.bind(query.bindings)
                    while try statement.step() {
                        if memberConsents.contains(statement.text(0)) { return true }
                    }
                    return false
                }
                if touched { return true }
            }
        }

        var revoked: [(commitment: [UInt8], subject: String?)] = []
        try database.withStatement(
            """
            SELECT r.commitment, s.subject FROM sample_revocations r LEFT JOIN samples s ON s.commitment = r.commitment
            WHERE \(pending("r"))
            """
        ) { statement in
            try statement.bind(window)
            while try statement.step() {
                revoked.append((statement.blob(0), statement.isNull(1) ? nil : statement.text(1)))
            }
        }
        return try !revoked.isEmpty && !shardsHolding(revoked, in: snapshot).isEmpty
    }
}

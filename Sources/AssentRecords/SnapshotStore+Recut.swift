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
    public func mayDiffer(_ snapshot: Snapshot, revocationHeight: UInt64, evaluatedAt: String) throws -> Bool {
        let own = snapshot.parameters
        guard revocationHeight >= own.revocationHeight, evaluatedAt >= own.evaluatedAt else { return true }
        let window: [SQLValue] = [.integer(Int64(own.revocationHeight)), .text(own.evaluatedAt), .text(evaluatedAt)]
        let database = store.database
        let renewed = try database.withStatement(
            "SELECT EXISTS (SELECT 1 FROM consent_renewals WHERE seq >= ?1 OR (expires_at > ?2 AND expires_at <= ?3))"
        ) { statement in
            try statement.bind(window)
            return try statement.step() && statement.integer(0) != 0
        }
        if renewed { return true }

        let memberConsents = Set(try pairs(of: snapshot).compactMap(\.consent))
        let consentQueries: [(sql: String, bindings: [SQLValue])] = [
            ("SELECT consent FROM consents WHERE expires_at > ?1 AND expires_at <= ?2", Array(window[1...])),
            (
                "SELECT consent FROM consent_withdrawals WHERE effective_at <= ?3 AND (seq >= ?1 OR effective_at > ?2)",
                window
            ),
        ]
        for query in consentQueries where !memberConsents.isEmpty {
            let touched = try database.withStatement(query.sql) { statement in
                try statement.bind(query.bindings)
                while try statement.step() {
                    if memberConsents.contains(statement.text(0)) { return true }
                }
                return false
            }
            if touched { return true }
        }

        var revoked: [(commitment: [UInt8], subject: String?)] = []
        try database.withStatement(
            """
            SELECT r.commitment, s.subject FROM sample_revocations r LEFT JOIN samples s ON s.commitment = r.commitment
            WHERE r.effective_at <= ?3 AND (r.seq >= ?1 OR r.effective_at > ?2)
            """
        ) { statement in
            try statement.bind(window)
            while try statement.step() {
                revoked.append((statement.blob(0), statement.isNull(1) ? nil : statement.text(1)))
            }
        }
        for sample in revoked where try contains(snapshot, commitment: sample.commitment, subject: sample.subject) {
            return true
        }
        return false
    }
}

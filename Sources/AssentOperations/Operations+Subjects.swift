internal import AssentEngine
public import AssentLog
public import AssentRecords

extension Operations {
    /// Withdraws every consent of the subject whose receipt carried `token`, exactly as `assent revoke
    /// --subject` does (stale marking in the same transaction, then the sweep).
    /// - Returns: the revocation, or nil when the vault holds no such token (nothing is written then).
    public func withdraw(token: String) throws -> RevocationOutcome? {
        guard let pseudonym = try WithdrawTokens(store: store).pseudonym(of: token) else { return nil }
        return try revoke(.subject(pseudonym), reason: "withdrawn")
    }

    /// For the subject whose receipt carried `token`: each current model with, for each of the
    /// subject's samples, the membership or non-membership proof of its commitment in the model's
    /// snapshot, which the subject checks with the nonces of the receipt. Nothing is written but proof
    /// tiles a snapshot was missing.
    /// - Returns: the proofs, or nil when the vault holds no such token.
    public func subjectProofs(token: String) throws -> JSONObject? {
        let tokens = try WithdrawTokens(store: store)
        guard let pseudonym = try tokens.pseudonym(of: token) else { return nil }
        let commitments = try tokens.samples(ofPseudonym: pseudonym)
        let snapshots = SnapshotStore(store: store)
        var models: [JSONValue] = []
        for model in try engine.models() where !model.isStale {
            let snapshot = try snapshots.load(model.snapshot)
            let proofs = try commitments.map { commitment in
                JSONValue.object(
                    JSONObject([
                        ("commitment", .string("sha256:" + Hex.encode(commitment))),
                        ("proof", .object(try snapshots.prove(snapshot, commitment: commitment))),
                    ]))
            }
            models.append(
                .object(
                    JSONObject([
                        ("model", .string(model.id)), ("snapshot", .string(snapshot.id)),
                        ("snapshot_root", .string("sha256:" + Hex.encode(snapshot.root))),
                        ("members", .integer(Int64(snapshot.count))), ("samples", .array(proofs)),
                    ])))
        }
        return JSONObject([
            ("pseudonym", .string(pseudonym)), ("checkpoint", .string(try ledger.latestCheckpoint().note)),
            ("models", .array(models)),
        ])
    }
}

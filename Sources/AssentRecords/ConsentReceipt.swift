public import AssentLog
internal import AssentStorage

extension ConsentRegistry {
    /// A receipt for a data subject: their pseudonym, their consents, and every sample of theirs with its
    /// commitment and nonce, so they can check membership proofs themselves later.
    ///
    /// It holds the nonces, which open the commitments, and a new `withdraw_token` (its digest goes to the
    /// vault) with which the subject alone can withdraw every consent through the server: hand it to the
    /// subject only.
    /// - Throws: ``RecordsError`` `notFound` when the vault does not know the subject.
    public func receipt(subject: String) throws -> JSONObject {
        guard let pseudonym = try store.pseudonym(ofSubject: subject) else {
            throw RecordsError(.notFound, "the vault knows no subject \"\(subject)\"")
        }
        let consents = try list(subject: subject)
        let samples = try store.database.withStatement(
            """
            SELECT s.commitment, s.seq, s.consent, v.nonce FROM samples s
            LEFT JOIN vault_content v ON v.sample = s.seq WHERE s.subject = ? ORDER BY s.seq
            """
        ) { statement -> [JSONValue] in
            try statement.bind([.text(pseudonym)])
            var rows: [JSONValue] = []
            while try statement.step() {
                rows.append(
                    .object(
                        JSONObject([
                            ("commitment", .string("sha256:" + Hex.encode(statement.blob(0)))),
                            ("seq", .integer(statement.integer(1))),
                            ("consent", statement.isNull(2) ? .null : .string(statement.text(2))),
                            ("nonce", statement.isNull(3) ? .null : .string(Hex.encode(statement.blob(3)))),
                        ])))
            }
            return rows
        }
        let checkpoint = try store.ledger.latestCheckpoint()
        let tokens = try WithdrawTokens(store: store)
        let withdrawToken = try store.database.writeTransaction { try tokens.issue(pseudonym: pseudonym) }
        return JSONObject([
            ("receipt", .string("assent.consent-receipt/v1")), ("subject", .string(subject)),
            ("pseudonym", .string(pseudonym)),
            ("ledger", .string(store.ledger.origin)), ("log_key", .string(store.ledger.verifier.keyString)),
            ("consents", .array(consents.map { .object($0.json) })), ("samples", .array(samples)),
            ("checkpoint", .string(checkpoint.note)),
            ("commitment_rule", .string("commitment = SHA-256(nonce || content), nonce in hex")),
            ("withdraw_token", .string(withdrawToken)),
        ])
    }
}

internal import Foundation
internal import AssentCrypto
public import AssentLog
internal import AssentStorage

/// What a revocation targets.
public enum RevocationTarget: Sendable, Equatable {
    /// Every sample relying on this consent; the consent itself is withdrawn.
    case consent(String)
    /// Every sample of this subject (a real id, or the pseudonym `subj-…`).
    case subject(String)
    /// These samples (commitments, with or without `sha256:`).
    case samples([String])
    /// Every sample recorded from this source (dataset name).
    case source(String)
}

/// What a revocation did.
public struct RevocationResult: Sendable {
    /// The revocation id, or nil when nothing new had to be logged.
    public let id: String?
    /// The log entries written (a large revocation spans several).
    public let entries: [UInt64]
    /// Samples newly revoked.
    public let affected: [[UInt8]]
    /// Samples the target covers that an earlier revocation had already revoked.
    public let alreadyRevoked: Int
}

/// Logs revocations: the one way consent ends early. Nothing is ever deleted from the log.
public struct RevocationRegistry {
    /// Reason codes, after W3C DPV consent states and the licence/opt-out cases.
    public static let reasons = ["withdrawn", "revoked", "invalidated", "license-revoked", "opt-out-observed"]
    /// Commitments per revocation entry, so an entry stays well under 64 KiB.
    static let commitmentsPerEntry = 600

    /// The store the revocations go to.
    public let store: RecordStore

    /// A registry over `store`.
    public init(store: RecordStore) { self.store = store }

    /// Parses a sample id: 64 hex digits, with or without `sha256:`.
    public static func parseCommitment(_ text: String) -> [UInt8]? {
        let hex = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
        guard hex.count == 64, let bytes = Hex.decode(hex) else { return nil }
        return bytes
    }

    /// Revokes `target` with `reason`, taking effect at `effective` (default: now).
    ///
    /// Idempotent: samples already revoked are not revoked again, and when nothing is new nothing is
    /// logged. `inTransaction` runs inside the same write transaction with the newly affected samples
    /// (the engine uses it to mark dependent models stale).
    /// - Throws: ``RecordsError`` `notFound` for a target that does not exist, `invalidInput` for a bad
    ///   reason or time; nothing is logged then.
    @discardableResult
    public func revoke(
        _ target: RevocationTarget, reason: String = "withdrawn", effective: String? = nil,
        inTransaction: ((LogWriter, [[UInt8]], String) throws -> Void)? = nil
    ) throws -> RevocationResult {
        guard Self.reasons.contains(reason) else {
            throw RecordsError(
                .invalidInput, "reason \"\(reason)\" is not one of \(Self.reasons.joined(separator: ", "))")
        }
        if let effective, UTCTime.parse(effective) == nil {
            throw RecordsError(
                .invalidInput, "effective: expected a UTC time like 2026-01-01T00:00:00Z, not \"\(effective)\"")
        }
        return try store.ledger.write { writer in
            let effectiveAt = effective ?? writer.timestamp
            let (kind, targetFields, samples, consentsToWithdraw) = try resolve(target)
            let alreadyRevoked = try samples.filter { try isRevoked($0) }
            let affected = samples.filter { sample in !alreadyRevoked.contains(sample) }
            let newlyWithdrawn = try consentsToWithdraw.filter { try !isWithdrawn(consent: $0) }
            guard !affected.isEmpty || !newlyWithdrawn.isEmpty else {
                return RevocationResult(id: nil, entries: [], affected: [], alreadyRevoked: alreadyRevoked.count)
            }
            let id = "rev-" + Hex.encode(SecureRandom.bytes(count: 8))
            var seqs: [UInt64] = []
            let parts = max(1, (affected.count + Self.commitmentsPerEntry - 1) / Self.commitmentsPerEntry)
            for part in 0..<parts {
                let slice = affected.dropFirst(part * Self.commitmentsPerEntry).prefix(Self.commitmentsPerEntry)
                let entry = try writer.append(
                    type: "revocation",
                    fields: JSONObject([
                        ("revocation", .string(id)), ("target", .object(targetFields)), ("reason", .string(reason)),
                        ("effective_at", .string(effectiveAt)), ("part", .integer(Int64(part + 1))),
                        ("parts", .integer(Int64(parts))),
                        ("samples", .array(slice.map { .string("sha256:" + Hex.encode($0)) })),
                    ]))
                seqs.append(entry.seq)
                for commitment in slice {
                    try writer.connection.run(
                        "INSERT INTO sample_revocations (commitment, seq, effective_at) VALUES (?, ?, ?)",
                        [.blob(commitment), .integer(Int64(entry.seq)), .text(effectiveAt)])
                }
            }
            try writer.connection.run(
                "INSERT INTO revocations (seq, revocation, kind, target, reason, effective_at) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    .integer(Int64(seqs[0])), .text(id), .text(kind),
                    .text(String(decoding: CanonicalJSON.encode(.object(targetFields)), as: UTF8.self)),
                    .text(reason), .text(effectiveAt),
                ])
            for consent in newlyWithdrawn {
                try writer.connection.run(
                    "INSERT INTO consent_withdrawals (consent, seq, effective_at) VALUES (?, ?, ?)",
                    [.text(consent), .integer(Int64(seqs[0])), .text(effectiveAt)])
            }
            try inTransaction?(writer, affected, id)
            return RevocationResult(id: id, entries: seqs, affected: affected, alreadyRevoked: alreadyRevoked.count)
        }
    }

    /// Notes, inside revocation `id`'s own transaction and before anything else is appended, that every
    /// model registered so far was checked against its affected samples there (the engine's stale
    /// marking does this), so the sweep need not check those models against it again.
    public func noteModelsChecked(revocation id: String, writer: LogWriter) throws {
        guard
            let first = try writer.connection.scalarInteger(
                "SELECT seq FROM revocations WHERE revocation = ?", [.text(id)])
        else { throw RecordsError(.notFound, "no revocation \(id) in this transaction") }
        for seq in UInt64(first)..<writer.size {
            try writer.connection.run(
                "INSERT OR IGNORE INTO revocation_checks (seq) VALUES (?)", [.integer(Int64(seq))])
        }
    }

    /// Whether any revocation covers this sample.
    func isRevoked(_ commitment: [UInt8]) throws -> Bool {
        try store.database.scalarInteger(
            "SELECT count(*) FROM sample_revocations WHERE commitment = ?", [.blob(commitment)]) ?? 0 > 0
    }

    /// Whether a revocation has withdrawn this consent.
    public func isWithdrawn(consent: String) throws -> Bool {
        try store.database.scalarInteger("SELECT count(*) FROM consent_withdrawals WHERE consent = ?", [.text(consent)])
            ?? 0 > 0
    }

    /// The target's kind, its log fields, the samples it covers and the consents it withdraws.
    private func resolve(_ target: RevocationTarget) throws -> (String, JSONObject, [[UInt8]], [String]) {
        switch target {
        case .consent(let consent):
            guard try ConsentRegistry(store: store).lookup(consent) != nil else {
                throw RecordsError(.notFound, "no consent \(consent) (see assent consent list)")
            }
            let samples = try commitments(
                "SELECT commitment FROM samples WHERE consent = ? ORDER BY commitment", .text(consent))
            return (
                "consent", JSONObject([("kind", .string("consent")), ("consent", .string(consent))]), samples, [consent]
            )
        case .subject(let subject):
            let pseudonym = subject.hasPrefix("subj-") ? subject : try store.pseudonym(ofSubject: subject)
            guard let pseudonym,
                try store.database.scalarInteger("SELECT count(*) FROM consents WHERE subject = ?", [.text(pseudonym)])!
                    > 0
                    || store.database.scalarInteger(
                        "SELECT count(*) FROM samples WHERE subject = ?", [.text(pseudonym)])! > 0
            else { throw RecordsError(.notFound, "no subject \(subject) in the ledger") }
            let samples = try commitments(
                "SELECT commitment FROM samples WHERE subject = ? ORDER BY commitment", .text(pseudonym))
            let consents = try store.database.withStatement(
                "SELECT consent FROM consents WHERE subject = ? ORDER BY seq"
            ) { statement in
                try statement.bind([.text(pseudonym)])
                var ids: [String] = []
                while try statement.step() { ids.append(statement.text(0)) }
                return ids
            }
            let fields = JSONObject([
                ("kind", .string("subject")), ("subject", .string(pseudonym)),
                ("consents", .array(consents.map(JSONValue.string))),
            ])
            return ("subject", fields, samples, consents)
        case .samples(let texts):
            guard !texts.isEmpty else { throw RecordsError(.invalidInput, "no samples given") }
            var samples: [[UInt8]] = []
            for text in texts {
                guard let commitment = Self.parseCommitment(text) else {
                    throw RecordsError(.invalidInput, "\"\(text)\" is not a sample id (sha256:<64 hex digits>)")
                }
                guard
                    try store.database.scalarInteger(
                        "SELECT count(*) FROM samples WHERE commitment = ?", [.blob(commitment)])! > 0
                else {
                    throw RecordsError(.notFound, "no sample sha256:\(Hex.encode(commitment)) in the ledger")
                }
                if !samples.contains(commitment) { samples.append(commitment) }
            }
            samples.sort { $0.lexicographicallyPrecedes($1) }
            return (
                "samples", JSONObject([("kind", .string("samples")), ("count", .integer(Int64(samples.count)))]),
                samples, []
            )
        case .source(let source):
            let samples = try commitments(
                "SELECT DISTINCT s.commitment FROM sample_sources ss JOIN samples s ON s.seq = ss.sample WHERE ss.source = ? ORDER BY s.commitment",
                .text(source))
            guard !samples.isEmpty else { throw RecordsError(.notFound, "no samples from source \"\(source)\"") }
            return ("source", JSONObject([("kind", .string("source")), ("source", .string(source))]), samples, [])
        }
    }

    private func commitments(_ sql: String, _ argument: SQLValue) throws -> [[UInt8]] {
        try store.database.withStatement(sql) { statement in
            try statement.bind([argument])
            var result: [[UInt8]] = []
            while try statement.step() { result.append(statement.blob(0)) }
            return result
        }
    }
}

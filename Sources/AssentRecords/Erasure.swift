internal import Foundation
internal import AssentCrypto
internal import AssentLog
internal import AssentStorage

/// What an erasure removed.
public struct ErasureResult: Sendable {
    /// Samples whose content, nonce and attribution were deleted from the vault.
    public let samples: [[UInt8]]
    /// Whether the subject's real id was deleted (the pseudonym can no longer be linked to a person).
    public let identityErased: Bool
    /// The erasure entry, or nil when there was nothing left to erase.
    public let seq: UInt64?
}

/// Erases revoked samples from the vault (GDPR Art. 17): content, nonce, attribution, source URL and,
/// for a subject, the link from pseudonym to real id. The log is untouched and stays verifiable; the
/// commitments just can no longer be opened. A keyed tombstone of each plain content digest remains, so
/// the same content is refused at ingest unless a new consent is given.
public struct EraseRegistry {
    /// The store to erase from.
    public let store: RecordStore

    /// An eraser over `store`.
    public init(store: RecordStore) { self.store = store }

    /// Erases the samples `target` covers; every one must have been revoked first.
    /// - Throws: ``RecordsError`` when a sample is not revoked or the target does not exist.
    public func erase(_ target: RevocationTarget) throws -> ErasureResult {
        let key = try store.vaultKey()
        let result: ErasureResult = try store.ledger.write { writer in
            let connection = writer.connection
            if !connection.isPostgres { try connection.execute("PRAGMA secure_delete = ON") }
            let (samples, pseudonym) = try resolve(target)
            for commitment in samples {
                guard try RevocationRegistry(store: store).isRevoked(commitment) else {
                    throw RecordsError(
                        .invalidInput,
                        "sample sha256:\(Hex.encode(commitment)) is not revoked; revoke it before erasing")
                }
            }
            var erased: [[UInt8]] = []
            for commitment in samples {
                let row = try connection.withStatement(
                    "SELECT v.digest, v.file, v.sample FROM vault_content v JOIN samples s ON s.seq = v.sample WHERE s.commitment = ?"
                ) { statement -> ([UInt8], String?, Int64)? in
                    try statement.bind([.blob(commitment)])
                    guard try statement.step() else { return nil }
                    return (statement.blob(0), statement.isNull(1) ? nil : statement.text(1), statement.integer(2))
                }
                guard let (digest, file, sampleSeq) = row else { continue }
                try connection.run(
                    "INSERT OR IGNORE INTO vault_tombstones (keyed_digest, seq) VALUES (?, ?)",
                    [.blob(HMACSHA256.authenticationCode(for: digest, key: key)), .integer(Int64(writer.size))])
                try connection.run("DELETE FROM vault_content WHERE sample = ?", [.integer(sampleSeq)])
                try connection.run("DELETE FROM vault_sources WHERE sample = ?", [.integer(sampleSeq)])
                // The metadata digest covers the attribution and source URL unkeyed: blank it with them.
                try connection.run(
                    "UPDATE sample_sources SET metadata = ? WHERE sample = ?",
                    [.blob([UInt8](repeating: 0, count: 32)), .integer(sampleSeq)])
                if let file {
                    try? FileManager.default.removeItem(at: store.ledger.paths.folder.appendingPathComponent(file))
                }
                erased.append(commitment)
            }
            let evidence = try eraseEvidence(of: target, pseudonym: pseudonym, connection: connection)
            var identityErased = false
            if let pseudonym,
                try connection.scalarInteger(
                    "SELECT count(*) FROM vault_subjects WHERE pseudonym = ?", [.text(pseudonym)])! > 0
            {
                try connection.run("DELETE FROM vault_subjects WHERE pseudonym = ?", [.text(pseudonym)])
                try WithdrawTokens.erase(pseudonym: pseudonym, in: connection)
                identityErased = true
            }
            guard !erased.isEmpty || identityErased || evidence > 0 else {
                return ErasureResult(samples: [], identityErased: false, seq: nil)
            }
            let entry = try writer.append(
                type: "erasure",
                fields: JSONObject([
                    ("samples", .array(erased.map { .string("sha256:" + Hex.encode($0)) })),
                    ("subject", pseudonym.map(JSONValue.string) ?? .null), ("identity_erased", .bool(identityErased)),
                    (
                        "method",
                        .string("vault rows deleted with secure_delete; WAL checkpointed; keyed tombstone kept")
                    ),
                ]))
            return ErasureResult(samples: erased, identityErased: identityErased, seq: entry.seq)
        }
        if store.database.isPostgres {
            // Rewrites the vault tables (and their TOAST tables) without the deleted rows, so the bytes
            // leave the live database files; WAL archives, backups and replicas keep them until they expire.
            var tables = [
                "vault_content", "vault_sources", "vault_subjects", "vault_evidence", "vault_consent_evidence",
            ]
            // Made on the first receipt with a withdraw token; the erased subject's row is gone from it too.
            if try store.database.tableExists("vault_withdraw_tokens") { tables.append("vault_withdraw_tokens") }
            try store.database.execute("VACUUM FULL " + tables.joined(separator: ", "))
        } else {
            try store.database.execute("PRAGMA secure_delete = ON")
            try store.ledger.checkpointWriteAheadLog()
        }
        return result
    }

    /// Deletes the consent evidence (forms that name the person) of the subject's consents, or of the
    /// one consent erased: salted rows, and the plain-digest rows of ledgers from before salting.
    /// - Returns: how many evidence rows were deleted.
    private func eraseEvidence(of target: RevocationTarget, pseudonym: String?, connection: Database) throws -> Int {
        var consents: [String] = []
        if case .consent(let consent) = target { consents = [consent] }
        if let pseudonym {
            consents = try connection.withStatement("SELECT consent FROM consents WHERE subject = ?") { statement in
                try statement.bind([.text(pseudonym)])
                var rows: [String] = []
                while try statement.step() { rows.append(statement.text(0)) }
                return rows
            }
        }
        var deleted = 0
        for consent in consents {
            try connection.run("DELETE FROM vault_consent_evidence WHERE consent = ?", [.text(consent)])
            deleted += connection.changes
            var entries: [Int64] = []
            try connection.withStatement(
                "SELECT seq FROM consents WHERE consent = ? UNION SELECT seq FROM consent_renewals WHERE consent = ?"
            ) { statement in
                try statement.bind([.text(consent), .text(consent)])
                while try statement.step() { entries.append(statement.integer(0)) }
            }
            for seq in entries {
                let object = try JSONParser.parse(try store.ledger.entry(UInt64(seq)).bytes).objectValue
                guard let text = object?["evidence"]?.stringValue, text.hasPrefix("sha256:"),
                    let digest = Hex.decode(String(text.dropFirst(7)))
                else { continue }
                try connection.run("DELETE FROM vault_evidence WHERE digest = ?", [.blob(digest)])
                deleted += connection.changes
            }
        }
        return deleted
    }

    private func resolve(_ target: RevocationTarget) throws -> ([[UInt8]], String?) {
        switch target {
        case .subject(let subject):
            let pseudonym = subject.hasPrefix("subj-") ? subject : try store.pseudonym(ofSubject: subject)
            guard let pseudonym else { throw RecordsError(.notFound, "the vault knows no subject \(subject)") }
            let samples = try store.database.withStatement("SELECT commitment FROM samples WHERE subject = ?") {
                statement in
                try statement.bind([.text(pseudonym)])
                var rows: [[UInt8]] = []
                while try statement.step() { rows.append(statement.blob(0)) }
                return rows
            }
            return (samples, pseudonym)
        case .samples(let texts):
            return (
                try texts.map { text in
                    guard let commitment = RevocationRegistry.parseCommitment(text) else {
                        throw RecordsError(.invalidInput, "\"\(text)\" is not a sample id (sha256:<64 hex digits>)")
                    }
                    return commitment
                }, nil
            )
        case .consent(let consent):
            let samples = try store.database.withStatement("SELECT commitment FROM samples WHERE consent = ?") {
                statement in
                try statement.bind([.text(consent)])
                var rows: [[UInt8]] = []
                while try statement.step() { rows.append(statement.blob(0)) }
                return rows
            }
            guard !samples.isEmpty else { throw RecordsError(.notFound, "no samples rely on consent \(consent)") }
            return (samples, nil)
        case .source:
            throw RecordsError(.invalidInput, "erase by subject, consent or samples")
        }
    }
}

extension RecordStore {
    /// The key that makes tombstones keyed (HMAC-SHA256 of the plain digest), created on first use, mode 0600.
    func vaultKey() throws -> [UInt8] {
        if let vaultKeyCache { return vaultKeyCache }
        let key = try readOrCreateVaultKey()
        vaultKeyCache = key
        return key
    }

    private func readOrCreateVaultKey() throws -> [UInt8] {
        let url = ledger.paths.vaultKey
        if FileManager.default.fileExists(atPath: url.path) {
            let text = try KeyFiles.readPrivate(url)
            guard let key = Hex.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), key.count == 32
            else {
                throw RecordsError(.invalidInput, "\(url.path) is not a 32-byte hex key")
            }
            return key
        }
        let key = SecureRandom.bytes(count: 32)
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw RecordsError(.invalidInput, "cannot create \(url.path)") }
        defer { close(descriptor) }
        let text = Array((Hex.encode(key) + "\n").utf8)
        guard write(descriptor, text, text.count) == text.count else {
            throw RecordsError(.invalidInput, "cannot write \(url.path)")
        }
        return key
    }

    /// The log index of the erasure that tombstoned this plain digest, if any.
    func tombstone(digest: [UInt8]) throws -> UInt64? {
        // The usual case, a ledger that never erased: nothing to find, and no key file to read per sample.
        guard try hasTombstones() else { return nil }
        let url = ledger.paths.vaultKey
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let keyed = HMACSHA256.authenticationCode(for: digest, key: try vaultKey())
        return try database.scalarInteger("SELECT seq FROM vault_tombstones WHERE keyed_digest = ?", [.blob(keyed)])
            .map(UInt64.init)
    }

    /// Whether anything was ever erased (a tombstone exists).
    func hasTombstones() throws -> Bool {
        try database.scalarInteger("SELECT EXISTS (SELECT 1 FROM vault_tombstones)") == 1
    }
}

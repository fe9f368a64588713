internal import Foundation
internal import AssentCrypto
internal import AssentLog
internal import AssentStorage

/// A sample the ledger already holds, found by its plain content digest.
struct ExistingSample {
    let commitment: [UInt8]
    let seq: UInt64
    let subject: String?
    let consent: String?
}

/// What recording one sample did.
enum RecordOutcome {
    case added, addedSource, unchanged
}

extension RecordStore {
    /// The sample with this plain content digest, if the vault holds one.
    func existingSample(digest: [UInt8]) throws -> ExistingSample? {
        try existingSamples(digests: [digest])[digest]
    }

    /// The samples the vault holds for any of `digests`, by digest, in one query per few hundred digests.
    func existingSamples(digests: [[UInt8]]) throws -> [[UInt8]: ExistingSample] {
        var found: [[UInt8]: ExistingSample] = [:]
        try forEachRow(
            "SELECT v.digest, s.commitment, s.seq, s.subject, s.consent FROM vault_content v JOIN samples s ON s.seq = v.sample WHERE v.digest",
            in: digests.map(SQLValue.blob)
        ) { statement in
            found[statement.blob(0)] = ExistingSample(
                commitment: statement.blob(1), seq: UInt64(statement.integer(2)),
                subject: statement.isNull(3) ? nil : statement.text(3),
                consent: statement.isNull(4) ? nil : statement.text(4))
        }
        return found
    }

    /// The pseudonyms the vault holds for any of `subjects`, by subject, in one query per few hundred.
    func pseudonyms(ofSubjects subjects: [String]) throws -> [String: String] {
        var found: [String: String] = [:]
        try forEachRow("SELECT subject, pseudonym FROM vault_subjects WHERE subject", in: subjects.map(SQLValue.text)) {
            found[$0.text(0)] = $0.text(1)
        }
        return found
    }

    /// The metadata digest and entry recorded for every source of the sample entries `samples`.
    func sourceRecords(samples: [UInt64]) throws -> [UInt64: [String: (metadata: [UInt8], seq: UInt64)]] {
        var found: [UInt64: [String: (metadata: [UInt8], seq: UInt64)]] = [:]
        try forEachRow(
            "SELECT sample, source, metadata, seq FROM sample_sources WHERE sample",
            in: samples.map { .integer(Int64($0)) }
        ) { found[UInt64($0.integer(0)), default: [:]][$0.text(1)] = ($0.blob(2), UInt64($0.integer(3))) }
        return found
    }

    /// Runs `sql` followed by ` IN (?, …)` for parts of a few hundred `keys` and calls `body` on every row.
    private func forEachRow(_ sql: String, in keys: [SQLValue], _ body: (Statement) throws -> Void) throws {
        var start = 0
        while start < keys.count {
            let part = keys[start..<min(keys.count, start + 500)]
            start = part.endIndex
            let placeholders = Array(repeating: "?", count: part.count).joined(separator: ", ")
            try database.withStatement(sql + " IN (\(placeholders))") { statement in
                try statement.bind(Array(part))
                while try statement.step() { try body(statement) }
            }
        }
    }

    /// The metadata digest and entry recorded for (sample entry, source), if any.
    func sourceMetadata(sample: UInt64, source: String) throws -> (metadata: [UInt8], seq: UInt64)? {
        try database.withStatement("SELECT metadata, seq FROM sample_sources WHERE sample = ? AND source = ?") {
            statement in
            try statement.bind([.integer(Int64(sample)), .text(source)])
            guard try statement.step() else { return nil }
            return (statement.blob(0), UInt64(statement.integer(1)))
        }
    }

    /// Names the fields in which `sample` differs from the logged entry `seq`.
    func describeDifference(_ sample: ValidatedSample, entry seq: UInt64) throws -> String {
        let object = try JSONParser.parse(try ledger.entry(seq).bytes).objectValue ?? JSONObject()
        var fields: [String] = []
        if object["license_declared"]?.stringValue != sample.licenseDeclared { fields.append("license") }
        if object["media_type"]?.stringValue != sample.mediaType { fields.append("media_type") }
        if object["collected_at"]?.stringValue != sample.collectedAt { fields.append("collected_at") }
        if object["opt_out"]?.objectValue != sample.optOut { fields.append("opt_out") }
        if object["attribution"]?.stringValue != (try loggedAttribution(sample, entry: object)) {
            fields.append("attribution")
        }
        if fields.isEmpty { fields.append("source_uri") }
        return "field " + fields.joined(separator: ", ")
    }

    /// The attribution digest `sample` would log beside the entry `object` (keyed with its sample's nonce,
    /// or a plain SHA-256 for entries written before digests were keyed).
    private func loggedAttribution(_ sample: ValidatedSample, entry object: JSONObject) throws -> String? {
        guard let attribution = sample.attribution else { return nil }
        guard object["attribution"]?.stringValue?.hasPrefix(KeyedDigest.prefix) == true,
            let commitment = object["commitment"]?.stringValue.flatMap(RevocationRegistry.parseCommitment),
            let seq = try database.scalarInteger("SELECT seq FROM samples WHERE commitment = ?", [.blob(commitment)])
        else { return "sha256:" + Hex.encode(SHA256.hash(attribution)) }
        return KeyedDigest.of(attribution, key: try nonce(ofSample: UInt64(seq)))
    }

    /// Logs and stores one validated sample inside `writer`'s transaction.
    /// - Parameters:
    ///   - existing: the sample the ledger holds with the same content, as looked up in this transaction.
    ///   - seal: the new sample's nonce and commitment, if computed beforehand (inline content only).
    ///   - recorded: the metadata digest and entry recorded for the existing sample and this source, as
    ///     looked up in this transaction.
    ///   - knownPseudonym: the pseudonym of the sample's subject, if looked up in this transaction.
    func record(
        _ sample: ValidatedSample, existing: ExistingSample?, recorded: (metadata: [UInt8], seq: UInt64)?,
        seal: SampleSeal?, writer: LogWriter, inlineLimit: Int, consent: ConsentRecord?, knownPseudonym: String?
    ) throws -> RecordOutcome {
        let connection = writer.connection
        var subject = consent?.subject
        if let real = sample.subject {
            let pseudonym = try knownPseudonym ?? ensurePseudonym(ofSubject: real, in: writer)
            if let subject, subject != pseudonym {
                throw RecordsError(
                    .conflict,
                    "line \(sample.line): field subject: consent \(sample.consent!) belongs to another subject")
            }
            subject = pseudonym
        }
        if let existing {
            guard existing.subject == subject, existing.consent == sample.consent else {
                throw RecordsError(
                    .conflict,
                    "line \(sample.line): the same content is already a sample with a different subject or consent")
            }
            if let recorded {
                guard recorded.metadata == sample.metadataDigest else {
                    throw RecordsError(
                        .conflict,
                        "line \(sample.line): the same content from source \"\(sample.source)\" is already recorded by entry \(recorded.seq) with different metadata"
                    )
                }
                return .unchanged
            }
            let nonce = try self.nonce(ofSample: existing.seq)
            let fields = sample.entryFields(
                commitment: existing.commitment,
                attributionDigest: sample.attribution.map { KeyedDigest.of($0, key: nonce) })
            let entry = try writer.append(type: "sample.source", fields: fields)
            try insertSource(sample, sampleSeq: existing.seq, seq: entry.seq, connection: connection)
            return .addedSource
        }
        let seal = try seal ?? SampleSeal(sample, inlineLimit: inlineLimit, ledgerFolder: ledger.paths.folder)
        let nonce = seal.nonce
        let commitment = seal.commitment
        let subjectValue = subject.map(JSONValue.string) ?? .null
        let entry: LogEntry
        if let encoded = seal.entry {
            entry = try writer.append(type: "sample", encoded: encoded, adding: JSONObject([("subject", subjectValue)]))
        } else {
            var fields = sample.newSampleFields(commitment: commitment, attributionDigest: seal.attributionDigest)
            fields["subject"] = subjectValue
            entry = try writer.append(type: "sample", fields: fields)
        }
        try connection.enqueue(
            "INSERT INTO vault_content (sample, digest, nonce, content, file) VALUES (?, ?, ?, ?, ?)",
            [
                .integer(Int64(entry.seq)), .blob(sample.digest), .blob(nonce), seal.inline.map(SQLValue.blob) ?? .null,
                seal.file.map(SQLValue.text) ?? .null,
            ])
        try connection.enqueue(
            "INSERT INTO samples (commitment, seq, subject, consent, media_type, size) VALUES (?, ?, ?, ?, ?, ?)",
            [
                .blob(commitment), .integer(Int64(entry.seq)), subject.map(SQLValue.text) ?? .null,
                sample.consent.map(SQLValue.text) ?? .null, .text(sample.mediaType), .integer(Int64(sample.size)),
            ])
        try insertSource(sample, sampleSeq: entry.seq, seq: entry.seq, connection: connection)
        return .added
    }

    /// The nonce of a sample the vault holds.
    func nonce(ofSample seq: UInt64) throws -> [UInt8] {
        try database.withStatement("SELECT nonce FROM vault_content WHERE sample = ?") { statement in
            try statement.bind([.integer(Int64(seq))])
            guard try statement.step() else {
                throw RecordsError(.notFound, "sample entry \(seq) has no vault row (erased)")
            }
            return statement.blob(0)
        }
    }

    private func insertSource(_ sample: ValidatedSample, sampleSeq: UInt64, seq: UInt64, connection: Database) throws {
        try connection.enqueue(
            "INSERT INTO sample_sources (sample, source, seq, metadata, license, opt_out) VALUES (?, ?, ?, ?, ?, ?)",
            [
                .integer(Int64(sampleSeq)), .text(sample.source), .integer(Int64(seq)), .blob(sample.metadataDigest),
                .text(sample.licenseConcluded), .text(sample.optOut["status"]?.stringValue ?? "unknown"),
            ])
        try connection.enqueue(
            "INSERT INTO vault_sources (sample, source, attribution, source_uri) VALUES (?, ?, ?, ?)",
            [
                .integer(Int64(sampleSeq)), .text(sample.source), sample.attribution.map(SQLValue.text) ?? .null,
                sample.sourceURI.map(SQLValue.text) ?? .null,
            ])
    }
}

extension RecordStore {
    /// The bytes of every sample ever ingested (an upper bound for any job input).
    public func totalContentSize() throws -> Int {
        try database.withStatement("SELECT COALESCE(SUM(size), 0) FROM samples") { statement in
            _ = try statement.step()
            return Int(statement.integer(0))
        }
    }

    /// A sample's content from the vault (inline or its content-addressed file); nil once erased.
    ///
    /// The content is checked against the sample's commitment, SHA-256(nonce ‖ content), every time it
    /// leaves the vault, so edited vault content never reaches a trainer.
    /// - Throws: ``RecordsError`` with code `conflict` when the content does not open the commitment.
    public func content(of commitment: [UInt8]) throws -> [UInt8]? {
        try contents(of: [commitment])[0]
    }

    /// The content of each of `commitments` (nil for one erased or unknown), in order, read a few
    /// hundred at a time (one query each, which matters on PostgreSQL, where every query is a round
    /// trip) and each checked against its commitment as ``content(of:)`` checks it.
    /// - Throws: ``RecordsError`` with code `conflict` when a content does not open its commitment.
    public func contents(of commitments: [[UInt8]]) throws -> [[UInt8]?] {
        let batchSize = 256
        var found: [[UInt8]: (content: [UInt8]?, file: String?, nonce: [UInt8])] = [:]
        for start in stride(from: 0, to: commitments.count, by: batchSize) {
            let batch = commitments[start..<min(commitments.count, start + batchSize)]
            let list = Array(repeating: "?", count: batch.count).joined(separator: ", ")
            try database.withStatement(
                "SELECT s.commitment, v.content, v.file, v.nonce FROM vault_content v JOIN samples s ON s.seq = v.sample WHERE s.commitment IN (\(list))"
            ) { statement in
                try statement.bind(batch.map { .blob($0) })
                while try statement.step() {
                    let inline = statement.isNull(1) ? nil : statement.blob(1)
                    found[statement.blob(0)] = (inline, inline == nil ? statement.text(2) : nil, statement.blob(3))
                }
            }
        }
        return try commitments.map { commitment in
            try found[commitment].map { try opened(commitment, content: $0.content, file: $0.file, nonce: $0.nonce) }
        }
    }

    /// The content kept inline or in `file`, checked against `commitment`.
    private func opened(_ commitment: [UInt8], content inline: [UInt8]?, file: String?, nonce: [UInt8]) throws
        -> [UInt8]
    {
        let content =
            inline
            ?? file.flatMap { name in
                FileManager.default.contents(atPath: ledger.paths.folder.appendingPathComponent(name).path).map {
                    [UInt8]($0)
                }
            }
        guard let content else {
            throw RecordsError(
                .conflict, "sample sha256:\(Hex.encode(commitment)): its content file is missing from the vault")
        }
        let hasher = SHA256Hasher()
        hasher.update(nonce)
        hasher.update(content)
        guard hasher.finalize() == commitment else {
            throw RecordsError(
                .conflict,
                "sample sha256:\(Hex.encode(commitment)): the vault's content does not open the sample's commitment (the vault was changed); nothing was handed to the trainer"
            )
        }
        return content
    }
}

extension RecordStore {
    /// The source each sample was first ingested from, by commitment, from the index (no log read).
    public func firstSources() throws -> [[UInt8]: String] {
        var sources: [[UInt8]: String] = [:]
        try database.withStatement(
            "SELECT s.commitment, ss.source FROM sample_sources ss JOIN samples s ON s.seq = ss.sample ORDER BY ss.seq DESC"
        ) { statement in
            // Descending, so that the first source (the sample entry's own) is the one kept.
            while try statement.step() { sources[statement.blob(0)] = statement.text(1) }
        }
        return sources
    }
}

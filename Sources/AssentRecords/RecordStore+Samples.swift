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
        try database.withStatement(
            "SELECT s.commitment, s.seq, s.subject, s.consent FROM vault_content v JOIN samples s ON s.seq = v.sample WHERE v.digest = ?"
        ) { statement in
            try statement.bind([.blob(digest)])
            guard try statement.step() else { return nil }
            return ExistingSample(
                commitment: statement.blob(0), seq: UInt64(statement.integer(1)),
                subject: statement.isNull(2) ? nil : statement.text(2),
                consent: statement.isNull(3) ? nil : statement.text(3))
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
        if object["attribution"]?.stringValue != sample.attribution.map({ "sha256:" + Hex.encode(SHA256.hash($0)) }) {
            fields.append("attribution")
        }
        if fields.isEmpty { fields.append("source_uri") }
        return "field " + fields.joined(separator: ", ")
    }

    /// Logs and stores one validated sample inside `writer`'s transaction.
    func record(_ sample: ValidatedSample, writer: LogWriter, inlineLimit: Int, consent: ConsentRecord?) throws
        -> RecordOutcome
    {
        let connection = writer.connection
        var subject = consent?.subject
        if let real = sample.subject {
            let pseudonym = try ensurePseudonym(ofSubject: real, in: writer)
            if let subject, subject != pseudonym {
                throw RecordsError(
                    .conflict,
                    "line \(sample.line): field subject: consent \(sample.consent!) belongs to another subject")
            }
            subject = pseudonym
        }
        let attributionDigest: JSONValue =
            sample.attribution.map { .string("sha256:" + Hex.encode(SHA256.hash($0))) } ?? .null
        var fields = JSONObject([
            ("source", .string(sample.source)), ("license_declared", .string(sample.licenseDeclared)),
            ("license_concluded", .string(sample.licenseConcluded)), ("license_list", .string(SPDXLicenseList.version)),
            ("attribution", attributionDigest), ("collected_at", sample.collectedAt.map(JSONValue.string) ?? .null),
            ("opt_out", .object(sample.optOut)), ("media_type", .string(sample.mediaType)),
        ])
        if let existing = try existingSample(digest: sample.digest) {
            guard existing.subject == subject, existing.consent == sample.consent else {
                throw RecordsError(
                    .conflict,
                    "line \(sample.line): the same content is already a sample with a different subject or consent")
            }
            if let recorded = try sourceMetadata(sample: existing.seq, source: sample.source) {
                guard recorded.metadata == sample.metadataDigest else {
                    throw RecordsError(
                        .conflict,
                        "line \(sample.line): the same content from source \"\(sample.source)\" is already recorded by entry \(recorded.seq) with different metadata"
                    )
                }
                return .unchanged
            }
            fields["commitment"] = .string("sha256:" + Hex.encode(existing.commitment))
            let entry = try writer.append(type: "sample.source", fields: fields)
            try insertSource(sample, sampleSeq: existing.seq, seq: entry.seq, connection: connection)
            return .addedSource
        }
        let content = try sample.contentBytes()
        let nonce = SecureRandom.bytes(count: 32)
        let commitment = SHA256.hash(nonce + content)
        var file: String? = nil
        if content.count > inlineLimit { file = try storeContentFile(content, digest: sample.digest) }
        fields["commitment"] = .string("sha256:" + Hex.encode(commitment))
        fields["size"] = .integer(Int64(content.count))
        fields["subject"] = subject.map(JSONValue.string) ?? .null
        fields["consent"] = sample.consent.map(JSONValue.string) ?? .null
        let entry = try writer.append(type: "sample", fields: fields)
        try connection.run(
            "INSERT INTO vault_content (sample, digest, nonce, content, file) VALUES (?, ?, ?, ?, ?)",
            [
                .integer(Int64(entry.seq)), .blob(sample.digest), .blob(nonce), file == nil ? .blob(content) : .null,
                file.map(SQLValue.text) ?? .null,
            ])
        try connection.run(
            "INSERT INTO samples (commitment, seq, subject, consent, media_type, size) VALUES (?, ?, ?, ?, ?, ?)",
            [
                .blob(commitment), .integer(Int64(entry.seq)), subject.map(SQLValue.text) ?? .null,
                sample.consent.map(SQLValue.text) ?? .null, .text(sample.mediaType), .integer(Int64(content.count)),
            ])
        try insertSource(sample, sampleSeq: entry.seq, seq: entry.seq, connection: connection)
        return .added
    }

    private func insertSource(_ sample: ValidatedSample, sampleSeq: UInt64, seq: UInt64, connection: Database) throws {
        try connection.run(
            "INSERT INTO sample_sources (sample, source, seq, metadata, license, opt_out) VALUES (?, ?, ?, ?, ?, ?)",
            [
                .integer(Int64(sampleSeq)), .text(sample.source), .integer(Int64(seq)), .blob(sample.metadataDigest),
                .text(sample.licenseConcluded), .text(sample.optOut["status"]?.stringValue ?? "unknown"),
            ])
        try connection.run(
            "INSERT INTO vault_sources (sample, source, attribution, source_uri) VALUES (?, ?, ?, ?)",
            [
                .integer(Int64(sampleSeq)), .text(sample.source), sample.attribution.map(SQLValue.text) ?? .null,
                sample.sourceURI.map(SQLValue.text) ?? .null,
            ])
    }

    /// Writes large content to `content/<digest hex>` beside the database before the commit that
    /// references it; a file left by a crashed run is simply reused.
    private func storeContentFile(_ content: [UInt8], digest: [UInt8]) throws -> String {
        let folder = ledger.paths.folder.appendingPathComponent("content")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let name = Hex.encode(digest)
        let url = folder.appendingPathComponent(name)
        if !FileManager.default.fileExists(atPath: url.path) {
            try Data(content).write(to: url, options: .atomic)
        }
        return "content/" + name
    }
}

extension RecordStore {
    /// A sample's content from the vault (inline or its content-addressed file); nil once erased.
    public func content(of commitment: [UInt8]) throws -> [UInt8]? {
        try database.withStatement(
            "SELECT v.content, v.file FROM vault_content v JOIN samples s ON s.seq = v.sample WHERE s.commitment = ?"
        ) { statement -> [UInt8]? in
            try statement.bind([.blob(commitment)])
            guard try statement.step() else { return nil }
            if !statement.isNull(0) { return statement.blob(0) }
            let file = ledger.paths.folder.appendingPathComponent(statement.text(1))
            return FileManager.default.contents(atPath: file.path).map { [UInt8]($0) }
        }
    }
}

internal import Foundation
internal import AssentCrypto
public import AssentLog
internal import AssentStorage

/// A consent as the index holds it (the latest expiry after renewals).
public struct ConsentRecord: Sendable, Equatable {
    /// The consent id.
    public let id: String
    /// The subject's pseudonym.
    public let subject: String
    /// The purposes consented to.
    public let purposes: [String]
    /// The legal basis.
    public let legalBasis: String
    /// When consent was given.
    public let grantedAt: String
    /// When it expires, after any renewals; nil for no expiry.
    public let expiresAt: String?
    /// The log index of the grant entry.
    public let seq: UInt64

    /// The record as JSON.
    public var json: JSONObject {
        JSONObject([
            ("consent", .string(id)), ("subject", .string(subject)),
            ("purposes", .array(purposes.map(JSONValue.string))),
            ("legal_basis", .string(legalBasis)), ("granted_at", .string(grantedAt)),
            ("expires_at", expiresAt.map(JSONValue.string) ?? .null), ("seq", .integer(Int64(seq))),
        ])
    }
}

/// Granting, renewing and looking up consents (ISO/IEC TS 27560 fields, W3C DPV values).
public struct ConsentRegistry {
    /// The purposes a consent may name.
    public static let purposes = ["ai-training", "ai-training-generative", "commercial", "non-commercial", "research"]
    /// Legal bases, as GDPR articles (W3C DPV `eu-gdpr:` concepts).
    public static let legalBases = [
        "consent": "eu-gdpr:A6-1-a", "explicit-consent": "eu-gdpr:A9-2-a", "contract": "eu-gdpr:A6-1-b",
        "legal-obligation": "eu-gdpr:A6-1-c", "vital-interest": "eu-gdpr:A6-1-d", "public-task": "eu-gdpr:A6-1-e",
        "legitimate-interest": "eu-gdpr:A6-1-f",
    ]

    /// The store the consents live in.
    public let store: RecordStore

    /// A registry over `store`.
    public init(store: RecordStore) { self.store = store }

    /// Whether `id` is a valid consent id: 1–64 of letters, digits, '.', '_' and '-'.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64
            && id.unicodeScalars.allSatisfy {
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
            }
    }

    /// Records a consent grant for `subject` (a real id, kept only in the vault).
    /// - Returns: the new consent.
    /// - Throws: ``RecordsError`` for an unknown purpose or legal basis, a bad time, an id in use.
    public func grant(
        subject: String, purposes: [String], legalBasis: String, grantedAt: String? = nil, expiresAt: String?,
        evidence: [UInt8]?, id: String? = nil
    ) throws -> ConsentRecord {
        guard SampleFields.isValidName(subject) else {
            throw RecordsError(.invalidInput, "subject: must be 1–128 printable characters")
        }
        let purposes = try Self.checkPurposes(purposes)
        guard Self.legalBases[legalBasis] != nil else {
            throw RecordsError(
                .invalidInput,
                "legal basis \"\(legalBasis)\" is not one of \(Self.legalBases.keys.sorted().joined(separator: ", "))")
        }
        let consentID = id ?? "cons-" + Hex.encode(SecureRandom.bytes(count: 8))
        guard Self.isValidID(consentID) else {
            throw RecordsError(.invalidInput, "invalid consent id \"\(consentID)\"")
        }
        try Self.checkTime(grantedAt, field: "granted-at")
        try Self.checkTime(expiresAt, field: "expires")
        return try store.ledger.write { writer in
            guard try lookup(consentID) == nil else {
                throw RecordsError(.conflict, "consent \(consentID) already exists")
            }
            let pseudonym = try store.ensurePseudonym(ofSubject: subject, in: writer)
            let granted = grantedAt ?? writer.timestamp
            if let expiresAt, expiresAt <= granted {
                throw RecordsError(.invalidInput, "expires: \(expiresAt) is not after the grant time \(granted)")
            }
            let evidenceDigest = try storeEvidence(evidence, consent: consentID, writer: writer)
            let entry = try writer.append(
                type: "consent.grant",
                fields: JSONObject([
                    ("consent", .string(consentID)), ("subject", .string(pseudonym)),
                    ("purposes", .array(purposes.map(JSONValue.string))), ("legal_basis", .string(legalBasis)),
                    ("legal_basis_iri", .string(Self.legalBases[legalBasis]!)), ("status", .string("dpv:ConsentGiven")),
                    ("granted_at", .string(granted)), ("expires_at", expiresAt.map(JSONValue.string) ?? .null),
                    ("evidence", evidenceDigest.map(JSONValue.string) ?? .null),
                ]))
            try writer.connection.run(
                "INSERT INTO consents (consent, subject, seq, purposes, legal_basis, granted_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    .text(consentID), .text(pseudonym), .integer(Int64(entry.seq)),
                    .text(purposes.joined(separator: " ")),
                    .text(legalBasis), .text(granted), expiresAt.map(SQLValue.text) ?? .null,
                ])
            return ConsentRecord(
                id: consentID, subject: pseudonym, purposes: purposes, legalBasis: legalBasis, grantedAt: granted,
                expiresAt: expiresAt, seq: entry.seq)
        }
    }

    /// Records a renewal: a new expiry (or none) and optionally new evidence. A renewal never brings
    /// back samples that were revoked.
    public func renew(_ consentID: String, expiresAt: String?, evidence: [UInt8]?) throws -> ConsentRecord {
        try Self.checkTime(expiresAt, field: "expires")
        return try store.ledger.write { writer in
            guard let current = try lookup(consentID) else { throw RecordsError(.notFound, "no consent \(consentID)") }
            if try RevocationRegistry(store: store).isWithdrawn(consent: consentID) {
                throw RecordsError(
                    .invalidInput,
                    "consent \(consentID) was withdrawn; a renewal cannot bring it back, grant a new consent")
            }
            if let expiresAt, expiresAt <= writer.timestamp {
                throw RecordsError(.invalidInput, "expires: \(expiresAt) is not in the future")
            }
            let evidenceDigest = try storeEvidence(evidence, consent: consentID, writer: writer)
            let entry = try writer.append(
                type: "consent.renew",
                fields: JSONObject([
                    ("consent", .string(consentID)), ("subject", .string(current.subject)),
                    ("status", .string("dpv:RenewedConsentGiven")), ("renewed_at", .string(writer.timestamp)),
                    ("expires_at", expiresAt.map(JSONValue.string) ?? .null),
                    ("evidence", evidenceDigest.map(JSONValue.string) ?? .null),
                ]))
            try writer.connection.run(
                "INSERT INTO consent_renewals (seq, consent, renewed_at, expires_at) VALUES (?, ?, ?, ?)",
                [
                    .integer(Int64(entry.seq)), .text(consentID), .text(writer.timestamp),
                    expiresAt.map(SQLValue.text) ?? .null,
                ])
            return try lookup(consentID)!
        }
    }

    /// The consent with `id`, or nil.
    public func lookup(_ id: String) throws -> ConsentRecord? {
        let row = try store.database.withStatement(
            "SELECT subject, seq, purposes, legal_basis, granted_at, expires_at FROM consents WHERE consent = ?"
        ) { statement -> (String, Int64, String, String, String, String?)? in
            try statement.bind([.text(id)])
            guard try statement.step() else { return nil }
            return (
                statement.text(0), statement.integer(1), statement.text(2), statement.text(3), statement.text(4),
                statement.isNull(5) ? nil : statement.text(5)
            )
        }
        guard let row else { return nil }
        let renewal = try store.database.withStatement(
            "SELECT expires_at FROM consent_renewals WHERE consent = ? ORDER BY seq DESC LIMIT 1"
        ) { statement -> String?? in
            try statement.bind([.text(id)])
            guard try statement.step() else { return nil }
            return .some(statement.isNull(0) ? nil : statement.text(0))
        }
        return ConsentRecord(
            id: id, subject: row.0, purposes: row.2.split(separator: " ").map(String.init), legalBasis: row.3,
            grantedAt: row.4, expiresAt: renewal ?? row.5, seq: UInt64(row.1))
    }

    /// Every consent, or those of one subject (a real id), in grant order.
    public func list(subject: String? = nil) throws -> [ConsentRecord] {
        var pseudonym: String? = nil
        if let subject {
            guard let found = try store.pseudonym(ofSubject: subject) else { return [] }
            pseudonym = found
        }
        let ids = try store.database.withStatement(
            "SELECT consent FROM consents WHERE CAST(?1 AS TEXT) IS NULL OR subject = ?1 ORDER BY seq"
        ) { statement -> [String] in
            try statement.bind([pseudonym.map(SQLValue.text) ?? .null])
            var ids: [String] = []
            while try statement.step() { ids.append(statement.text(0)) }
            return ids
        }
        return try ids.compactMap { try lookup($0) }
    }

    /// Keeps the evidence in the vault with a fresh salt and returns its keyed digest for the log, so
    /// that once the evidence is erased nobody can confirm a guess of it against the log.
    private func storeEvidence(_ evidence: [UInt8]?, consent: String, writer: LogWriter) throws -> String? {
        guard let evidence else { return nil }
        let salt = SecureRandom.bytes(count: 32)
        let digest = KeyedDigest.of(evidence, key: salt)
        try writer.connection.run(
            "INSERT INTO vault_consent_evidence (consent, digest, salt, bytes) VALUES (?, ?, ?, ?)",
            [.text(consent), .text(digest), .blob(salt), .blob(evidence)])
        return digest
    }

    static func checkPurposes(_ purposes: [String]) throws -> [String] {
        guard !purposes.isEmpty else {
            throw RecordsError(.invalidInput, "give at least one --purpose (\(Self.purposes.joined(separator: ", ")))")
        }
        for purpose in purposes where !Self.purposes.contains(purpose) {
            throw RecordsError(
                .invalidInput, "purpose \"\(purpose)\" is not one of \(Self.purposes.joined(separator: ", "))")
        }
        return Array(Set(purposes)).sorted()
    }

    static func checkTime(_ time: String?, field: String) throws {
        if let time, UTCTime.parse(time) == nil {
            throw RecordsError(
                .invalidInput, "\(field): expected a UTC time like 2027-01-01T00:00:00Z, not \"\(time)\"")
        }
    }
}

internal import Foundation
internal import AssentCrypto
public import AssentLog
package import AssentStorage

/// The records layer over one ledger: subjects, consents and samples, with their vault.
public final class RecordStore {
    /// The ledger the records live in.
    public let ledger: Ledger
    package var database: Database { ledger.database }
    /// The vault key once read (the file never changes after it is created).
    var vaultKeyCache: [UInt8]? = nil

    /// Opens the records layer, creating its tables on first use.
    public init(ledger: Ledger) throws {
        self.ledger = ledger
        try RecordSchema.prepare(ledger.database)
    }

    /// The pseudonym of a subject's real id, if the vault knows the subject.
    public func pseudonym(ofSubject subject: String) throws -> String? {
        try database.withStatement("SELECT pseudonym FROM vault_subjects WHERE subject = ?") { statement in
            try statement.bind([.text(subject)])
            return try statement.step() ? statement.text(0) : nil
        }
    }

    /// The pseudonym for `subject`, created (random, in the vault) inside the caller's write transaction if new.
    func ensurePseudonym(ofSubject subject: String, in writer: LogWriter) throws -> String {
        if let existing = try pseudonym(ofSubject: subject) { return existing }
        return try createPseudonym(ofSubject: subject, in: writer)
    }

    /// A new random pseudonym for `subject`, which the vault does not know yet, stored inside the caller's
    /// write transaction.
    func createPseudonym(ofSubject subject: String, in writer: LogWriter) throws -> String {
        let pseudonym = "subj-" + Hex.encode(SecureRandom.bytes(count: 12))
        try writer.connection.enqueue(
            "INSERT INTO vault_subjects (pseudonym, subject) VALUES (?, ?)", [.text(pseudonym), .text(subject)])
        return pseudonym
    }

    /// The counts `assent status` reports.
    public func status() throws -> JSONObject {
        let counts = try ledger.entryCounts()
        func count(_ types: String...) -> JSONValue { .integer(types.reduce(0) { $0 + (counts[$1] ?? 0) }) }
        let samples = try database.scalarInteger("SELECT count(*) FROM samples") ?? 0
        let subjects = try database.scalarInteger("SELECT count(*) FROM vault_subjects") ?? 0
        let consents = try database.scalarInteger("SELECT count(*) FROM consents") ?? 0
        return JSONObject([
            ("origin", .string(ledger.origin)), ("entries", .integer(Int64(try ledger.size()))),
            ("samples", .integer(samples)), ("sample_sources", count("sample", "sample.source")),
            ("subjects", .integer(subjects)), ("consents", .integer(consents)),
            ("consent_renewals", count("consent.renew")),
            ("revocations", count("revocation")), ("snapshots", count("snapshot")), ("models", count("model")),
            ("stale_models", count("stale")),
        ])
    }
}

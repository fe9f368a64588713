import ArgumentParser
import AssentLog
import AssentOperations
import AssentRecords
import Foundation

/// `assent consent`: grant, renew, show and list consents; write a subject's receipt.
struct ConsentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Record consent (ISO/IEC TS 27560 fields, W3C DPV values) and give subjects their receipts.",
        subcommands: [Grant.self, Renew.self, Show.self, List.self, Receipt.self])

    /// `assent consent grant`.
    struct Grant: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a subject's consent; prints its id.",
            discussion:
                "Example: assent consent grant --subject alice@example.org --purpose ai-training --expires 2027-01-01T00:00:00Z --evidence form.pdf"
        )
        @OptionGroup var global: GlobalOptions
        @Option(help: "The subject's real id (kept in the vault; the log sees a pseudonym).")
        var subject: String
        @Option(
            name: .customLong("purpose"),
            help: "A purpose: ai-training, ai-training-generative, commercial, non-commercial, research (repeatable).")
        var purposes: [String] = []
        @Option(
            name: .customLong("legal-basis"),
            help:
                "consent, explicit-consent, contract, legal-obligation, vital-interest, public-task or legitimate-interest."
        )
        var legalBasis = "consent"
        @Option(help: "When consent ends, UTC (2027-01-01T00:00:00Z); none means no expiry.")
        var expires: String?
        @Option(name: .customLong("granted-at"), help: "When consent was given (default: now).")
        var grantedAt: String?
        @Option(
            help: ArgumentHelp(
                "Evidence file (signed form, receipt): its digest is logged, its bytes kept in the vault.",
                valueName: "file"))
        var evidence: String?
        @Option(help: "Use this consent id instead of a random one.")
        var id: String?

        func run() throws {
            try reportingErrors {
                let operations = try Operations(ledger: try global.openLedger())
                let bytes = try evidence.map { try readFile($0, what: "evidence file") }
                let (record, sweep) = try operations.grantConsent(
                    subject: subject, purposes: purposes, legalBasis: legalBasis, grantedAt: grantedAt,
                    expiresAt: expires, evidence: bytes, id: id)
                reportSweep(sweep)
                if global.json { Console.json(record.json) } else { Console.line(record.id) }
            }
        }
    }

    /// `assent consent renew`.
    struct Renew: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Renew a consent with a new expiry; revoked samples stay revoked.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The consent id.")
        var consent: String
        @Option(help: "The new expiry, UTC; none means no expiry.")
        var expires: String?
        @Option(help: ArgumentHelp("New evidence file.", valueName: "file"))
        var evidence: String?

        func run() throws {
            try reportingErrors {
                let (record, sweep) = try Operations(ledger: try global.openLedger()).renewConsent(
                    consent, expiresAt: expires, evidence: try evidence.map { try readFile($0, what: "evidence file") })
                reportSweep(sweep)
                if global.json {
                    Console.json(record.json)
                } else {
                    Console.line("renewed \(record.id); expires \(record.expiresAt ?? "never")")
                }
            }
        }
    }

    /// `assent consent show`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one consent.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The consent id.")
        var consent: String

        func run() throws {
            try reportingErrors {
                let registry = ConsentRegistry(store: try RecordStore(ledger: try global.openLedger()))
                guard let record = try registry.lookup(consent) else {
                    throw RecordsError(.notFound, "no consent \(consent)")
                }
                if global.json {
                    Console.json(record.json)
                } else {
                    Console.line("consent:     \(record.id)")
                    Console.line("subject:     \(record.subject) (pseudonym)")
                    Console.line("purposes:    \(record.purposes.joined(separator: ", "))")
                    Console.line("legal basis: \(record.legalBasis)")
                    Console.line("granted at:  \(record.grantedAt)")
                    Console.line("expires at:  \(record.expiresAt ?? "never")")
                    Console.line("entry:       \(record.seq)")
                }
            }
        }
    }

    /// `assent consent list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List consents, all or one subject's.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this subject's (real id).")
        var subject: String?

        func run() throws {
            try reportingErrors {
                let records = try ConsentRegistry(store: try RecordStore(ledger: try global.openLedger())).list(
                    subject: subject)
                if global.json {
                    Console.json(JSONObject([("consents", .array(records.map { .object($0.json) }))]))
                } else {
                    for record in records {
                        Console.line(
                            "\(record.id)  \(record.subject)  \(record.purposes.joined(separator: ","))  expires \(record.expiresAt ?? "never")"
                        )
                    }
                }
            }
        }
    }

    /// `assent consent receipt`.
    struct Receipt: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a subject's receipt: consent ids, and each sample's commitment and nonce.",
            discussion: "The nonces open the commitments, so the receipt is for the subject alone.")
        @OptionGroup var location: LedgerOption
        @Argument(help: "The subject's real id.")
        var subject: String
        @Option(help: ArgumentHelp("Write the receipt here (default: stdout).", valueName: "file"))
        var out: String?

        func run() throws {
            try reportingErrors {
                let receipt = try ConsentRegistry(store: try RecordStore(ledger: try location.openLedger())).receipt(
                    subject: subject)
                let text = String(decoding: CanonicalJSON.encode(.object(receipt)), as: UTF8.self) + "\n"
                if let out {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: out))
                    Console.note("wrote the receipt for \(subject) to \(out)")
                } else {
                    Console.raw(Array(text.utf8))
                }
            }
        }
    }
}

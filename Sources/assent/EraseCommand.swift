import ArgumentParser
import AssentLog
import AssentOperations
import AssentRecords

/// `assent erase`: deletes revoked samples' content and identity from the vault.
struct EraseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract:
            "Erase revoked samples from the vault: content, nonce, attribution, source URL, and a subject's identity.",
        discussion: """
            The samples must be revoked first. The log is untouched and still verifies; the commitments can \
            no longer be opened. Deleted bytes are overwritten (SQLite secure_delete) and the WAL is \
            checkpointed. A keyed tombstone of each content digest stays, so the same content is refused at \
            ingest unless it comes with a consent granted after the erasure.
            """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "Erase all of this subject's samples and the link from pseudonym to real id.")
    var subject: String?
    @Option(help: "Erase the samples relying on this consent.")
    var consent: String?
    @Option(name: .customLong("sample"), help: "Erase this sample (repeatable).")
    var samples: [String] = []

    func validate() throws {
        guard [subject != nil, consent != nil, !samples.isEmpty].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --subject, --consent or --sample")
        }
    }

    func run() throws {
        try reportingErrors {
            let target: RevocationTarget =
                subject.map { .subject($0) } ?? consent.map { .consent($0) } ?? .samples(samples)
            let (result, sweep) = try Operations(ledger: try global.openLedger()).erase(target)
            reportSweep(sweep)
            if global.json {
                Console.json(result.json)
            } else if let seq = result.seq {
                Console.line(
                    "erased \(result.samples.count) samples from the vault\(result.identityErased ? " and the subject's identity" : "") (entry \(seq))"
                )
            } else {
                Console.line("nothing left to erase")
            }
        }
    }
}

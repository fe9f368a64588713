import ArgumentParser
import AssentLog
import AssentRecords
import Foundation

/// `assent demo`: the end-to-end walk-through a newcomer runs first.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the end-to-end demo on the digits dataset in a local folder (default ./assent-demo).",
        discussion: """
            Creates a ledger; records consent for 30 writers; ingests the digits training split with its \
            licence (CC-BY-4.0), attribution and, for 360 samples, their writer's consent; proves a sample's \
            inclusion and the log's consistency offline; and shows that a changed byte on disk is caught. The \
            folder is replaced on the next run only if an earlier demo created it.
            """)

    @Option(help: ArgumentHelp("Where the demo ledger lives.", valueName: "dir"))
    var dir = "assent-demo"
    @Option(
        help: ArgumentHelp(
            "The digits fixture folder (default: Tools/datasets/digits of this checkout).", valueName: "dir"))
    var data: String?

    static let marker = ".assent-demo"

    func run() throws {
        try reportingErrors {
            let folder = URL(fileURLWithPath: dir)
            let dataset = try DemoData.locate(data)
            try Self.prepare(folder)
            let step = DemoSteps()
            let ledger = try Ledger.create(
                at: folder.appendingPathComponent("ledger"), origin: "demo.assent.local/digits")
            let store = try RecordStore(ledger: ledger)
            step.say("1. Created a ledger in \(ledger.paths.folder.path)")
            step.detail("log key (publish it): \(ledger.verifier.keyString)")

            let registry = ConsentRegistry(store: store)
            var consents: [String] = []
            for writer in 1...DemoData.writers {
                let record = try registry.grant(
                    subject: DemoData.subject(writer), purposes: ["ai-training", "research"], legalBasis: "consent",
                    expiresAt: "2030-01-01T00:00:00Z", evidence: Array("signed consent form of writer \(writer)".utf8))
                consents.append(record.id)
            }
            step.say(
                "2. Recorded consent for \(consents.count) writers (ai-training, research; expires 2030); the log holds only pseudonyms"
            )

            let manifest = try DemoData.writeManifest(
                from: dataset, to: folder.appendingPathComponent("digits-train.manifest.jsonl"), consents: consents)
            let report = try Ingestor(store: store).ingest(.jsonl(manifest))
            step.say(
                "3. Ingested the digits training split: \(report.added) samples (CC-BY-4.0, with attribution), \(DemoData.consentedSamples) tied to a writer's consent, in \(report.chunks) chunk(s)"
            )
            let again = try Ingestor(store: store).ingest(.jsonl(manifest))
            step.detail("running the same ingest again adds nothing: \(again.added) new, \(again.unchanged) unchanged")
            let status = try store.status()
            step.detail(
                "status: \(status["entries"]!.integerValue!) entries, \(status["samples"]!.integerValue!) samples, \(status["consents"]!.integerValue!) consents, \(status["subjects"]!.integerValue!) subjects"
            )

            let receipt = try registry.receipt(subject: DemoData.subject(1))
            let sampleSeq = UInt64(receipt["samples"]!.arrayValue!.first!.objectValue!["seq"]!.integerValue!)
            let proof = try ledger.inclusionProof(index: sampleSeq)
            let entry = try ledger.entry(sampleSeq)
            let verified = try proof.verify(entry: entry.bytes, verifier: ledger.verifier)
            step.say(
                "4. Writer 1's receipt lists \(receipt["samples"]!.arrayValue!.count) samples; the first is entry \(sampleSeq), proven in the log of size \(verified.size) (\(proof.hashes.count) hashes):"
            )
            step.detail(String(decoding: entry.bytes, as: UTF8.self))

            let kept = try ledger.checkpointNote(size: UInt64(consents.count))
            let old = try Checkpoint.open(kept, verifier: ledger.verifier)
            let consistency = try ledger.consistencyProof(oldSize: old.size, newSize: verified.size)
            let consistent = MerkleVerification.verifyConsistency(
                size1: old.size, size2: verified.size, root1: old.root, root2: verified.root, proof: consistency)
            step.say(
                "5. Consistency proof \(old.size) → \(verified.size) (\(consistency.count) hashes): \(consistent ? "valid, the log was only appended to" : "INVALID")"
            )

            let verifyReport = try ledger.verify(trustedCheckpoint: kept)
            step.say(
                "6. assent log verify: \(verifyReport.entries) entries, \(verifyReport.checkpoints) checkpoints, tree recomputed"
            )

            try ledger.checkpointWriteAheadLog()
            let tampered = try Self.tamperedCopy(
                of: ledger.paths.folder, in: folder, changing: "\"source\":\"uci-digits\"")
            do {
                _ = try Ledger(opening: tampered).verify()
                step.say("7. ERROR: a changed log byte was not detected")
                throw ExitCode(1)
            } catch let error as LedgerError {
                step.say("7. Changed one byte of a logged entry in a copy: verify says \"\(error.message)\"")
            }
            step.say("")
            step.say(
                "Next: assent status --ledger \(ledger.paths.folder.path)   |   assent log checkpoint --ledger \(ledger.paths.folder.path)"
            )
        }
    }

    /// Creates `folder`, replacing it only when an earlier demo made it.
    static func prepare(_ folder: URL) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: folder.path) {
            guard manager.fileExists(atPath: folder.appendingPathComponent(marker).path) else {
                throw LedgerError(
                    .alreadyExists, "\(folder.path) exists and was not made by assent demo; choose another --dir")
            }
            try manager.removeItem(at: folder)
        }
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("made by assent demo; safe to delete\n".utf8).write(to: folder.appendingPathComponent(marker))
    }

    /// Copies the ledger folder and flips one bit of the first occurrence of `text` in its database.
    static func tamperedCopy(of ledger: URL, in folder: URL, changing text: String) throws -> URL {
        let copy = folder.appendingPathComponent("tampered-copy")
        try FileManager.default.copyItem(at: ledger, to: copy)
        let database = copy.appendingPathComponent("ledger.sqlite")
        var bytes = [UInt8](try Data(contentsOf: database))
        let needle = Array(text.utf8)
        guard
            let start = (0...(bytes.count - needle.count)).first(where: {
                bytes[$0..<$0 + needle.count].elementsEqual(needle)
            })
        else { throw LedgerError(.notFound, "the text \(text) is not in \(database.path)") }
        bytes[start + needle.count - 3] ^= 0x01
        try Data(bytes).write(to: database)
        return copy
    }
}

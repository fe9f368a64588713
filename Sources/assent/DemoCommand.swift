import ArgumentParser
import AssentLog
import Foundation

/// `assent demo`: the end-to-end walk-through a newcomer runs first.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the end-to-end demo in a local folder (default ./assent-demo).",
        discussion: """
            Creates a ledger, appends entries, signs checkpoints, proves an entry's inclusion and the log's \
            consistency, verifies both offline, and shows that a changed byte on disk is caught. The folder \
            is replaced on the next run only if an earlier demo created it.
            """)

    @Option(help: ArgumentHelp("Where the demo ledger lives.", valueName: "dir"))
    var dir = "assent-demo"

    static let marker = ".assent-demo"

    func run() throws {
        try reportingErrors {
            let folder = URL(fileURLWithPath: dir)
            try Self.prepare(folder)
            let ledger = try Ledger.create(at: folder.appendingPathComponent("ledger"), origin: "demo.assent.local/log")
            let step = DemoSteps()
            step.say("1. Created a ledger in \(ledger.paths.folder.path)")
            step.detail("log key (publish it): \(ledger.verifier.keyString)")

            let first = try ledger.appendNotes(
                (0..<3).map { index in
                    (
                        "note.dataset",
                        JSONObject([("name", .string("digits-part-\(index)")), ("rows", .integer(Int64(360 + index)))])
                    )
                })
            let kept = try ledger.latestCheckpoint()
            step.say("2. Appended \(first.count) entries in one transaction; checkpoint signed at size \(kept.size)")
            let more = try ledger.appendNotes(
                (0..<5).map { index in
                    ("note.audit", JSONObject([("event", .string("review-\(index)"))]))
                })
            let latest = try ledger.latestCheckpoint()
            step.say("3. Appended \(more.count) more; the latest checkpoint (a C2SP signed note):")
            step.block(latest.note)

            let proof = try ledger.inclusionProof(index: 1)
            let entry = try ledger.entry(1)
            let verified = try proof.verify(entry: entry.bytes, verifier: ledger.verifier)
            step.say(
                "4. Inclusion proof for entry 1 (\(proof.hashes.count) hashes) verifies against size \(verified.size)")
            step.detail(String(decoding: entry.bytes, as: UTF8.self))

            let consistency = try ledger.consistencyProof(oldSize: kept.size, newSize: latest.size)
            let old = try Checkpoint.open(kept.note, verifier: ledger.verifier)
            let consistent = MerkleVerification.verifyConsistency(
                size1: old.size, size2: verified.size, root1: old.root, root2: verified.root, proof: consistency)
            step.say(
                "5. Consistency proof \(old.size) → \(verified.size) (\(consistency.count) hashes): \(consistent ? "valid" : "INVALID")"
            )

            let report = try ledger.verify(trustedCheckpoint: kept.note)
            step.say(
                "6. assent log verify: \(report.entries) entries, \(report.checkpoints) checkpoints, tree recomputed; extends the kept checkpoint"
            )

            try ledger.checkpointWriteAheadLog()
            let tampered = try Self.tamperedCopy(of: ledger.paths.folder, in: folder, changing: "review-3")
            do {
                _ = try Ledger(opening: tampered).verify()
                step.say("7. ERROR: a changed byte was not detected")
                throw ExitCode(1)
            } catch let error as LedgerError {
                step.say("7. Changed one byte of entry text on disk in a copy: verify says \"\(error.message)\"")
            }
            step.say("")
            step.say("Try: assent log checkpoint --ledger \(ledger.paths.folder.path)")
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
        bytes[start] ^= 0x01
        try Data(bytes).write(to: database)
        return copy
    }
}

/// Prints the demo's numbered steps.
struct DemoSteps {
    /// A step line.
    func say(_ text: String) { Console.line(text) }
    /// An indented detail line.
    func detail(_ text: String) { Console.line("   " + text) }
    /// An indented block of text.
    func block(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            Console.line("   | " + line)
        }
    }
}

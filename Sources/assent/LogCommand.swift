import ArgumentParser
import AssentEngine
import AssentRecords
import AssentLog

/// `assent log`: the auditor's interface to the log, in standard formats.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Append notes to the log and audit it: checkpoints, entries, proofs, verification.",
        subcommands: [
            Append.self, Info.self, CheckpointCommand.self, Key.self, Entry.self, Entries.self, Prove.self,
            Consistency.self, Verify.self, ExportTiles.self,
        ])

    /// `assent log info`.
    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the log's origin, size, root and checkpoint count.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try reportingErrors {
                let ledger = try global.openLedger()
                let size = try ledger.size()
                let root = try ledger.root(size: size)
                let checkpoints = try ledger.checkpointCount()
                if global.json {
                    Console.json(
                        JSONObject([
                            ("origin", .string(ledger.origin)), ("size", .integer(Int64(size))),
                            ("root", .string(Base64.encode(root))), ("checkpoints", .integer(Int64(checkpoints))),
                            ("log_key", .string(ledger.verifier.keyString)),
                        ]))
                } else {
                    Console.line("origin:      \(ledger.origin)")
                    Console.line("size:        \(size)")
                    Console.line("root:        \(Base64.encode(root))")
                    Console.line("checkpoints: \(checkpoints)")
                    Console.line("key:         \(ledger.verifier.keyString)")
                }
            }
        }
    }

    /// `assent log checkpoint`.
    struct CheckpointCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint",
            abstract: "Print the latest signed checkpoint verbatim (a C2SP signed note).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Print the checkpoint of this size instead of the latest.")
        var size: UInt64?

        func validate() throws { try checkLogIndexes([("--size", size)]) }

        func run() throws {
            try reportingErrors {
                let ledger = try global.openLedger()
                let note = try size.map { try ledger.checkpointNote(size: $0) } ?? ledger.latestCheckpoint().note
                Console.raw(Array(note.utf8))
            }
        }
    }

    /// `assent log key`.
    struct Key: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the verifier key string <name>+<hex key id>+<base64 key>.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try reportingErrors { Console.line(try global.openLedger().verifier.keyString) }
        }
    }

    /// `assent log entry`.
    struct Entry: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one entry; --raw writes its exact bytes (no newline).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The entry's 0-based index.")
        var seq: UInt64
        @Flag(help: "Write the exact entry bytes, as hashed into the log.")
        var raw = false

        func validate() throws { try checkLogIndexes([("N", seq)]) }

        func run() throws {
            try reportingErrors {
                let entry = try global.openLedger().entry(seq)
                if raw {
                    Console.raw(entry.bytes)
                } else if global.json {
                    let body = try JSONParser.parse(entry.bytes)
                    Console.json(
                        JSONObject([
                            ("seq", .integer(Int64(entry.seq))), ("type", .string(entry.type)),
                            ("leaf_hash", .string(Base64.encode(entry.leafHash))), ("entry", body),
                        ]))
                } else {
                    Console.line(String(decoding: entry.bytes, as: UTF8.self))
                }
            }
        }
    }

    /// `assent log entries`.
    struct Entries: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write entries as JSONL (the exact canonical bytes, one a line), for mirroring the log.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The first index (default 0).")
        var from: UInt64 = 0
        @Option(help: "Stop before this index (default: the end of the log).")
        var to: UInt64?

        func validate() throws { try checkLogIndexes([("--from", from), ("--to", to)]) }

        func run() throws {
            try reportingErrors {
                let ledger = try global.openLedger()
                let end = try to ?? ledger.size()
                guard from <= end else { throw ValidationError("--from \(from) is after --to \(end)") }
                var buffer: [UInt8] = []
                try ledger.forEachEntry(from: from, to: end) { _, _, bytes in
                    buffer.append(contentsOf: bytes)
                    buffer.append(0x0A)
                    if buffer.count > 1 << 20 {
                        Console.raw(buffer)
                        buffer.removeAll(keepingCapacity: true)
                    }
                }
                Console.raw(buffer)
            }
        }
    }

    /// `assent log prove`.
    struct Prove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a c2sp.org/tlog-proof@v1 file proving that entry N is in the log.",
            discussion: "Verify it with: assent proof verify-inclusion --key log.vkey --entry ENTRY PROOF")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The entry's 0-based index.")
        var seq: UInt64
        @Option(help: "Prove against the checkpoint of this size (a checkpointed size; default the latest).")
        var size: UInt64?

        func validate() throws { try checkLogIndexes([("N", seq), ("--size", size)]) }

        func run() throws {
            try reportingErrors {
                let proof = try global.openLedger().inclusionProof(index: seq, size: size)
                Console.raw(Array(proof.text.utf8))
            }
        }
    }

    /// `assent log consistency`.
    struct Consistency: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the consistency proof between the checkpoints of sizes M and N: base64 hashes, one a line."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The older (smaller) checkpointed size.")
        var oldSize: UInt64
        @Argument(help: "The newer checkpointed size.")
        var newSize: UInt64

        func validate() throws { try checkLogIndexes([("M", oldSize), ("N", newSize)]) }

        func run() throws {
            try reportingErrors {
                let proof = try global.openLedger().consistencyProof(oldSize: oldSize, newSize: newSize)
                if global.json {
                    Console.json(
                        JSONObject([
                            ("old_size", .integer(Int64(oldSize))), ("new_size", .integer(Int64(newSize))),
                            ("proof", .array(proof.map { .string(Base64.encode($0)) })),
                        ]))
                } else {
                    for hash in proof { Console.line(Base64.encode(hash)) }
                }
            }
        }
    }

    /// `assent log verify`.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Recompute the hash chain, the tree, every checkpoint and the derived tables; exit 2 naming the first bad entry.",
            discussion: """
                With --trusted-checkpoint (a checkpoint you kept outside the ledger folder, e.g. from an earlier \
                assent log checkpoint) it also checks that the log still extends it, so a rewritten or truncated \
                log is caught even if its own keys were replaced.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(
            name: .customLong("trusted-checkpoint"),
            help: ArgumentHelp("A signed checkpoint held outside the folder.", valueName: "file"))
        var trustedCheckpoint: String?
        @Option(
            help: ArgumentHelp(
                "The verifier key for the trusted checkpoint (default: the ledger's log.vkey).", valueName: "vkeyfile"))
        var key: String?

        func validate() throws {
            if key != nil && trustedCheckpoint == nil { throw ValidationError("--key goes with --trusted-checkpoint") }
        }

        func run() throws {
            try reportingErrors {
                let ledger = try global.openLedger()
                let trusted = try trustedCheckpoint.map { try readTextFile($0, what: "checkpoint") }
                let verifier = try key.map(readVerifierKey)
                let progress = global.makeProgress()
                defer { progress.finish() }
                let (report, derived) = try verifyWithDerivedTables(
                    ledger, trustedCheckpoint: trusted, trustedVerifier: verifier, progress: progress)
                progress.finish()
                if global.json {
                    var object = JSONObject([
                        ("valid", .bool(true)), ("entries", .integer(Int64(report.entries))),
                        ("checkpoints", .integer(Int64(report.checkpoints))), ("tiles", .integer(Int64(report.tiles))),
                        ("root", .string(Base64.encode(report.root))), ("derived_rows", .integer(Int64(derived))),
                    ])
                    if let size = report.trustedSize { object["trusted_size"] = .integer(Int64(size)) }
                    Console.json(object)
                } else {
                    Console.line("ok: \(report.entries) entries, hash chain intact")
                    Console.line("ok: tree recomputed (\(report.tiles) tiles), root \(Base64.encode(report.root))")
                    Console.line(
                        "ok: \(report.checkpoints) checkpoints signed by \(ledger.verifier.name) and matching the tree")
                    if let size = report.trustedSize {
                        Console.line("ok: consistent with the trusted checkpoint at size \(size)")
                    }
                    Console.line("ok: derived tables rebuilt from the log and equal to the database (\(derived) rows)")
                }
            }
        }
    }
}

/// Recomputes the hash chain, the tree and every checkpoint, and in the same pass rebuilds the derived
/// tables from the entries the chain check parsed and compares them with the database.
/// - Returns: the log's report and the number of derived rows compared.
func verifyWithDerivedTables(
    _ ledger: Ledger, trustedCheckpoint: String? = nil, trustedVerifier: NoteVerifier? = nil, progress: ProgressLine
) throws -> (LedgerVerificationReport, Int) {
    // The tables and the entries must be read from one snapshot, or a commit between the two reads
    // looks like an edited table.
    let check = try DerivedStateCheck(store: try RecordStore(ledger: ledger))
    return try ledger.reading {
        let total = Int(try ledger.size())
        let derivedCheck = try check.session()
        let report = try ledger.verify(
            trustedCheckpoint: trustedCheckpoint, trustedVerifier: trustedVerifier,
            progress: { done in progress.update("verifying", done: Int(done), total: total) },
            observe: { seq, type, entry in try derivedCheck.consume(seq: seq, type: type, entry: entry) })
        return (report, try derivedCheck.finish())
    }
}

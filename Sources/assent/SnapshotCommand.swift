import ArgumentParser
import AssentEngine
import AssentLog
import AssentOperations
import AssentRecords
import Foundation

/// `assent snapshot`: the exact consented set, logged, with proofs for single samples.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Cut, inspect and prove snapshots: the exact consented set at a log height under a policy.",
        subcommands: [
            Create.self, Show.self, Members.self, Diff.self, Explain.self, Prove.self, VerifyProof.self, Check.self,
        ],
        defaultSubcommand: Create.self)

    /// Loads a policy file, or the standard policy.
    static func policy(_ path: String?) throws -> Policy {
        guard let path else { return .standard }
        return try Policy(json: try readFile(path, what: "policy file"))
    }

    /// Prints a snapshot statement.
    static func print(_ snapshot: Snapshot, json: Bool) {
        if json {
            Console.json(snapshot.statement)
            return
        }
        let p = snapshot.parameters
        Console.line("snapshot \(snapshot.id): \(snapshot.count) samples, root sha256:\(Hex.encode(snapshot.root))")
        Console.line(
            "  heights: base \(p.baseHeight), revocations \(p.revocationHeight); as of \(p.asOf), evaluated \(p.evaluatedAt)"
        )
        Console.line("  policy \(snapshot.policy.name) (\(snapshot.policy.digest)), purpose \(snapshot.policy.purpose)")
        Console.line("  \(p.shards) shard(s): " + snapshot.shardCounts.map(String.init).joined(separator: " "))
    }

    /// `assent snapshot [create]`.
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Cut and log a snapshot (the default when no subcommand is given).",
            discussion: "Example: assent snapshot --policy Schemas/policy-default.json --shards 4")
        @OptionGroup var global: GlobalOptions
        @Option(
            help: ArgumentHelp(
                "A policy file (default: the standard policy, Schemas/policy-default.json).", valueName: "file"))
        var policy: String?
        @Option(help: "Base height H: samples logged below it (default: the current log size).")
        var at: UInt64?
        @Option(name: .customLong("as-of"), help: "As-of time T, UTC (default: now).")
        var asOf: String?
        @Option(help: "Shard count K (1–256).")
        var shards = 1

        func validate() throws {
            try checkLogIndexes([("--at", at)])
            guard (1...256).contains(shards) else { throw ValidationError("--shards must be between 1 and 256") }
        }

        func run() throws {
            try reportingErrors {
                let operations = try Operations(ledger: try global.openLedger())
                let policy = try SnapshotCommand.policy(policy)
                let progress = global.makeProgress()
                defer { progress.finish() }
                let (snapshot, sweep) = try operations.createSnapshot(
                    policy: policy, at: at, asOf: asOf, shards: shards
                ) { progress.update($0, done: 0) }
                progress.finish()
                reportSweep(sweep)
                SnapshotCommand.print(snapshot, json: global.json)
            }
        }
    }

    /// `assent snapshot show`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a snapshot's statement.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The snapshot id (snap-<seq>).")
        var id: String

        func run() throws {
            try reportingErrors {
                SnapshotCommand.print(
                    try SnapshotStore(store: try RecordStore(ledger: try global.openLedger())).load(id),
                    json: global.json)
            }
        }
    }

    /// `assent snapshot members`.
    struct Members: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the exact leaf bytes, one per line, in leaf order.")
        @OptionGroup var location: LedgerOption
        @Argument(help: "The snapshot id.")
        var id: String

        func run() throws {
            try reportingErrors {
                let store = SnapshotStore(store: try RecordStore(ledger: try location.openLedger()))
                var output: [UInt8] = []
                for member in try store.members(try store.load(id)) { output += member.leaf + [0x0A] }
                Console.raw(output)
            }
        }
    }

    /// `assent snapshot diff`.
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the samples only in A (-) and only in B (+).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Snapshot A.")
        var first: String
        @Argument(help: "Snapshot B.")
        var second: String

        func run() throws {
            try reportingErrors {
                let store = SnapshotStore(store: try RecordStore(ledger: try global.openLedger()))
                let (removed, added) = try store.diff(try store.load(first), try store.load(second))
                if global.json {
                    Console.json(
                        JSONObject([
                            ("removed", .array(removed.map { .string("sha256:" + Hex.encode($0)) })),
                            ("added", .array(added.map { .string("sha256:" + Hex.encode($0)) })),
                        ]))
                } else {
                    for commitment in removed { Console.line("- sha256:\(Hex.encode(commitment))") }
                    for commitment in added { Console.line("+ sha256:\(Hex.encode(commitment))") }
                    Console.note("\(removed.count) only in \(first), \(added.count) only in \(second)")
                }
            }
        }
    }

    /// `assent snapshot explain`.
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether a sample is in a snapshot, and why.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The snapshot id.")
        var id: String
        @Argument(help: "The sample id (sha256:<hex>).")
        var sample: String

        func run() throws {
            try reportingErrors {
                let commitment = try sampleID(sample)
                let store = SnapshotStore(store: try RecordStore(ledger: try global.openLedger()))
                let result = try store.explain(try store.load(id), commitment: commitment)
                if global.json {
                    Console.json(result)
                } else {
                    Console.line(
                        "\(result["member"]?.boolValue == true ? "in" : "out"): \(result["reason"]?.stringValue ?? "")")
                }
            }
        }
    }

    /// `assent snapshot prove`.
    struct Prove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a membership or non-membership proof for one sample.",
            discussion: "Check it with: assent snapshot verify-proof PROOF --root sha256:… --size N")
        @OptionGroup var location: LedgerOption
        @Argument(help: "The snapshot id.")
        var id: String
        @Option(help: "The sample's commitment (sha256:<hex>).")
        var sample: String
        @Option(help: ArgumentHelp("Write the proof here (default: stdout).", valueName: "file"))
        var out: String?

        func run() throws {
            try reportingErrors {
                let commitment = try sampleID(sample)
                let store = SnapshotStore(store: try RecordStore(ledger: try location.openLedger()))
                let snapshot = try store.load(id)
                let proof = try store.prove(snapshot, commitment: commitment)
                let text = String(decoding: CanonicalJSON.encode(.object(proof)), as: UTF8.self) + "\n"
                if let out {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: out))
                    Console.note(
                        "\(proof["member"]?.boolValue == true ? "membership" : "non-membership") proof written to \(out)"
                    )
                } else {
                    Console.raw(Array(text.utf8))
                }
            }
        }
    }

    /// `assent snapshot verify-proof`.
    struct VerifyProof: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-proof",
            abstract: "Check a membership or non-membership proof against a root and size (exit 0 valid, 2 not).")
        @Argument(help: "The proof file.")
        var proofFile: String
        @Option(help: "The trusted root (sha256:<hex>), from the snapshot entry.")
        var root: String
        @Option(help: "The trusted member count, from the snapshot entry.")
        var size: UInt64
        @Flag(help: "Print the result as JSON.")
        var json = false

        func validate() throws { try checkLogIndexes([("--size", size)]) }

        func run() throws {
            try reportingErrors {
                guard let rootBytes = RevocationRegistry.parseCommitment(root) else {
                    throw RecordsError(.invalidInput, "--root: expected sha256:<64 hex digits>")
                }
                let bytes = try readFile(proofFile, what: "proof file")
                guard let proof = try? JSONParser.parse(bytes).objectValue else {
                    throw VerificationFailure(message: "\(proofFile) is not a JSON object")
                }
                let member: Bool
                do { member = try SnapshotProof.verify(proof, root: rootBytes, size: size) } catch {
                    throw VerificationFailure(message: "\(error)")
                }
                let commitment = proof["commitment"]?.stringValue ?? ""
                if json {
                    Console.json(
                        JSONObject([
                            ("valid", .bool(true)), ("member", .bool(member)), ("commitment", .string(commitment)),
                        ]))
                } else {
                    Console.line(
                        "valid: \(commitment) is \(member ? "a member" : "not a member") of the tree with root \(root) and \(size) leaves"
                    )
                }
            }
        }
    }

    /// `assent snapshot check`.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute a snapshot from the log entries alone and compare roots (exit 2 on a mismatch).")
        @OptionGroup var location: LedgerOption
        @Argument(help: "The snapshot id.")
        var id: String

        func run() throws {
            try reportingErrors {
                let store = SnapshotStore(store: try RecordStore(ledger: try location.openLedger()))
                let snapshot = try store.load(id)
                let (root, matches) = try store.recomputeFromLog(snapshot)
                guard matches else {
                    throw VerificationFailure(
                        message: "recomputed root sha256:\(Hex.encode(root)) differs from the logged one")
                }
                Console.line("ok: \(id) recomputed from the log gives root sha256:\(Hex.encode(root))")
            }
        }
    }
}

import ArgumentParser
import AssentLog
import AssentOperations
import AssentRecords

/// `assent witness`: the witnesses that cosign the log's checkpoints (c2sp.org/tlog-witness).
struct WitnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Configure the witnesses that cosign checkpoints, and push checkpoints to them.",
        discussion: """
            After every write the new checkpoint goes to each witness's add-checkpoint with a consistency \
            proof from the size it last cosigned; its cosignature is verified and stored. A witness that \
            answers 422 holds evidence of a fork: publishing to it stops and every command warns. assent \
            serve publishes only a checkpoint that meets the quorum, with its cosignature lines.
            """,
        subcommands: [Add.self, Remove.self, List.self, Policy.self, Push.self])

    /// `assent witness add`.
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a witness by its verifier key and submission URL.",
            discussion:
                "Example: assent witness add --vkey 'witness.example+1a2b3c4d+BA…' --url https://witness.example")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The witness's verifier key (name+keyid+base64 of 0x04 and its Ed25519 key).")
        var vkey: String
        @Option(help: "Its submission prefix (checkpoints go to URL/add-checkpoint).")
        var url: String

        func run() throws {
            try reportingErrors {
                let record = try WitnessRegistry(store: try RecordStore(ledger: try global.openLedger())).add(
                    vkey: vkey, url: url)
                if global.json { Console.json(record.json) } else { Console.line("added witness \(record.key.name)") }
            }
        }
    }

    /// `assent witness remove`.
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a witness and its stored cosignatures.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The witness's name.")
        var name: String

        func run() throws {
            try reportingErrors {
                try WitnessRegistry(store: try RecordStore(ledger: try global.openLedger())).remove(name)
                Console.line("removed witness \(name)")
            }
        }
    }

    /// `assent witness list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List witnesses, the size each cosigned, forks.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try reportingErrors {
                let registry = try WitnessRegistry(store: try RecordStore(ledger: try global.openLedger()))
                let records = try registry.list()
                if global.json {
                    Console.json(
                        JSONObject([
                            ("witnesses", .array(records.map { .object($0.json) })),
                            ("quorum", .integer(Int64(try registry.quorum()))),
                        ]))
                    return
                }
                if records.isEmpty { Console.line("no witnesses (assent witness add --vkey VKEY --url URL)") }
                for record in records {
                    Console.line(
                        "\(record.key.name)  \(record.url)  cosigned size \(record.size)\(record.fork.map { "  FORK: \($0)" } ?? "")"
                    )
                }
            }
        }
    }

    /// `assent witness policy`.
    struct Policy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the log's C2SP tlog-policy (for assent verify --witness-policy); --quorum sets it.")
        @OptionGroup var location: LedgerOption
        @Option(help: "How many witnesses must cosign a checkpoint before it is published (default: all).")
        var quorum: Int?

        func run() throws {
            try reportingErrors {
                let registry = try WitnessRegistry(store: try RecordStore(ledger: try location.openLedger()))
                if let quorum { try registry.setQuorum(quorum) }
                Console.raw(Array(try registry.policy().utf8))
            }
        }
    }

    /// `assent witness push`.
    struct Push: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Push the latest checkpoint to every witness now (every write does it too).")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try reportingErrors {
                let outcomes = try Operations(ledger: try global.openLedger()).publishToWitnesses()
                if global.json {
                    Console.json(
                        JSONObject([
                            (
                                "witnesses",
                                .array(
                                    outcomes.map {
                                        .object(
                                            JSONObject([
                                                ("witness", .string($0.witness)),
                                                ("status", .string($0.status.rawValue)),
                                                ("detail", .string($0.detail)),
                                            ]))
                                    })
                            )
                        ]))
                } else {
                    for outcome in outcomes {
                        Console.line("\(outcome.witness): \(outcome.status.rawValue): \(outcome.detail)")
                    }
                    if outcomes.isEmpty { Console.line("no witnesses configured") }
                }
                if outcomes.contains(where: { $0.status != .cosigned }) { throw ExitCode(1) }
            }
        }
    }
}

/// Warns about witnesses that did not cosign after a write; a fork loudly.
func reportWitnesses(_ outcomes: [WitnessOutcome]) {
    for outcome in outcomes {
        switch outcome.status {
        case .cosigned: continue
        case .fork:
            Console.note(
                "assent: ALARM: witness \(outcome.witness) holds evidence of a FORK of this log: \(outcome.detail)")
        case .failed:
            Console.note("assent: warning: witness \(outcome.witness): \(outcome.detail); assent witness push retries")
        }
    }
}

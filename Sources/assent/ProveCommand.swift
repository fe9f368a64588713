import ArgumentParser
import AssentEngine
import AssentLog
import AssentOperations
import AssentProofs
import AssentRecords
import Foundation

/// `assent prove`: writes a model's provenance proof.
struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract:
            "Write a model's provenance proof: signature, SLSA provenance, snapshot statement, entries, checkpoint, status.",
        discussion: """
            --out-dir writes each part as its own standard file: model.sig (OpenSSF model signing; \
            `model_signing verify key` reads it), signing-key.pub.pem, provenance.dsse.json, snapshot.dsse.json, \
            status.dsse.json, checkpoint, log.vkey, snapshot-entry.tlog-proof, model-entry.tlog-proof, \
            entries/<seq>.entry and .tlog-proof, and with --sample sample-proof.json. --bundle writes the same \
            in one JSON file. Check it with: assent verify DIR --model MODELDIR --trust trust.json
            """)
    @OptionGroup var location: LedgerOption
    @Argument(help: "The model id.")
    var model: String
    @Option(help: ArgumentHelp("Write one JSON bundle here.", valueName: "file"))
    var bundle: String?
    @Option(
        name: .customLong("out-dir"), help: ArgumentHelp("Write the parts as files into this folder.", valueName: "dir")
    )
    var outDir: String?
    @Option(help: "Also prove this sample's membership or absence (sha256:<hex>).")
    var sample: String?
    @Option(
        name: .customLong("valid-for"),
        help:
            "How long the status attestation is valid, in seconds (1 to 2592000; default 3600). Keep it short: a status says nothing of revocations logged after it."
    )
    var validFor: Int64 = 3600
    @Flag(help: "With --out-dir: empty a folder that is not empty first (otherwise it is refused).")
    var force = false

    func validate() throws {
        guard (bundle == nil) != (outDir == nil) else { throw ValidationError("give --bundle FILE or --out-dir DIR") }
        guard (1...30 * 86_400).contains(validFor) else {
            throw ValidationError("--valid-for must be between 1 and 2592000 seconds (30 days)")
        }
        if force && outDir == nil { throw ValidationError("--force goes with --out-dir") }
    }

    func run() throws {
        try reportingErrors {
            let files = try Operations(ledger: try location.openLedger()).proof(
                model: model, sample: try sample.map(sampleID), validity: validFor)
            if let outDir {
                try Self.prepare(outDir: URL(fileURLWithPath: outDir), force: force)
                try ProofBuilder.write(files, to: URL(fileURLWithPath: outDir))
                Console.line("wrote \(files.count) files to \(outDir)")
            } else if let bundle {
                try Data(ProofBuilder.bundle(files)).write(to: URL(fileURLWithPath: bundle))
                Console.line("wrote the proof bundle \(bundle) (\(files.count) parts)")
            }
        }
    }
}

extension ProveCommand {
    /// Refuses a proof folder that already holds files (old and new parts would mix), unless `force`,
    /// which empties it first.
    static func prepare(outDir: URL, force: Bool) throws {
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: outDir.path)) ?? []
        guard !existing.isEmpty else { return }
        guard force else {
            throw LedgerError(
                .invalidInput,
                "\(outDir.path) is not empty (\(existing.count) entries); old and new proof files would mix. Choose a new folder, or give --force to empty it"
            )
        }
        for name in existing { try FileManager.default.removeItem(at: outDir.appendingPathComponent(name)) }
    }
}

/// `assent verify`: checks a provenance proof offline, step by step.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a provenance proof offline against a model folder; exit 2 naming the failed step.",
        discussion: """
            Exit codes: 0 verified against the keys of --trust; 2 a step failed (named); 3 every step passed \
            but no --trust was given, so the proof is only internally consistent (a proof forged on another \
            ledger is consistent too). The status step says how old the operator's status attestation is: \
            it speaks for the log as of its checkpoint, not for what was logged since (--max-age bounds that \
            age; --log-mirror checks the status against a current copy of the log).

            Example: assent verify proof/ --model ./model --trust trust.json --max-age 1h
            """)
    @Argument(help: "A proof folder (--out-dir) or bundle file (--bundle).")
    var proof: String
    @Option(help: ArgumentHelp("The model folder to check.", valueName: "dir"))
    var model: String
    @Option(help: ArgumentHelp("trust.json with the log and signing keys to pin.", valueName: "file"))
    var trust: String?
    @Option(
        name: .customLong("max-age"),
        help: "Fail if the status attestation is older than this many seconds (or 24h, 30m, 7d).")
    var maxAge: String?
    @Option(
        name: .customLong("log-mirror"),
        help: ArgumentHelp("A mirror of the log (assent log entries) to check the status against.", valueName: "file"))
    var logMirror: String?
    @Option(
        name: .customLong("witness-policy"),
        help: ArgumentHelp(
            "A C2SP tlog-policy (assent witness policy): the checkpoint must carry its witness quorum.",
            valueName: "file"))
    var witnessPolicy: String?
    @Flag(help: "Retrain from the ledger and vault (needs --ledger) and compare bytes.")
    var reproduce = false
    @Option(help: ArgumentHelp("The ledger, for --reproduce.", valueName: "dir"))
    var ledger: String?
    @Flag(name: .customLong("allow-stale"), help: "Accept a stale model (the report still names its successor).")
    var allowStale = false
    @Flag(help: "Print the report as JSON.")
    var json = false

    static func seconds(_ text: String) throws -> Int64 {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        let unit = text.last.flatMap { units[$0] }
        let digits = unit == nil ? Substring(text) : text.dropLast()
        guard let number = Int64(digits), number >= 0, !digits.hasPrefix("+"),
            case let (product, overflow) = number.multipliedReportingOverflow(by: unit ?? 1), !overflow,
            product <= 100 * 366 * 86_400
        else {
            throw ValidationError("--max-age takes seconds, or a number with s, m, h or d, at most 100 years")
        }
        return product
    }

    func run() throws {
        try reportingErrors {
            var verifier = ProofVerifier()
            verifier.allowStale = allowStale
            verifier.maxAge = try maxAge.map(Self.seconds)
            verifier.logMirror = logMirror.map { URL(fileURLWithPath: $0) }
            if let trust { verifier.trust = try TrustAnchor(json: try readFile(trust, what: "trust file")) }
            if let witnessPolicy {
                verifier.witnessPolicy = try WitnessPolicy(
                    text: try readTextFile(witnessPolicy, what: "witness policy"))
            }
            let outcome: VerificationOutcome
            do {
                let files = try ProofBuilder.read(URL(fileURLWithPath: proof))
                let ledger = self.ledger
                let reproducing: (() throws -> Operations)? =
                    reproduce
                    ? {
                        guard let ledger else { throw ProofError("reproduce", "--reproduce needs --ledger DIR") }
                        return try Operations(ledger: try Ledger(opening: URL(fileURLWithPath: ledger)))
                    } : nil
                outcome = try VerificationOutcome(
                    verifying: files, model: URL(fileURLWithPath: model), with: verifier, reproducing: reproducing)
            } catch let error as ProofError {
                outcome = VerificationOutcome(steps: [], failure: error, isAnchored: verifier.trust != nil)
            }
            print(outcome)
            if outcome.failure != nil { throw ExitCode(2) }
            if !outcome.isAnchored { throw ExitCode(3) }
        }
    }

    private func print(_ outcome: VerificationOutcome) {
        let (steps, failure, isAnchored) = (outcome.steps, outcome.failure, outcome.isAnchored)
        if json {
            Console.json(outcome.json)
            return
        }
        for step in steps { Console.line("ok    \(step.name): \(step.detail)") }
        if let failure {
            Console.line("FAIL  \(failure.step): \(failure.message)")
            Console.error("verification failed at step \(failure.step)")
        } else if isAnchored {
            Console.line("verified")
        } else {
            Console.line(
                "UNANCHORED: internally consistent only. Every step passed against the keys inside the proof, which a proof forged on another ledger also passes; give --trust trust.json (from the operator, assent keys export) to verify whose ledger it is"
            )
        }
    }
}

/// `assent keys export`.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Publish the ledger's public keys.", subcommands: [Export.self])

    /// `assent keys export`.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write trust.json (origin, log verifier key, signing public key) for verifiers.")
        @OptionGroup var location: LedgerOption
        @Option(help: ArgumentHelp("Where to write it (default: stdout).", valueName: "file"))
        var out: String?

        func run() throws {
            try reportingErrors {
                let ledger = try location.openLedger()
                let trust = JSONObject([
                    ("origin", .string(ledger.origin)), ("log_key", .string(ledger.verifier.keyString)),
                    ("signing_key", .string(try ledger.signingPublicKeyPEM())),
                ])
                let text = String(decoding: CanonicalJSON.encode(.object(trust)), as: UTF8.self) + "\n"
                if let out {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: out))
                } else {
                    Console.raw(Array(text.utf8))
                }
            }
        }
    }
}

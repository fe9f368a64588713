import ArgumentParser
import AssentEngine
import AssentLog
import AssentOperations
import AssentRecords
import Foundation

/// `assent train`: trains through the ledger, on exactly a snapshot's members.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on a snapshot's members and log it (a fresh snapshot unless --snapshot is given).",
        discussion: """
            Trainers: logistic (multinomial logistic regression) and naive-bayes (integer counts). Content \
            is a JSON object with label and features (numbers) or text. Config fields and defaults: input \
            features, labels 0..9, features 64, feature_scale 16, hash_dimension 4096, word_ngrams 2, \
            char_ngrams 0, c_micros 1000000, max_iterations 500, smoothing_micros 1000000 (fractions in \
            millionths; JSON holds integers only). The logistic trainer minimises the mean log-loss plus \
            ‖w‖²/(2·C·n) full-batch with L-BFGS, the objective of scikit-learn's LogisticRegression(C).

            The model id is the OpenSSF model-signing root digest of its folder. Training that yields a \
            model already logged from the same snapshot logs nothing and reports that model.

            Example: assent train --trainer logistic --shards 4 --seed 7
            """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "logistic, naive-bayes, or exec (an external command, with --exec).")
    var trainer: String
    @Option(
        help: ArgumentHelp(
            "With --trainer exec: the command, run by /bin/sh in a bubblewrap sandbox (no network, read-only system folders, nothing of the ledger) with only ASSENT_INPUT, ASSENT_OUTPUT, ASSENT_SEED, ASSENT_THREADS, ASSENT_SHARDS and PATH set.",
            valueName: "command"))
    var exec: String?
    @Flag(
        name: .customLong("check-determinism"),
        help: "With --trainer exec: run twice in fresh folders and record whether the bytes matched.")
    var checkDeterminism = false
    @Option(help: ArgumentHelp("A trainer config (JSON).", valueName: "file"))
    var config: String?
    @Option(help: "Shard count K for a fresh snapshot (must equal the snapshot's with --snapshot).")
    var shards: Int?
    @Option(help: "The seed (0…2^63−1).")
    var seed: UInt64 = 0
    @Option(help: ArgumentHelp("Policy for the fresh snapshot (default: the standard policy).", valueName: "file"))
    var policy: String?
    @Option(help: "Train on this snapshot instead of cutting a fresh one.")
    var snapshot: String?
    @Option(help: "Worker threads (the model does not depend on it).")
    var threads: Int?
    @Flag(
        name: .customLong("no-sandbox"),
        help:
            "With --trainer exec: run the command unconfined (no bubblewrap). It can then read the ledger and its keys; recorded in the model entry."
    )
    var noSandbox = false
    @Option(
        name: .customLong("sandbox-ro"),
        help: ArgumentHelp(
            "With --trainer exec: a path the sandboxed job may read (a virtual environment, the trainer's code); repeatable.",
            valueName: "path"))
    var sandboxReadOnly: [String] = []
    @Option(
        name: .customLong("pass-env"),
        help: ArgumentHelp(
            "With --trainer exec: pass this environment variable to the job (it starts with none); repeatable.",
            valueName: "name"))
    var passEnvironment: [String] = []
    @Option(help: ArgumentHelp("With --trainer exec: kill the job after this many seconds.", valueName: "seconds"))
    var timeout: Int?
    @Flag(
        name: .customLong("per-shard"),
        help:
            "With --trainer exec: one job per shard (ASSENT_SHARD set, only that shard's samples in ASSENT_INPUT); reproduction re-runs only the shards a revocation touched."
    )
    var perShard = false
    @Option(
        name: .customLong("aggregate-exec"),
        help: ArgumentHelp(
            "With --per-shard: a command run once after the shard jobs, with ASSENT_SHARDS_DIR (the shard outputs, read-only); its output is aggregate/.",
            valueName: "command"))
    var aggregateExec: String?
    @Option(help: "With --per-shard: shard jobs run at once (default: the number of cores).")
    var jobs: Int?
    @OptionGroup var runner: RunnerOptions

    /// The external-job options the flags give.
    var execOptions: ExecOptions {
        var options = ExecOptions()
        options.isSandboxed = !noSandbox
        options.readOnlyPaths = sandboxReadOnly
        options.passedEnvironment = passEnvironment
        options.timeoutSeconds = timeout
        return options
    }

    func validate() throws {
        if policy != nil && snapshot != nil { throw ValidationError("give --policy or --snapshot, not both") }
        if (trainer == "exec") != (exec != nil) {
            throw ValidationError("--exec COMMAND goes with --trainer exec, and only with it")
        }
        if checkDeterminism && trainer != "exec" {
            throw ValidationError("--check-determinism is for --trainer exec (built-in trainers are deterministic)")
        }
        if let shards, !(1...256).contains(shards) { throw ValidationError("--shards must be between 1 and 256") }
        try checkLogIndexes([("--seed", seed)])
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be between 1 and 1024") }
        if let timeout, !(1...31_536_000).contains(timeout) {
            throw ValidationError("--timeout must be between 1 and 31536000 seconds")
        }
        if aggregateExec != nil && !perShard { throw ValidationError("--aggregate-exec goes with --per-shard") }
        if perShard && exec == nil { throw ValidationError("--per-shard needs --trainer exec --exec COMMAND") }
        if (jobs != nil || runner.isGiven) && !perShard {
            throw ValidationError("--jobs, --runner and --ray-address go with --per-shard")
        }
        if let jobs, !(1...256).contains(jobs) { throw ValidationError("--jobs must be between 1 and 256") }
        if trainer != "exec" && (noSandbox || !sandboxReadOnly.isEmpty || !passEnvironment.isEmpty || timeout != nil) {
            throw ValidationError("--no-sandbox, --sandbox-ro, --pass-env and --timeout are for --trainer exec")
        }
    }

    func run() throws {
        try reportingErrors {
            let operations = try Operations(ledger: try global.openLedger())
            let engine = operations.engine
            if let threads { engine.threads = threads }
            engine.shardRunner = runner.shardRunner
            let progress = global.makeProgress()
            defer { progress.finish() }
            engine.progress = { progress.update($0, done: $1, total: $2) }
            let job: TrainingJob
            if let exec, perShard {
                var spec = PerShardExec(command: exec)
                spec.aggregateCommand = aggregateExec
                spec.checkDeterminism = checkDeterminism
                spec.options = execOptions
                if let jobs { spec.jobs = jobs }
                job = .perShard(spec)
            } else if let exec {
                job = .external(command: exec, checkDeterminism: checkDeterminism, options: execOptions)
            } else {
                let config =
                    try self.config.map { try TrainerConfig(json: try readFile($0, what: "config file")) }
                    ?? TrainerConfig()
                job = .builtIn(trainer: trainer, config: config)
            }
            let (result, sweep) = try operations.train(
                job, seed: seed, shards: shards, policy: try SnapshotCommand.policy(policy), snapshot: snapshot)
            progress.finish()
            if exec != nil {
                if noSandbox {
                    Console.note(
                        "WARNING: --no-sandbox: the trainer ran unconfined, with the same access as this user (the ledger, its vault and its private keys); the model entry records it"
                    )
                }
                let claim =
                    result.model.isDeterministic
                    ? "determinism check passed: every job gave the same bytes twice"
                    : checkDeterminism
                        ? "determinism check FAILED: the runs differed; logged without a reproducibility claim"
                        : "no determinism check: logged without a reproducibility claim"
                Console.note(claim)
            }
            TrainCommand.report(result, engine: engine, json: global.json)
            reportSweep(sweep)
        }
    }

    /// Prints a training or reproduction result.
    static func report(_ result: TrainingResult, engine: Engine, json: Bool) {
        if json {
            Console.json(result.json(engine: engine))
            return
        }
        Console.line("\(result.isNew ? "model" : "already logged:") \(result.model.id)")
        Console.line(
            "  snapshot \(result.snapshot); trainer \(result.model.trainer), seed \(result.model.seed); training accuracy \(result.model.trainer == "exec" || result.model.supersedes != nil ? "n/a" : percent(result.trainAccuracyBasisPoints))"
        )
        Console.line(
            "  shards trained: \(result.trainedShards.count) \(result.trainedShards), reused: \(result.reusedShards.count); samples trained on: \(result.trainedSamples)"
        )
        Console.line("  folder \(engine.folder(of: result.model).path)")
        if let old = result.model.supersedes { Console.line("  supersedes \(old)") }
        if result.staleOnArrival { Console.line("  stale on arrival: a revocation landed while it trained") }
    }
}

/// Formats basis points as a percentage.
func percent(_ basisPoints: Int) -> String { String(format: "%.2f%%", Double(basisPoints) / 100) }

/// Prints what the sweep after a write did: the models it marked stale, or a warning when it failed
/// (the write itself had committed).
func reportSweep(_ sweep: SweepOutcome) {
    for id in sweep.staleModels {
        Console.note("sweep: model \(id) is now stale (a consent expired or a revocation took effect)")
    }
    if let failure = sweep.failure {
        Console.note("assent: warning: the sweep after this command failed (\(failure)); run assent sweep")
    }
    reportWitnesses(sweep.witnesses)
}

/// `assent evaluate`.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Accuracy and confusion matrix of a model on held-out JSONL data (read directly, not ingested).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The model id (sha256:<hex>).")
    var model: String
    @Option(help: ArgumentHelp("JSONL of sample contents with labels.", valueName: "file"))
    var data: String

    func run() throws {
        try reportingErrors {
            let engine = try Engine(store: try RecordStore(ledger: try global.openLedger()))
            let report = try engine.evaluate(model, data: URL(fileURLWithPath: data))
            if global.json {
                Console.json(report)
                return
            }
            Console.line(
                "accuracy \(percent(Int(report["accuracy_bp"]!.integerValue!))) on \(report["samples"]!.integerValue!) samples"
            )
            let labels = report["labels"]!.arrayValue!.map { String($0.integerValue!) }
            Console.line("confusion (rows: true label, columns: predicted)")
            Console.line("      " + labels.map { $0.padding(toLength: 5, withPad: " ", startingAt: 0) }.joined())
            for (label, row) in zip(labels, report["confusion"]!.arrayValue!) {
                Console.line(
                    label.padding(toLength: 6, withPad: " ", startingAt: 0)
                        + row.arrayValue!.map {
                            String($0.integerValue!).padding(toLength: 5, withPad: " ", startingAt: 0)
                        }.joined())
            }
        }
    }
}

/// `assent models`.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "List models; --stale lists stale ones with their causes.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Only stale models.")
    var stale = false

    func run() throws {
        try reportingErrors {
            let engine = try Engine(store: try RecordStore(ledger: try global.openLedger()))
            let records = try engine.models(staleOnly: stale)
            if global.json {
                Console.json(JSONObject([("models", .array(records.map { .object($0.json) }))]))
                return
            }
            for record in records {
                let state = record.isStale ? "stale" + (record.supersededBy.map { " → \($0)" } ?? "") : "current"
                Console.line("\(record.id)  \(record.snapshot)  \(record.trainer)  \(state)")
                for cause in record.staleCauses {
                    Console.line("    cause: \(String(decoding: CanonicalJSON.encode(.object(cause)), as: UTF8.self))")
                }
            }
        }
    }
}

/// `assent model show`.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Show one model.", subcommands: [Show.self])

    /// `assent model show`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A model's folder and lineage: snapshot, policy, revocations that staled it, successor.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The model id.")
        var model: String

        func run() throws {
            try reportingErrors {
                let store = try RecordStore(ledger: try global.openLedger())
                let engine = try Engine(store: store)
                let record = try engine.model(model)
                let snapshot = try SnapshotStore(store: store).load(record.snapshot)
                var object = record.json
                object["path"] = .string(engine.folder(of: record).path)
                object["snapshot_statement"] = .object(snapshot.statement)
                if global.json {
                    Console.json(object)
                    return
                }
                Console.line("model      \(record.id)")
                Console.line("folder     \(engine.folder(of: record).path)")
                Console.line(
                    "snapshot   \(snapshot.id): \(snapshot.count) samples, root sha256:\(Hex.encode(snapshot.root))")
                Console.line("policy     \(snapshot.policy.name) \(snapshot.policy.digest)")
                Console.line("trainer    \(record.trainer), config \(record.configDigest), seed \(record.seed)")
                if let sandboxed = record.isSandboxed {
                    Console.line(
                        "sandbox    \(sandboxed ? "yes (bubblewrap)" : "NO: trained with --no-sandbox, unconfined")")
                }
                Console.line("supersedes \(record.supersedes ?? "-")")
                Console.line(
                    "status     \(record.isStale ? "stale" : "current")\(record.supersededBy.map { "; successor \($0)" } ?? "")"
                )
                for cause in record.staleCauses {
                    Console.line("  staled by \(String(decoding: CanonicalJSON.encode(.object(cause)), as: UTF8.self))")
                }
            }
        }
    }
}

/// `assent reproduce`.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Reproduce a stale model without the data it may no longer use, retraining only changed shards.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The stale model's id.")
    var model: String?
    @Flag(name: .customLong("all-stale"), help: "Reproduce every stale model that has no successor yet.")
    var allStale = false
    @OptionGroup var runner: RunnerOptions

    func validate() throws {
        guard (model != nil) != allStale else { throw ValidationError("give a model id or --all-stale") }
    }

    func run() throws {
        try reportingErrors {
            let operations = try Operations(ledger: try global.openLedger())
            let engine = operations.engine
            engine.shardRunner = runner.shardRunner
            let progress = global.makeProgress()
            defer { progress.finish() }
            engine.progress = { progress.update($0, done: $1, total: $2) }
            let (results, sweep) = try operations.reproduce(allStale ? nil : [model!]) { result in
                progress.finish()
                TrainCommand.report(result, engine: engine, json: global.json)
            }
            reportSweep(sweep)
            if results.isEmpty { Console.line("no stale models to reproduce") }
        }
    }
}

/// `assent sweep`.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Mark stale the models whose consents expired or whose revocations took effect later.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try reportingErrors {
            let marked = try Engine(store: try RecordStore(ledger: try global.openLedger())).sweep()
            if global.json {
                Console.json(JSONObject([("stale", .array(marked.map(JSONValue.string)))]))
            } else {
                Console.line(
                    marked.isEmpty ? "no model became stale" : marked.map { "stale: \($0)" }.joined(separator: "\n"))
            }
        }
    }
}

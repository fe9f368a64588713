import ArgumentParser
import AssentEngine
import AssentExports
import AssentLog
import AssentProofs
import AssentRecords
import Foundation

/// `assent demo`: the end-to-end walk-through a newcomer runs first.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the end-to-end demo on the digits dataset in a local folder (default ./assent-demo).",
        discussion: """
            Creates a ledger; records consent for 30 writers; ingests the digits training split with its \
            licence (CC-BY-4.0), attribution and, for 360 samples, their writer's consent; trains a sharded \
            model and evaluates it; revokes one writer, which marks the model stale; reproduces it retraining \
            only the affected shard; proves the writer's samples absent; shows that training from scratch gives \
            the same bytes; and shows that a changed byte on disk is caught. The folder is replaced on the next \
            run only if an earlier demo created it.
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

            let engine = try Engine(store: store)
            let trained = try engine.train(trainer: "logistic", seed: 7, shards: 4)
            let evaluation = try engine.evaluate(
                trained.model.id, data: dataset.appendingPathComponent("digits-test.jsonl"))
            step.say(
                "4. Trained logistic regression in 4 SISA shards on snapshot \(trained.snapshot) (\(trained.trainedSamples) samples)"
            )
            step.detail("model \(trained.model.id)")
            step.detail(
                "held-out accuracy on digits-test.jsonl: \(percent(Int(evaluation["accuracy_bp"]!.integerValue!))) of \(evaluation["samples"]!.integerValue!) samples"
            )

            var spec = PerShardExec(command: DemoData.shardCommand)
            spec.aggregateCommand = DemoData.aggregateCommand
            spec.checkDeterminism = true
            var external: TrainingResult? = nil
            do {
                external = try engine.trainExternalPerShard(spec, seed: 7, snapshot: trained.snapshot)
                step.detail(
                    "an external trainer on the same snapshot, one sandboxed job per shard: \(external!.model.id) (deterministic: \(external!.model.isDeterministic))"
                )
            } catch let error as EngineError {
                step.detail("external per-shard trainer skipped: \(error.message)")
            }

            let firstProof = folder.appendingPathComponent("proof-before-revocation")
            try ProofBuilder.write(try ProofBuilder(engine: engine).build(modelID: trained.model.id), to: firstProof)
            let trust = try TrustAnchor(json: [UInt8](try Data(contentsOf: ledger.paths.trust)))
            step.detail(
                "provenance proof in \(firstProof.lastPathComponent)/: \(try DemoData.verify(firstProof, model: engine.folder(of: trained.model), trust: trust))"
            )

            let revokedSubject = DemoData.subject(1)
            var staled: [String] = []
            let revocation = try RevocationRegistry(store: store).revoke(.subject(revokedSubject), reason: "withdrawn")
            { writer, affected, id in
                staled = try engine.markStale(affected: affected, revocation: id, writer: writer)
            }
            let stale = try engine.model(trained.model.id)
            step.say(
                "5. Writer 1 withdrew consent: \(revocation.id!) revokes \(revocation.affected.count) samples and, in the same transaction, marks \(staled.count) model\(staled.count == 1 ? "" : "s") stale"
            )
            step.detail(
                "stale: \(stale.id) (cause \(stale.staleCauses.first.map { String(decoding: CanonicalJSON.encode(.object($0)), as: UTF8.self) } ?? "?"))"
            )

            let reproduced = try engine.reproduce(trained.model.id)
            step.say(
                "6. Reproduced it without writer 1's data: retrained \(reproduced.trainedShards.count) of 4 shards \(reproduced.trainedShards) on \(reproduced.trainedSamples) samples, reused \(reproduced.reusedShards)"
            )
            step.detail(
                "new model \(reproduced.model.id) on snapshot \(reproduced.snapshot), superseding the stale one")
            if let external {
                let again = try engine.reproduce(external.model.id)
                step.detail(
                    "the external per-shard model: re-ran \(again.trainedShards.count) of 4 shard jobs \(again.trainedShards), reused \(again.reusedShards) after checking their digests"
                )
            }

            let snapshots = SnapshotStore(store: store)
            let recut = try snapshots.load(reproduced.snapshot)
            var absent = 0
            for commitment in revocation.affected {
                let proof = try snapshots.prove(recut, commitment: commitment)
                if try !SnapshotProof.verify(proof, root: recut.root, size: UInt64(recut.count)) { absent += 1 }
            }
            step.say(
                "7. All \(absent) of writer 1's samples are provably absent from \(recut.id) (non-membership proofs against its root)"
            )

            let scratch = try engine.train(trainer: "logistic", seed: 7, snapshot: recut.id)
            let identical = scratch.model.id == reproduced.model.id && !scratch.isNew
            step.say(
                "8. Training from scratch on \(recut.id) gives \(identical ? "the same bytes (same model id; nothing new logged)" : "DIFFERENT bytes")"
            )
            guard identical else { throw ExitCode(1) }

            let staleProof = folder.appendingPathComponent("proof-stale-model")
            try ProofBuilder.write(try ProofBuilder(engine: engine).build(modelID: trained.model.id), to: staleProof)
            let newProof = folder.appendingPathComponent("proof-reproduced-model")
            try ProofBuilder.write(try ProofBuilder(engine: engine).build(modelID: reproduced.model.id), to: newProof)
            step.say("9. Proofs after the revocation, verified offline with the published trust.json:")
            step.detail(
                "stale model (\(staleProof.lastPathComponent)/): \(try DemoData.verify(staleProof, model: engine.folder(of: stale), trust: trust))"
            )
            step.detail(
                "reproduced model (\(newProof.lastPathComponent)/): \(try DemoData.verify(newProof, model: engine.folder(of: reproduced.model), trust: trust))"
            )

            try SourceRegistry(store: store).set(
                "uci-digits", category: "public", uri: "https://archive.ics.uci.edu/dataset/80",
                description: "Optical Recognition of Handwritten Digits (UCI)")
            let exports = folder.appendingPathComponent("exports")
            let provider = try ProviderFile(
                bytes: Array(
                    #"{"name":"Assent demo","contact":"demo@example.org","placement_date":"2026-01-01","code_of_practice_signatory":false,"narratives":{"1.3":"Handwritten digits, 8x8 pixels, 10 classes."}}"#
                        .utf8), name: "demo provider")
            let exporter = Exporter(engine: engine)
            var summary = try exporter.aiActSummary(model: reproduced.model.id, provider: provider)
            summary.warnings = []
            _ = try summary.write(into: exports.appendingPathComponent("ai-act-summary"))
            try ExportFiles.write(
                Array(PrettyJSON.encode(try exporter.spdx(model: reproduced.model.id, license: "NOASSERTION")).utf8),
                to: exports.appendingPathComponent("model.spdx3.json"))
            step.say(
                "10. Exports for the reproduced model in \(exports.lastPathComponent)/: the AI Act training-content summary (ai-act-summary/summary.md, .html, .json) and an SPDX 3.0.1 AI BOM (model.spdx3.json)"
            )

            let verifyReport = try ledger.verify()
            step.say(
                "11. assent log verify: \(verifyReport.entries) entries, \(verifyReport.checkpoints) checkpoints, chain and tree recomputed"
            )
            try ledger.checkpointWriteAheadLog()
            let tampered = try DemoData.tamperedCopy(
                of: ledger.paths.folder, in: folder, changing: "\"source\":\"uci-digits\"")
            do {
                _ = try Ledger(opening: tampered).verify()
                step.say("12. ERROR: a changed log byte was not detected")
                throw ExitCode(1)
            } catch let error as LedgerError {
                step.say("12. One byte changed in a copy of the ledger: verify says \"\(error.message)\"")
            }
            step.say("")
            step.say(
                "Look around: assent models --ledger \(ledger.paths.folder.path)   assent status --ledger \(ledger.paths.folder.path)"
            )
            step.say(
                "In a browser: assent serve --ledger \(ledger.paths.folder.path) --listen 127.0.0.1:8080 --public-explorer, then open http://127.0.0.1:8080/ (it runs the assent-server binary beside assent: swift build -c release --product assent-server)"
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
}

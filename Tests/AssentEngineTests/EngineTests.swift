import AssentCrypto
import AssentLog
import Foundation
import Testing
import AssentTestSupport

@testable import AssentEngine
@testable import AssentRecords

/// A ledger holding the first `count` digits training samples; every third writer-owned sample has consent.
struct EngineFixture {
    let folder: URL
    let ledger: Ledger
    let store: RecordStore
    let engine: Engine
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    init(count: Int = 240, subjects: Int = 12) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("assent-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        ledger = try Ledger.create(
            at: folder.appendingPathComponent("ledger"), origin: "example.org/engine",
            postgresURL: try TestBackend.freshPostgresDatabase())
        store = try RecordStore(ledger: ledger)
        engine = try Engine(store: store)
        let registry = ConsentRegistry(store: store)
        for subject in 0..<subjects {
            _ = try registry.grant(
                subject: "w\(subject)", purposes: ["ai-training"], legalBasis: "consent", expiresAt: nil, evidence: nil,
                id: "c-w\(subject)")
        }
        let lines = try String(
            contentsOf: Self.root.appendingPathComponent("Tools/datasets/digits/digits-train.jsonl"), encoding: .utf8
        )
        .split(separator: "\n").prefix(count)
        var manifest = ""
        for (index, line) in lines.enumerated() {
            var fields = JSONObject([
                ("text", .string(String(line))), ("license", .string("CC-BY-4.0")), ("source", .string("digits")),
            ])
            if index % 2 == 0 {
                fields["subject"] = .string("w\(index / 2 % subjects)")
                fields["consent"] = .string("c-w\(index / 2 % subjects)")
            }
            manifest += String(decoding: CanonicalJSON.encode(.object(fields)), as: UTF8.self) + "\n"
        }
        let url = folder.appendingPathComponent("m.jsonl")
        try Data(manifest.utf8).write(to: url)
        _ = try Ingestor(store: store).ingest(.jsonl(url))
    }

    static var quick: TrainerConfig {
        var config = TrainerConfig()
        config.maxIterations = 20
        return config
    }

    func cleanUp() { try? FileManager.default.removeItem(at: folder) }
}

@Suite struct EngineTests {
    @Test(arguments: ["logistic", "naive-bayes"], [1, 4, 16])
    func reproductionEqualsTrainingFromScratch(trainer: String, shards: Int) throws {
        let fixture = try EngineFixture()
        defer { fixture.cleanUp() }
        let first = try fixture.engine.train(trainer: trainer, config: EngineFixture.quick, seed: 3, shards: shards)
        #expect(first.isNew && first.trainedShards.count == shards)
        var staled: [String] = []
        let revocation = try RevocationRegistry(store: fixture.store).revoke(.subject("w5")) { writer, affected, id in
            staled = try fixture.engine.markStale(affected: affected, revocation: id, writer: writer)
        }
        #expect(revocation.affected.count == 10)
        #expect(staled == [first.model.id])
        let stale = try fixture.engine.model(first.model.id)
        #expect(stale.isStale && stale.staleCauses.first?["revocation"]?.stringValue == revocation.id)
        let reproduced = try fixture.engine.reproduce(first.model.id)
        #expect(reproduced.trainedShards.count == 1, "one subject's samples live in one shard")
        #expect(reproduced.reusedShards.count == shards - 1)
        #expect(reproduced.model.supersedes == first.model.id)
        let entry = try JSONParser.parse(try fixture.store.ledger.entry(reproduced.model.seq).bytes).objectValue
        let metrics = entry?["metrics"]?.objectValue
        let recut = try SnapshotStore(store: fixture.store).load(reproduced.snapshot)
        #expect(metrics?["samples"]?.integerValue == Int64(recut.count), "the entry counts the snapshot's members")
        #expect(metrics?["train_accuracy_bp"] == nil, "and claims no accuracy it did not measure")
        let scratch = try fixture.engine.train(
            trainer: trainer, config: EngineFixture.quick, seed: 3, snapshot: reproduced.snapshot)
        #expect(scratch.model.id == reproduced.model.id, "byte-identical to training from scratch")
        #expect(!scratch.isNew, "the same model from the same snapshot logs nothing")
        #expect(try fixture.engine.model(first.model.id).supersededBy == reproduced.model.id)
        #expect(throws: EngineError(.refused, "")) { try fixture.engine.reproduce(reproduced.model.id) }
    }

    @Test func trainingIsDeterministicAcrossRunsAndThreadCounts() throws {
        let fixture = try EngineFixture()
        defer { fixture.cleanUp() }
        fixture.engine.threads = 1
        let one = try fixture.engine.train(trainer: "logistic", config: EngineFixture.quick, seed: 9, shards: 4)
        fixture.engine.threads = 2
        let two = try fixture.engine.train(
            trainer: "logistic", config: EngineFixture.quick, seed: 9, snapshot: one.snapshot)
        #expect(one.model.id == two.model.id)
        let other = try fixture.engine.train(
            trainer: "logistic", config: EngineFixture.quick, seed: 10, snapshot: one.snapshot)
        #expect(other.model.id != one.model.id, "the seed changes the visiting order")
        let digests = try ModelDigest(folder: fixture.engine.folder(of: one.model))
        #expect(
            digests.resources.map(\.name) == [
                "manifest.json", "shard-000.bin", "shard-001.bin", "shard-002.bin", "shard-003.bin",
            ])
        let manifest = try String(
            contentsOf: fixture.engine.folder(of: one.model).appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(
            !manifest.contains("2026") && !manifest.contains("sha256:") && !manifest.contains("snap-"),
            "no timestamps or lineage in model files")
    }

    @Test func naiveBayesSubtractionIsExact() throws {
        let fixture = try EngineFixture(count: 60, subjects: 3)
        defer { fixture.cleanUp() }
        let config = TrainerConfig()
        let samples = try fixture.engine.trainingSamples(
            try SnapshotStore(store: fixture.store).members(
                try SnapshotStore(store: fixture.store).create(policy: .standard)), config: config)
        let trainer = NaiveBayesTrainer()
        let all = trainer.train(samples, config: config, seed: 0)
        let kept = trainer.train(Array(samples.dropFirst(7)), config: config, seed: 0)
        #expect(trainer.subtract(Array(samples.prefix(7)), from: all, config: config) == kept)
    }

    @Test func staleMarkingAndSweepFollowConsent() throws {
        let fixture = try EngineFixture(count: 40, subjects: 4)
        defer { fixture.cleanUp() }
        let model = try fixture.engine.train(trainer: "naive-bayes", shards: 2)
        var staled: [String] = []
        try RevocationRegistry(store: fixture.store).revoke(
            .source("digits"), reason: "license-revoked", effective: "2099-01-01T00:00:00Z"
        ) { writer, affected, id in
            staled = try fixture.engine.markStale(affected: affected, revocation: id, writer: writer)
        }
        #expect(staled == [model.model.id], "every model whose snapshot holds an affected sample")
        let unaffected = try EngineFixture(count: 40, subjects: 4)
        defer { unaffected.cleanUp() }
        _ = try ConsentRegistry(store: unaffected.store).grant(
            subject: "short", purposes: ["ai-training"], legalBasis: "consent", expiresAt: "2099-01-01T00:00:00Z",
            evidence: nil, id: "c-short")
        let trained = try unaffected.engine.train(trainer: "naive-bayes", shards: 2)
        #expect(try unaffected.engine.sweep().isEmpty, "nothing has expired")
        try RevocationRegistry(store: unaffected.store).revoke(.consent("c-w1"), effective: "2000-01-01T00:00:00Z")
        #expect(
            try unaffected.engine.sweep() == [trained.model.id],
            "a revocation logged without stale marking is caught by the sweep")
        #expect(try unaffected.engine.models(staleOnly: true).map(\.id) == [trained.model.id])
    }

    @Test func badRequestsAreRefusedAndLogNothing() throws {
        let fixture = try EngineFixture(count: 30, subjects: 3)
        defer { fixture.cleanUp() }
        let model = try fixture.engine.train(trainer: "naive-bayes", shards: 2)
        let size = try fixture.ledger.size()
        #expect(throws: EngineError(.invalidInput, "")) { try fixture.engine.train(trainer: "random-forest") }
        #expect(throws: EngineError(.invalidInput, "")) {
            try fixture.engine.train(trainer: "naive-bayes", shards: 3, snapshot: model.snapshot)
        }
        #expect(throws: EngineError(.notFound, "")) {
            try fixture.engine.model("sha256:" + String(repeating: "0", count: 64))
        }
        #expect(throws: EngineError(.refused, "")) { try fixture.engine.reproduce(model.model.id) }
        #expect(throws: EngineError(.invalidInput, "")) { try TrainerConfig(json: Array(#"{"epoch":3}"#.utf8)) }
        #expect(throws: EngineError(.invalidInput, "")) { try TrainerConfig(json: Array(#"{"labels":[1,1]}"#.utf8)) }
        #expect(try fixture.ledger.size() == size)
        try RevocationRegistry(store: fixture.store).revoke(.subject("w0"))
        #expect(throws: EngineError(.refused, "")) {
            try fixture.engine.train(trainer: "naive-bayes", snapshot: model.snapshot)
        }
    }

    @Test func evaluationCountsEveryHeldOutSample() throws {
        let fixture = try EngineFixture(count: 200, subjects: 5)
        defer { fixture.cleanUp() }
        let model = try fixture.engine.train(trainer: "naive-bayes")
        let report = try fixture.engine.evaluate(
            model.model.id, data: EngineFixture.root.appendingPathComponent("Tools/datasets/digits/digits-test.jsonl"))
        let confusion = report["confusion"]!.arrayValue!.flatMap { $0.arrayValue!.map { $0.integerValue! } }
        #expect(report["samples"]?.integerValue == 359 && confusion.reduce(0, +) == 359)
        #expect(report["accuracy_bp"]!.integerValue! > 7_000, "naive Bayes on 200 digits is far better than chance")
    }

    // model_signing 1.1.1 gave this root for shared/reference/model-signing-sample/sample_model with
    // README.md ignored (its README lists the expected digests).
    @Test func modelDigestMatchesOpenSSFModelSigning() throws {
        let folder = EngineFixture.root.appendingPathComponent("Tests/Fixtures/model-signing-sample/sample_model")
        let digest = try ModelDigest(folder: folder, ignoring: ["README.md"])
        #expect(
            digest.resources.map(\.name) == [
                "config.json", "model.safetensors", "tokenizer/vocab.txt", "tokenizer.json",
            ])
        #expect(
            Hex.encode(digest.resources[0].digest) == "af41646bd7d2943282e950a542b606abfdd7c18adf3bd8ffec86c3f623f7838d"
        )
        #expect(Hex.encode(digest.root) == "42adb313725b8d57ec364aadc7812bab395fa47c71ab06ef7e7f3b91de6ae1a1")
    }

    @Test func portableMathTracksTheC_LibraryClosely() {
        var worstExp = 0.0
        var worstLog = 0.0
        for step in -4000...4000 {
            let x = Double(step) / 100
            let relative = abs(PortableMath.exp(x) - Foundation.exp(x)) / Foundation.exp(x)
            worstExp = max(worstExp, relative)
            let y = Double(step + 4001) / 37
            worstLog = max(worstLog, abs(PortableMath.log(y) - Foundation.log(y)) / max(1, abs(Foundation.log(y))))
        }
        #expect(worstExp < 1e-14 && worstLog < 1e-14)
        #expect(PortableMath.exp(0) == 1 && PortableMath.log(1) == 0)
    }
}

@Suite struct ExternalTrainerTests {
    @Test func theCommandSeesOnlyTheSnapshotAndItsOutputIsLogged() throws {
        let fixture = try EngineFixture(count: 30, subjects: 3)
        defer { fixture.cleanUp() }
        try RevocationRegistry(store: fixture.store).revoke(.subject("w1"))
        let command =
            #"ls "$ASSENT_INPUT/samples" | sort > "$ASSENT_OUTPUT/listing.txt" && cp "$ASSENT_INPUT/manifest.json" "$ASSENT_OUTPUT/" && echo "$ASSENT_SEED" > "$ASSENT_OUTPUT/seed""#
        let result = try fixture.engine.trainExternal(command: command, seed: 11, checkDeterminism: true)
        #expect(result.model.isDeterministic && result.model.trainer == "exec")
        let folder = fixture.engine.folder(of: result.model)
        let listing = try String(contentsOf: folder.appendingPathComponent("listing.txt"), encoding: .utf8).split(
            separator: "\n")
        let snapshot = try SnapshotStore(store: fixture.store).load(result.snapshot)
        #expect(
            listing.count == snapshot.count && snapshot.count == 25, "only consented members: 30 minus writer 1's 5")
        #expect(try String(contentsOf: folder.appendingPathComponent("seed"), encoding: .utf8) == "11\n")
        #expect(throws: EngineError(.trainerFailed, "")) { try fixture.engine.trainExternal(command: "exit 3") }
        #expect(throws: EngineError(.trainerFailed, "")) { try fixture.engine.trainExternal(command: "true") }
        let random = try fixture.engine.trainExternal(
            command: #"head -c 16 /dev/urandom > "$ASSENT_OUTPUT/weights""#, checkDeterminism: true)
        #expect(!random.model.isDeterministic, "differing runs are logged without the claim")
    }
}

// The digests below were printed by the release build (`assent-bench determinism`); this test runs in
// the debug build, so it checks that debug and release training give the same bytes.
@Suite struct GoldenModelTests {
    @Test func debugBuildsTrainTheSameBytesAsReleaseBuilds() throws {
        let text = try String(
            contentsOf: EngineFixture.root.appendingPathComponent("Tools/datasets/digits/digits-train.jsonl"),
            encoding: .utf8)
        let config = TrainerConfig()
        let samples = try text.split(separator: "\n").prefix(500).map { line in
            try TrainingSample(commitment: SHA256.hash(Array(line.utf8)), content: Array(line.utf8), config: config)
        }
        #expect(
            Hex.encode(SHA256.hash(LogisticTrainer().train(samples, config: config, seed: 5)))
                == "294add0aba4bbc23370da83fb4316d0bea931f48d3b3bd810769d4008638b762")
        #expect(
            Hex.encode(SHA256.hash(NaiveBayesTrainer().train(samples, config: config, seed: 5)))
                == "994c1260abbaad2eae6ae876b4ab30ceca8c742b87801e2966ba9058d41dc505")
    }
}

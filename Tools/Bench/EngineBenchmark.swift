import AssentCrypto
import AssentEngine
import AssentLog
import AssentRecords
import Foundation

/// Writes `count` generated digit-like samples (64 integer features in 0…16, 10 labels); the first
/// `10 × consents.count` belong to consenting subjects, 10 samples each; the rest have no subject.
func generateFeatureManifest(at url: URL, count: Int, consents: [String]) throws {
    _ = FileManager.default.createFile(atPath: url.path, contents: nil)
    let handle = try FileHandle(forWritingTo: url)
    defer { try? handle.close() }
    var buffer: [UInt8] = []
    for index in 0..<count {
        let seed = SHA256.hash(Array("features \(index)".utf8)) + SHA256.hash(Array("more \(index)".utf8))
        let label = index % 10
        let features: [JSONValue] = (0..<64).map { .integer(Int64((Int(seed[$0]) + label * 7 * ($0 % 3)) % 17)) }
        let content = CanonicalJSON.encode(
            .object(JSONObject([("features", .array(features)), ("label", .integer(Int64(label)))])))
        let subject = index / 10
        var fields = JSONObject([
            ("text", .string(String(decoding: content, as: UTF8.self))), ("license", .string("CC-BY-4.0")),
            ("source", .string("generated")), ("media_type", .string("application/json")),
        ])
        if subject < consents.count {
            fields["subject"] = .string("person-\(subject)")
            fields["consent"] = .string(consents[subject])
        }
        buffer += CanonicalJSON.encode(.object(fields)) + [0x0A]
        if buffer.count > 1 << 20 {
            handle.write(Data(buffer))
            buffer.removeAll(keepingCapacity: true)
        }
    }
    handle.write(Data(buffer))
}

/// A ledger of `count` generated samples, each subject with consent and 10 samples.
func makeSubjectLedger(count: Int, in scratch: URL) throws -> (Ledger, RecordStore, [String]) {
    let ledger = try Ledger.create(at: scratch.appendingPathComponent("ledger"), origin: "bench.example/engine")
    let store = try RecordStore(ledger: ledger)
    let registry = ConsentRegistry(store: store)
    var consents: [String] = []
    let start = now()
    for subject in 0..<min(count / 10, 2_000) {
        consents.append(
            try registry.grant(
                subject: "person-\(subject)", purposes: ["ai-training"], legalBasis: "consent", expiresAt: nil,
                evidence: nil, id: "c-\(subject)"
            ).id)
    }
    let manifest = scratch.appendingPathComponent("features.jsonl")
    try generateFeatureManifest(at: manifest, count: count, consents: consents)
    var options = IngestOptions()
    options.chunkSize = 20_000
    _ = try Ingestor(store: store).ingest(.jsonl(manifest), options: options)
    print(
        "  (set-up: \(count) samples, \(consents.count) consenting subjects with 10 samples each, in \(format(now() - start)) s)"
    )
    return (ledger, store, consents)
}

/// Snapshot of a large ledger, revoking one subject, membership proofs.
func benchmarkSnapshot() throws {
    let total = option("--samples", default: 1_000_000)
    let kept = stringOption("--keep")
    let scratch =
        kept.map { URL(fileURLWithPath: $0) }
        ?? FileManager.default.temporaryDirectory.appendingPathComponent("assent-bench-\(UUID().uuidString)")
    defer { if kept == nil { try? FileManager.default.removeItem(at: scratch) } }
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    print("snapshot benchmark: \(total) samples\(kept.map { " (ledger kept in \($0)/ledger)" } ?? "")")
    let (ledger, store, _) = try makeSubjectLedger(count: total, in: scratch)
    let snapshots = SnapshotStore(store: store)
    let start = now()
    let snapshot = try snapshots.create(policy: .standard, shards: 16)
    print(
        "snapshot:    \(format(now() - start)) s for \(snapshot.count) members, 16 shards (includes logging and storing the member blobs)"
    )
    let revokeStart = now()
    let result = try RevocationRegistry(store: store).revoke(.subject("person-1242"))
    print(
        "revoke:      \(format((now() - revokeStart) * 1000)) ms in process for one subject with \(result.affected.count) samples"
    )
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
        "assent")
    if FileManager.default.fileExists(atPath: binary.path) {
        let run = try timedRun(
            binary.path, ["revoke", "--subject", "person-777", "--ledger", ledger.paths.folder.path])
        print("revoke CLI:  \(format(run.millis)) ms end to end (process start to exit, exit \(run.status))")
    }
    let recutStart = now()
    let recut = try ledger.write { writer in try snapshots.recut(snapshot, writer: writer) }
    print(
        "re-cut:      \(format(now() - recutStart)) s after two revocations, from the snapshot's members (\(recut.count) members; includes logging and storing)"
    )
    let late = scratch.appendingPathComponent("late.jsonl")
    let lines = (0..<1_000).map { #"{"text":"late sample \#($0)","license":"MIT","source":"late"}"# + "\n" }
    try Data(lines.joined().utf8).write(to: late)
    _ = try Ingestor(store: store).ingest(.jsonl(late))
    let laterStart = now()
    let later = try snapshots.create(policy: .standard, shards: 16)
    print(
        "snapshot:    \(format(now() - laterStart)) s after the revocations and 1,000 new samples, built from the newest earlier snapshot (\(later.count) members)"
    )
    let members = try snapshots.members(snapshot)
    let firstStart = now()
    _ = try snapshots.prove(snapshot, commitment: members[0].commitment)
    print("first proof: \(format((now() - firstStart) * 1000)) ms (tiles stored when the snapshot was cut)")
    var proofs: [JSONObject] = []
    var absentTargets: [[UInt8]] = []
    let proveStart = now()
    for index in stride(from: 0, to: members.count, by: max(1, members.count / 200)).prefix(200) {
        proofs.append(try snapshots.prove(snapshot, commitment: members[index].commitment))
        var absent = members[index].commitment
        absent[31] &+= 1
        absentTargets.append(absent)
    }
    let proveMillis = (now() - proveStart) / Double(proofs.count) * 1000
    let absentStart = now()
    for target in absentTargets { proofs.append(try snapshots.prove(snapshot, commitment: target)) }
    let absentMillis = (now() - absentStart) / Double(absentTargets.count) * 1000
    let verifyStart = now()
    for proof in proofs { _ = try SnapshotProof.verify(proof, root: snapshot.root, size: UInt64(snapshot.count)) }
    let verifyMicros = (now() - verifyStart) / Double(proofs.count) * 1e6
    print(
        "proofs:      membership \(format(proveMillis)) ms, non-membership \(format(absentMillis)) ms in process (from the stored tiles); verify \(format(verifyMicros)) µs"
    )
    if FileManager.default.fileExists(atPath: binary.path) {
        var times: [Double] = []
        for index in [1, members.count / 2, members.count - 2] {
            let run = try timedRun(
                binary.path,
                [
                    "snapshot", "prove", snapshot.id, "--sample", "sha256:" + Hex.encode(members[index].commitment),
                    "--ledger", ledger.paths.folder.path,
                ])
            guard run.status == 0 else { throw POSIXError(.EIO) }
            times.append(run.millis)
        }
        print("prove CLI:   \(times.map { format($0) }.joined(separator: ", ")) ms end to end (assent snapshot prove)")
    }
    print("peak RSS:    \(format(peakRSSMiB())) MiB")
}

/// Full retraining against reproduction after revoking one subject, 16 shards.
func benchmarkReproduce() throws {
    let total = option("--samples", default: 50_000)
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("assent-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: scratch) }
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    print("reproduction benchmark: \(total) samples, 16 shards, logistic, default config")
    let (_, store, _) = try makeSubjectLedger(count: total, in: scratch)
    let engine = try Engine(store: store)
    let config = TrainerConfig()
    let trainStart = now()
    let full = try engine.train(trainer: "logistic", config: config, seed: 1, shards: 16)
    let trainSeconds = now() - trainStart
    let subjects = SnapshotStore(store: store)
    _ = subjects
    let revokeStart = now()
    let result = try RevocationRegistry(store: store).revoke(.subject("person-31")) { writer, affected, id in
        _ = try engine.markStale(affected: affected, revocation: id, writer: writer)
    }
    let revokeSeconds = now() - revokeStart
    let reproduceStart = now()
    let reproduced = try engine.reproduce(full.model.id)
    let reproduceSeconds = now() - reproduceStart
    let scratchStart = now()
    let fresh = try engine.train(trainer: "logistic", config: config, seed: 1, snapshot: reproduced.snapshot)
    let freshSeconds = now() - scratchStart
    print(
        "full training:  \(format(trainSeconds)) s end to end, \(full.trainedSamples) samples trained in 16 shards"
    )
    print(
        "revoke:         \(format(revokeSeconds * 1000)) ms (\(result.affected.count) samples, stale marking included)")
    print(
        "reproduction:   \(format(reproduceSeconds)) s end to end; retrained shards \(reproduced.trainedShards) on \(reproduced.trainedSamples) samples"
    )
    print(
        "training work:  \(full.trainedSamples) vs \(reproduced.trainedSamples) samples = \(String(format: "%.1f", Double(full.trainedSamples) / Double(max(reproduced.trainedSamples, 1))))× less"
    )
    print("end to end:     \(String(format: "%.1f", trainSeconds / reproduceSeconds))× faster than full training")
    print(
        "from scratch on the re-cut snapshot: \(format(freshSeconds)) s, same model: \(fresh.model.id == reproduced.model.id)"
    )
}

/// Model digests of the same training, for comparing builds and thread counts.
func benchmarkDeterminism() throws {
    for (trainer, digest) in try goldenDigests().sorted(by: { $0.key < $1.key }) {
        print("golden \(trainer) (first 500 digits, seed 5, default config): sha256 \(digest)")
    }
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("assent-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: scratch) }
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    let (_, store, _) = try makeSubjectLedger(count: 5_000, in: scratch)
    let engine = try Engine(store: store)
    let snapshot = try SnapshotStore(store: store).create(policy: .standard, shards: 4)
    for threads in [1, 2] {
        engine.threads = threads
        for trainer in ["logistic", "naive-bayes"] {
            let result = try engine.train(trainer: trainer, seed: 5, snapshot: snapshot.id)
            let shardDigests = try ModelDigest(folder: engine.folder(of: result.model)).resources.filter {
                $0.name.hasPrefix("shard")
            }
            print(
                "\(trainer) threads=\(threads): shard digests \(shardDigests.map { Hex.encode($0.digest.prefix(8)) }.joined(separator: " "))"
            )
        }
    }
}

/// Digests of training on a fixed input (the first 500 digits samples, commitments = SHA-256 of each
/// line), to compare builds: the debug-build test `GoldenModelTests` expects these exact values.
func goldenDigests() throws -> [String: String] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let text = try String(
        contentsOf: root.appendingPathComponent("Tools/datasets/digits/digits-train.jsonl"), encoding: .utf8)
    let config = TrainerConfig()
    let samples = try text.split(separator: "\n").prefix(500).map { line in
        try TrainingSample(commitment: SHA256.hash(Array(line.utf8)), content: Array(line.utf8), config: config)
    }
    var result: [String: String] = [:]
    for trainer in [LogisticTrainer() as any Trainer, NaiveBayesTrainer()] {
        result[trainer.name] = Hex.encode(SHA256.hash(trainer.train(samples, config: config, seed: 5)))
    }
    return result
}

/// The ledger kept by `snapshot --keep DIR` for the benchmark `mode`, or nil after printing its usage.
func keptLedger(for mode: String) throws -> (Ledger, RecordStore, SnapshotStore)? {
    guard let kept = stringOption("--keep") else {
        print("usage: assent-bench \(mode) --keep DIR (a folder kept by assent-bench snapshot --keep DIR)")
        return nil
    }
    let ledger = try Ledger(opening: URL(fileURLWithPath: kept).appendingPathComponent("ledger"))
    let store = try RecordStore(ledger: ledger)
    return (ledger, store, SnapshotStore(store: store))
}

/// A snapshot at the current height (built from the newest earlier one), then re-cuts of that earlier
/// snapshot, each after revoking one more subject, on a ledger kept by `snapshot --keep DIR`:
/// `assent-bench recut --keep DIR [--rounds N]`.
func benchmarkRecut() throws {
    guard let (ledger, store, snapshots) = try keptLedger(for: "recut") else { return }
    guard let newest = try snapshots.all().last else { throw POSIXError(.ENOENT) }
    let snapshot = try snapshots.load(newest)
    let laterStart = now()
    let later = try snapshots.create(policy: snapshot.policy, shards: snapshot.parameters.shards)
    print(
        "snapshot at the current height, built from \(snapshot.id): \(format((now() - laterStart) * 1000)) ms, \(later.count) members"
    )
    for round in 0..<option("--rounds", default: 3) {
        try RevocationRegistry(store: store).revoke(.subject("person-\(100 + round * 7)"))
        let start = now()
        let recut = try ledger.write { writer in try snapshots.recut(snapshot, writer: writer) }
        print(
            "re-cut of \(snapshot.id) (\(snapshot.count) members): \(format((now() - start) * 1000)) ms, \(recut.count) members"
        )
    }
}

/// Snapshots of the standard policy, 16 shards, cut from scratch (no earlier snapshot built on) on a
/// ledger kept by `snapshot --keep DIR`: `assent-bench scratch --keep DIR [--rounds N]`.
func benchmarkScratch() throws {
    guard let (_, _, snapshots) = try keptLedger(for: "scratch") else { return }
    for _ in 0..<option("--rounds", default: 3) {
        let start = now()
        let snapshot = try snapshots.create(policy: .standard, shards: 16, fromScratch: true)
        print("snapshot from scratch: \(format((now() - start) * 1000)) ms, \(snapshot.count) members")
    }
}

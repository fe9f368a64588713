public import Foundation
internal import AssentCrypto
public import AssentLog
internal import AssentRecords

extension Engine {
    /// Reproduces a stale model: its snapshot re-cut (same H, policy, T and K; revocations and expiries
    /// up to now; no new data), the same trainer, config and seed; only shards whose root changed are
    /// retrained (naive Bayes: the removed samples' counts are subtracted). The new model entry names
    /// the one it supersedes; its bytes equal training from scratch on the re-cut snapshot.
    /// - Throws: ``EngineError`` `refused` when the model is not stale.
    public func reproduce(_ id: String) throws -> TrainingResult {
        let old = try model(id)
        guard old.isStale else {
            throw EngineError(.refused, "model \(old.id) is not stale; there is nothing to reproduce")
        }
        if let successor = old.supersededBy {
            throw EngineError(.refused, "model \(old.id) was already reproduced as \(successor)")
        }
        let previous = try snapshots.load(old.snapshot)
        let isPerShard = try isPerShard(old)
        if isPerShard { try checkShardRunner() }
        progress?("re-cutting the snapshot", 0, nil)
        let recut = try store.ledger.write { writer in try snapshots.recut(previous, writer: writer) }
        if isPerShard { return try reproducePerShard(old, previous: previous, recut: recut) }
        if old.trainer == "exec" {
            // An external trainer's shards cannot be reused: it is retrained on the whole re-cut snapshot,
            // and its bytes are claimed reproducible only if a determinism check passes again.
            return try trainExternal(
                command: try externalCommand(of: old), seed: old.seed, snapshot: recut.id,
                checkDeterminism: old.isDeterministic,
                supersedes: old.id, options: try externalOptions(of: old))
        }
        let trainer = try Trainers.named(old.trainer)
        let oldFiles = try ModelFolder.shardFiles(in: try presentFolder(of: old), count: previous.parameters.shards)
        try checkShardFiles(oldFiles, against: old)
        // Shards trained by another numeric version of the trainer cannot be mixed with new ones: a
        // model from before a change of algorithm is retrained whole.
        let sameNumerics = try numericVersion(of: old) == trainer.numericVersion
        let changed = (0..<recut.parameters.shards).filter {
            !sameNumerics || recut.shardRoots[$0] != previous.shardRoots[$0]
        }
        let changedSet = Set(changed)
        let oldMembers = try snapshots.members(previous, shards: changedSet)
        let newMembers = try snapshots.members(recut, shards: changedSet)
        // Only the changed shards' members are read from the vault: the other shards' models are reused.
        let changedMembers = newMembers.filter { changedSet.contains($0.shard) }
        let samples = try trainingSamples(changedMembers, config: old.config)
        var perShard = [[TrainingSample]](repeating: [], count: recut.parameters.shards)
        for (member, sample) in zip(changedMembers, samples) { perShard[member.shard].append(sample) }
        var files = oldFiles
        var trainedSamples = 0
        if let bayes = trainer as? NaiveBayesTrainer {
            for shard in changed {
                let kept = Set(newMembers.filter { $0.shard == shard }.map(\.commitment))
                let removedMembers = oldMembers.filter { $0.shard == shard && !kept.contains($0.commitment) }
                if let removed = try? trainingSamples(removedMembers, config: old.config) {
                    files[shard] = bayes.subtract(removed, from: oldFiles[shard], config: old.config)
                    trainedSamples += removed.count
                } else {
                    files[shard] = bayes.train(perShard[shard], config: old.config, seed: old.seed)
                    trainedSamples += perShard[shard].count
                }
            }
        } else {
            let trained = trainShards(trainer, perShard: perShard, shards: changed, config: old.config, seed: old.seed)
            for shard in changed {
                files[shard] = trained[shard]!
                trainedSamples += perShard[shard].count
            }
        }
        let reused = (0..<recut.parameters.shards).filter { !changedSet.contains($0) }
        return try finish(
            trainer: trainer, config: old.config, seed: old.seed, snapshot: recut, shardFiles: files, samples: [],
            trained: changed, reused: reused, trainedSamples: trainedSamples, supersedes: old.id,
            memberCount: recut.count)
    }

    /// The numeric version of the trainer that trained a built-in model, from its entry.
    func numericVersion(of record: ModelRecord) throws -> Int? {
        let entry = try JSONParser.parse(try store.ledger.entry(record.seq).bytes).objectValue
        return entry?["numeric_version"]?.integerValue.map { Int($0) }
    }

    /// Refuses shard files that differ from the digests the model's own entry logged: a model folder
    /// changed on disk must not be reused and then called deterministic.
    func checkShardFiles(_ files: [[UInt8]], against record: ModelRecord) throws {
        let entry = try JSONParser.parse(try store.ledger.entry(record.seq).bytes).objectValue
        let logged = entry?["shard_digests"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard logged.count == files.count else {
            throw EngineError(.refused, "the model entry of \(record.id) does not list \(files.count) shard digests")
        }
        for (shard, bytes) in files.enumerated() where "sha256:" + Hex.encode(SHA256.hash(bytes)) != logged[shard] {
            throw EngineError(
                .refused,
                "shard \(shard) of \(record.id) in \(folder(of: record).path) differs from the digest in its model entry \(record.seq); the folder was changed, so its shards cannot be reused (train afresh instead)"
            )
        }
    }

    /// Accuracy and confusion matrix of a model on held-out data read directly from a JSONL file of
    /// sample contents (`{"features":…,"label":…}` or `{"text":…,"label":…}`); nothing is ingested.
    public func evaluate(_ id: String, data: URL) throws -> JSONObject {
        let record = try model(id)
        let trainer = try Trainers.named(record.trainer)
        let snapshot = try snapshots.load(record.snapshot)
        let files = try ModelFolder.shardFiles(in: try presentFolder(of: record), count: snapshot.parameters.shards)
        guard let text = FileManager.default.contents(atPath: data.path) else {
            throw EngineError(.invalidInput, "cannot read \(data.path)")
        }
        let classes = record.config.labels.count
        var confusion = [[Int64]](repeating: [Int64](repeating: 0, count: classes), count: classes)
        var samples: [TrainingSample] = []
        for (number, line) in text.split(separator: 0x0A).enumerated() where !line.isEmpty {
            let bytes = [UInt8](line)
            do {
                samples.append(
                    try TrainingSample(commitment: SHA256.hash(bytes), content: bytes, config: record.config))
            } catch {
                throw EngineError(.invalidInput, "\(data.lastPathComponent) line \(number + 1): \(error)")
            }
        }
        var correct = 0
        for (sample, predicted) in zip(samples, trainer.classify(samples, shards: files, config: record.config)) {
            confusion[sample.label][predicted] += 1
            if predicted == sample.label { correct += 1 }
        }
        let total = samples.count
        return JSONObject([
            ("model", .string(record.id)), ("samples", .integer(Int64(total))),
            ("accuracy_bp", .integer(Int64(total == 0 ? 0 : correct * 10_000 / total))),
            ("correct", .integer(Int64(correct))),
            ("labels", .array(record.config.labels.map { .integer($0) })),
            ("confusion", .array(confusion.map { .array($0.map { .integer($0) }) })),
        ])
    }
}

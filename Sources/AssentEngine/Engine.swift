internal import Foundation
internal import AssentCrypto
internal import AssentLog
public import AssentRecords
internal import AssentStorage

/// The ledger-backed training engine: trains only on a snapshot's members, logs models, marks them
/// stale when consent ends, and reproduces them retraining only the shards that changed.
public final class Engine {
    /// The records the engine trains from.
    public let store: RecordStore
    /// Worker threads for training shards (results never depend on it).
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Where per-shard external jobs run, in training and in reproduction (the model's bytes never
    /// depend on it).
    public var shardRunner = ShardRunner.local
    /// Called now and then with (phase, done, total where known) during long work; may be called from
    /// worker threads.
    public var progress: (@Sendable (String, Int, Int?) -> Void)? = nil

    /// An engine over `store`.
    public init(store: RecordStore) throws {
        self.store = store
        try EngineSchema.prepare(store.database)
    }

    var snapshots: SnapshotStore { SnapshotStore(store: store) }

    /// Trains `trainer` on `snapshotID` (or on a fresh snapshot under `policy` with `shards` shards).
    /// - Throws: ``EngineError`` for an unknown trainer, a shard count that differs from the snapshot's,
    ///   or a snapshot with a member that is no longer consented.
    public func train(
        trainer name: String, config: TrainerConfig = TrainerConfig(), seed: UInt64 = 0, shards: Int? = nil,
        policy: Policy = .standard, snapshot snapshotID: String? = nil
    ) throws -> TrainingResult {
        let trainer = try Trainers.named(name)
        let snapshot = try trainingSnapshot(snapshotID, policy: policy, shards: shards, seed: seed)
        let (files, samples) = try keepingSnapshot(snapshot, isFresh: snapshotID == nil) {
            try trainAllShards(trainer, config: config, seed: seed, snapshot: snapshot)
        }
        return try finish(
            trainer: trainer, config: config, seed: seed, snapshot: snapshot, shardFiles: files, samples: samples,
            trained: Array(files.indices), reused: [], trainedSamples: samples.count, supersedes: nil)
    }

    /// Retrains a logged built-in model from its snapshot without writing anything (no entry, no model
    /// folder in the ledger): what `assent verify --reproduce` compares against.
    /// - Returns: the id the retrained folder has.
    /// - Throws: ``EngineError`` `refused` for an external trainer or a snapshot whose members are no
    ///   longer all consented.
    public func retrainWithoutLogging(_ record: ModelRecord) throws -> String {
        guard record.trainer != "exec" else {
            throw EngineError(.refused, "external trainers are not retrained by verification; use assent reproduce")
        }
        let trainer = try Trainers.named(record.trainer)
        if let version = try numericVersion(of: record), version != trainer.numericVersion {
            throw EngineError(
                .refused,
                "model \(record.id) was trained by numeric version \(version) of \(trainer.name); this build trains version \(trainer.numericVersion), so it cannot re-derive those bytes (assent reproduce retrains it whole with version \(trainer.numericVersion))"
            )
        }
        let snapshot = try snapshots.load(record.snapshot)
        guard try currentRoots(of: snapshot).root == snapshot.root else {
            throw EngineError(.refused, "snapshot \(snapshot.id) has members that are no longer consented")
        }
        let (files, _) = try trainAllShards(trainer, config: record.config, seed: record.seed, snapshot: snapshot)
        let scratch = try WorkFolder(ledger: store.ledger.paths, prefix: "verify")
        defer { scratch.remove() }
        let (digest, _) = try ModelFolder.write(
            into: scratch.url, trainer: trainer, config: record.config, seed: record.seed, shardFiles: files)
        return digest.id
    }

    /// The snapshot a training uses: `snapshotID` (its K must equal `shards` when given, and all its
    /// members must still be consented) or a fresh one under `policy`; first the seed's range and the
    /// derived tables are checked.
    /// - Throws: ``EngineError`` `invalidInput` or `refused`, ``LedgerError`` when the tables disagree.
    func trainingSnapshot(_ snapshotID: String?, policy: Policy, shards: Int?, seed: UInt64) throws -> Snapshot {
        guard seed <= UInt64(Int64.max) else { throw EngineError(.invalidInput, "seed must be at most \(Int64.max)") }
        try DerivedStateCheck(store: store).run(includingSamples: false)
        guard let snapshotID else {
            progress?("cutting a snapshot", 0, nil)
            return try snapshots.create(policy: policy, shards: shards ?? 1)
        }
        let snapshot = try snapshots.load(snapshotID)
        if let shards, shards != snapshot.parameters.shards {
            throw EngineError(
                .invalidInput,
                "--shards \(shards) differs from snapshot \(snapshot.id)'s K = \(snapshot.parameters.shards)")
        }
        guard try currentRoots(of: snapshot).root == snapshot.root else {
            throw EngineError(
                .refused, "snapshot \(snapshot.id) has members that are no longer consented; cut a new snapshot")
        }
        return snapshot
    }

    /// Runs `body`; when it fails after this command cut (and logged) `snapshot`, the error says that the
    /// snapshot was kept and how to reuse it, so a retry does not cut another.
    func keepingSnapshot<T>(_ snapshot: Snapshot, isFresh: Bool, _ body: () throws -> T) throws -> T {
        do { return try body() } catch {
            guard isFresh else { throw error }
            let message = (error as? EngineError)?.message ?? "\(error)"
            throw EngineError(
                (error as? EngineError)?.code ?? .invalidInput,
                "\(message) (snapshot \(snapshot.id) was cut and logged before this failed and is kept; after fixing the cause, train on it with --snapshot \(snapshot.id))"
            )
        }
    }

    /// Trains every shard of `snapshot` from the vault's content.
    func trainAllShards(_ trainer: any Trainer, config: TrainerConfig, seed: UInt64, snapshot: Snapshot) throws
        -> (files: [[UInt8]], samples: [TrainingSample])
    {
        let members = try snapshots.members(snapshot)
        progress?("reading samples from the vault", 0, members.count)
        let samples = try trainingSamples(members, config: config)
        let perShard = (0..<snapshot.parameters.shards).map { shard in
            samples.indices.filter { members[$0].shard == shard }.map { samples[$0] }
        }
        let files = trainShards(
            trainer, perShard: perShard, shards: Array(perShard.indices), config: config, seed: seed)
        return (files.map { $0! }, samples)
    }

    /// The roots the snapshot would have if re-cut now (revocations and expiries up to now): its own
    /// when nothing logged since and no time passed since can change them, else recomputed.
    /// - Parameter model: the log index of a model trained on it that is not stale; revocations logged
    ///   after it cannot touch its members, or they would have marked it stale.
    func currentRoots(of snapshot: Snapshot, model: UInt64? = nil) throws -> (root: [UInt8], shardRoots: [[UInt8]]) {
        let size = try store.ledger.size()
        let now = max(UTCTime.now(), snapshot.parameters.asOf)
        guard try snapshots.mayDiffer(snapshot, revocationHeight: size, evaluatedAt: now, handledFrom: model) else {
            return (snapshot.root, snapshot.shardRoots)
        }
        let parameters = SnapshotParameters(
            baseHeight: snapshot.parameters.baseHeight, revocationHeight: size, asOf: snapshot.parameters.asOf,
            evaluatedAt: now, shards: snapshot.parameters.shards)
        let contents = try snapshots.contents(parameters: parameters, policy: snapshot.policy)
        return (contents.root, contents.shardRoots)
    }

    /// Reads the members' content from the vault and parses it; a trainer never sees anything else.
    /// The vault is read a few thousand members at a time.
    func trainingSamples(_ members: [SnapshotMember], config: TrainerConfig) throws -> [TrainingSample] {
        var samples: [TrainingSample] = []
        samples.reserveCapacity(members.count)
        for start in stride(from: 0, to: members.count, by: 4_096) {
            let batch = members[start..<min(members.count, start + 4_096)]
            for (member, content) in zip(batch, try store.contents(of: batch.map(\.commitment))) {
                guard let content else {
                    throw EngineError(
                        .refused, "sample sha256:\(Hex.encode(member.commitment)) has no content in the vault (erased?)"
                    )
                }
                samples.append(try TrainingSample(commitment: member.commitment, content: content, config: config))
            }
        }
        return samples
    }

    /// Trains the listed shards concurrently; each result depends only on its shard's samples.
    func trainShards(
        _ trainer: any Trainer, perShard: [[TrainingSample]], shards: [Int], config: TrainerConfig, seed: UInt64
    ) -> [[UInt8]?] {
        let results = ShardResults(count: perShard.count)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = max(1, threads)
        let progress = self.progress
        let total = shards.count
        progress?("training shards", 0, total)
        for shard in shards {
            queue.addOperation {
                let done = results.set(shard, trainer.train(perShard[shard], config: config, seed: seed))
                progress?("training shards", done, total)
            }
        }
        queue.waitUntilAllOperationsAreFinished()
        return results.values
    }

    /// Writes the model folder, computes its id and logs the model entry (or finds it already logged).
    /// `memberCount` is the snapshot's size when `samples` (what the accuracy is measured on) is empty.
    func finish(
        trainer: any Trainer, config: TrainerConfig, seed: UInt64, snapshot: Snapshot, shardFiles: [[UInt8]],
        samples: [TrainingSample], trained: [Int], reused: [Int], trainedSamples: Int, supersedes: String?,
        memberCount: Int? = nil
    ) throws -> TrainingResult {
        let (digest, folder) = try ModelFolder.write(
            into: store.ledger.modelsFolder, trainer: trainer, config: config,
            seed: seed, shardFiles: shardFiles)
        let predicted = trainer.classify(samples, shards: shardFiles, config: config)
        let correct = zip(predicted, samples).filter { $0 == $1.label }.count
        let accuracy = samples.isEmpty ? 0 : correct * 10_000 / samples.count
        // A reproduction reads only the changed shards' samples: it logs the member count, and no
        // training accuracy it did not measure.
        var metrics = JSONObject([("samples", .integer(Int64(samples.isEmpty ? memberCount ?? 0 : samples.count)))])
        if !samples.isEmpty { metrics["train_accuracy_bp"] = .integer(Int64(accuracy)) }
        let (record, isNew, staleOnArrival) = try log(
            ModelToLog(
                id: digest.id, snapshot: snapshot, trainer: trainer.name, config: config.json, seed: seed,
                folder: folder,
                supersedes: supersedes, isDeterministic: true,
                fields: JSONObject([
                    ("numeric_version", .integer(Int64(trainer.numericVersion))), ("config", .string(config.digest)),
                    ("shards", .integer(Int64(shardFiles.count))),
                    ("shard_digests", .array(shardFiles.map { .string("sha256:" + Hex.encode(SHA256.hash($0))) })),
                    ("metrics", .object(metrics)),
                    ("deterministic", .bool(true)), ("trained_shards", .array(trained.map { .integer(Int64($0)) })),
                ])))
        return TrainingResult(
            model: record, isNew: isNew, snapshot: snapshot.id, trainedShards: trained, reusedShards: reused,
            trainedSamples: trainedSamples, trainAccuracyBasisPoints: accuracy, staleOnArrival: staleOnArrival)
    }
}

extension Engine {
    /// Marks a model stale in its own transaction when a revocation landed while it trained; when
    /// nothing was logged after the snapshot entry, nothing can have changed but the clock (the sweep
    /// covers expiry).
    /// - Returns: whether the model was marked stale.
    func markIfRevokedDuringTraining(model id: String, snapshot: Snapshot, writer: LogWriter) throws -> Bool {
        guard writer.size > snapshot.seq + 1 else { return false }
        let current = try currentRoots(of: snapshot)
        guard current.root != snapshot.root else { return false }
        let changed = (0..<snapshot.parameters.shards).filter { current.shardRoots[$0] != snapshot.shardRoots[$0] }
        try appendStale(
            model: id, cause: JSONObject([("kind", .string("revoked-during-training"))]), shards: changed,
            writer: writer)
        return true
    }
}

/// Collects shard results from worker threads.
/// `@unchecked Sendable`: every access to `storage` holds `lock`.
final class ShardResults: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [[UInt8]?]

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    /// Stores one shard's result and returns how many are stored.
    @discardableResult
    func set(_ shard: Int, _ bytes: [UInt8]) -> Int {
        lock.lock()
        defer { lock.unlock() }
        storage[shard] = bytes
        return storage.count { $0 != nil }
    }

    var values: [[UInt8]?] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}

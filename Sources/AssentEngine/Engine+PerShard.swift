internal import Foundation
internal import AssentCrypto
internal import AssentLog
public import AssentRecords
internal import AssentStorage

/// An external trainer run as one job per SISA shard, with an optional aggregate step.
public struct PerShardExec: Sendable {
    /// The shard command, run once per shard under `/bin/sh -c`.
    public var command: String
    /// The aggregate command, run once after the shard jobs with `ASSENT_SHARDS_DIR`, if any.
    public var aggregateCommand: String?
    /// Shard jobs run at once.
    public var jobs = ProcessInfo.processInfo.activeProcessorCount
    /// Run every job twice in fresh folders and claim reproducibility only if all matched.
    public var checkDeterminism = false
    /// Sandbox, environment and timeout of every job.
    public var options = ExecOptions()

    /// A per-shard trainer running `command`.
    public init(command: String) { self.command = command }

    /// The environment every shard job and aggregate gets, pinned for bit-determinism and recorded
    /// in the model entry (shared/reference measured which of these change bytes).
    public static let pinnedEnvironment: [(String, String)] = [
        ("MKL_CBWR", "COMPATIBLE"), ("MKL_NUM_THREADS", "1"), ("OMP_NUM_THREADS", "1"),
        ("OPENBLAS_CORETYPE", "Haswell"), ("OPENBLAS_NUM_THREADS", "1"), ("PYTHONHASHSEED", "0"),
    ]

    /// What the registry keeps, so that reproduction runs the jobs the same way.
    var json: JSONObject {
        var object = options.json
        object["command"] = .string(command)
        object["aggregate_command"] = aggregateCommand.map(JSONValue.string) ?? .null
        object["per_shard"] = .bool(true)
        return object
    }

    /// The spec read back from the registry.
    init(json: JSONObject) {
        command = json["command"]?.stringValue ?? ""
        aggregateCommand = json["aggregate_command"]?.stringValue
        options = ExecOptions(json: json)
    }
}

/// Results of shard jobs run on worker threads. `@unchecked Sendable`: every access holds `lock`.
final class ShardJobResults: @unchecked Sendable {
    private let lock = NSLock()
    private var failures: [Int: String] = [:]
    private var matches: [Int: Bool] = [:]
    private var finished = 0

    func fail(_ shard: Int, _ message: String) { lock.withLock { failures[shard] = message } }
    func match(_ shard: Int, _ matched: Bool) { lock.withLock { matches[shard] = matched } }
    func finish() -> Int {
        lock.withLock {
            finished += 1; return finished
        }
    }
    var firstFailure: (shard: Int, message: String)? {
        lock.withLock { failures.min { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }
    var allMatched: Bool { lock.withLock { matches.values.allSatisfy { $0 } } }
    var hasFailed: Bool { lock.withLock { !failures.isEmpty } }
}

extension Engine {
    /// Trains an external command once per shard (up to `spec.jobs` at once), then the aggregate; the
    /// model folder holds `shards/<NNN>/` and `aggregate/`, and its entry a digest per shard output.
    /// - Throws: ``EngineError`` naming the shard whose job failed; nothing is logged then and no
    ///   model folder is left.
    public func trainExternalPerShard(
        _ spec: PerShardExec, seed: UInt64 = 0, shards: Int? = nil, policy: Policy = .standard,
        snapshot snapshotID: String? = nil
    ) throws -> TrainingResult {
        try checkShardRunner()
        let snapshot = try trainingSnapshot(snapshotID, policy: policy, shards: shards, seed: seed)
        return try keepingSnapshot(snapshot, isFresh: snapshotID == nil) {
            try runPerShard(
                spec, seed: seed, snapshot: snapshot, rerun: Array(0..<snapshot.parameters.shards), reused: [:],
                supersedes: nil, reusedAreDeterministic: true)
        }
    }

    /// Reproduces a stale per-shard model: re-runs the jobs of shards whose root changed, reuses the
    /// others after checking them against the digests in the model entry, and re-runs the aggregate.
    func reproducePerShard(_ old: ModelRecord, previous: Snapshot, recut: Snapshot) throws -> TrainingResult {
        var spec = try perShardSpec(of: old)
        spec.checkDeterminism = old.isDeterministic
        let entry = try JSONParser.parse(try store.ledger.entry(old.seq).bytes).objectValue ?? JSONObject()
        let logged = entry["shard_digests"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let oldFolder = try presentFolder(of: old)
        var reused: [Int: URL] = [:]
        var rerun: [Int] = []
        for shard in 0..<recut.parameters.shards {
            guard recut.shardRoots[shard] == previous.shardRoots[shard] else {
                rerun.append(shard)
                continue
            }
            let folder = oldFolder.appendingPathComponent("shards/" + Self.shardFolderName(shard))
            guard shard < logged.count, (try? ModelDigest(folder: folder).id) == logged[shard] else {
                throw EngineError(
                    .refused,
                    "shard \(shard) of \(old.id) (\(folder.path)) differs from the digest in its model entry \(old.seq); the folder was changed, so the shard cannot be reused (train afresh instead)"
                )
            }
            reused[shard] = folder
        }
        return try runPerShard(
            spec, seed: old.seed, snapshot: recut, rerun: rerun, reused: reused, supersedes: old.id,
            reusedAreDeterministic: old.isDeterministic)
    }

    /// Checks that the shard runner can run jobs (for Ray: Python has `ray`, the cluster answers)
    /// before anything is cut or logged.
    func checkShardRunner() throws {
        guard case .ray(let address) = shardRunner else { return }
        let scratch = try WorkFolder(ledger: store.ledger.paths, prefix: "ray")
        defer { scratch.remove() }
        try RayShardRunner.check(address: address, scratch: scratch.url)
    }

    /// The per-shard spec an external model was trained with, or nil for a whole-snapshot one.
    func perShardSpec(of record: ModelRecord) throws -> PerShardExec {
        try store.database.withStatement("SELECT config FROM models WHERE id = ? ORDER BY seq DESC LIMIT 1") {
            statement in
            try statement.bind([.text(record.id)])
            guard try statement.step() else { throw EngineError(.notFound, "no model \(record.id)") }
            return PerShardExec(json: try JSONParser.parse(statement.blob(0)).objectValue ?? JSONObject())
        }
    }

    /// Whether an external model was trained one job per shard.
    func isPerShard(_ record: ModelRecord) throws -> Bool {
        guard record.trainer == "exec" else { return false }
        return try store.database.withStatement("SELECT config FROM models WHERE id = ? ORDER BY seq DESC LIMIT 1") {
            statement in
            try statement.bind([.text(record.id)])
            guard try statement.step() else { return false }
            return try JSONParser.parse(statement.blob(0)).objectValue?["per_shard"]?.boolValue == true
        }
    }

    /// `000`, `001`, …: a shard's folder name in a per-shard model.
    static func shardFolderName(_ shard: Int) -> String {
        let digits = String(shard)
        return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }
}

public import AssentLog

/// A logged model as the registry holds it.
public struct ModelRecord: Sendable {
    /// `sha256:<root>` of the model folder.
    public let id: String
    /// The log index of its model entry.
    public let seq: UInt64
    /// The snapshot it was trained on.
    public let snapshot: String
    /// The trainer.
    public let trainer: String
    /// The config.
    public let config: TrainerConfig
    /// `sha256:<hex>` of the config as the registry stored it (canonical JSON): the digest its model
    /// entry logged, also for a model trained with fields a later trainer version retired. For an
    /// external trainer, of its command spec.
    public let configDigest: String
    /// The seed.
    public let seed: UInt64
    /// The model folder, relative to the ledger folder.
    public let folder: String
    /// The model this one reproduces, if any.
    public let supersedes: String?
    /// The model that reproduces this one, if any.
    public let supersededBy: String?
    /// Why it is stale (one per stale entry): cause and affected shards.
    public let staleCauses: [JSONObject]
    /// Whether its bytes are claimed reproducible (built-in trainers, or a passed determinism check).
    public let isDeterministic: Bool
    /// For an external trainer, whether its jobs ran in the sandbox (false after `--no-sandbox`); nil
    /// for built-in trainers, which run in process.
    public var isSandboxed: Bool? = nil

    /// Whether any stale entry names it.
    public var isStale: Bool { !staleCauses.isEmpty }

    /// The record as JSON.
    public var json: JSONObject {
        JSONObject([
            ("model", .string(id)), ("seq", .integer(Int64(seq))), ("snapshot", .string(snapshot)),
            ("trainer", .string(trainer)),
            ("config", .string(configDigest)), ("seed", .integer(Int64(seed))), ("folder", .string(folder)),
            ("supersedes", supersedes.map(JSONValue.string) ?? .null),
            ("superseded_by", supersededBy.map(JSONValue.string) ?? .null),
            ("stale", .bool(isStale)), ("stale_causes", .array(staleCauses.map(JSONValue.object))),
            ("deterministic", .bool(isDeterministic)),
            ("sandboxed", isSandboxed.map(JSONValue.bool) ?? .null),
        ])
    }
}

/// What a training or reproduction did.
public struct TrainingResult: Sendable {
    /// The model.
    public let model: ModelRecord
    /// Whether a new model entry was logged (false when the same model already existed).
    public let isNew: Bool
    /// The snapshot trained on.
    public let snapshot: String
    /// Shards trained (all for a fresh training; the changed ones for a reproduction).
    public let trainedShards: [Int]
    /// Shards whose model was reused unchanged.
    public let reusedShards: [Int]
    /// Samples whose training work was done (sum over trained shards).
    public let trainedSamples: Int
    /// Training accuracy on the snapshot, in basis points.
    public let trainAccuracyBasisPoints: Int
    /// Whether the model was marked stale right away (a revocation landed while it trained).
    public let staleOnArrival: Bool
}

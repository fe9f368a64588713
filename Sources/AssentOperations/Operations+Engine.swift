public import AssentEngine
public import AssentLog
public import AssentProofs
public import AssentRecords
public import Foundation

/// What to train: a built-in trainer, an external command, or an external command per shard.
public enum TrainingJob {
    /// A built-in trainer (`logistic`, `naive-bayes`) with its config.
    case builtIn(trainer: String, config: TrainerConfig)
    /// An external command over the whole snapshot.
    case external(command: String, checkDeterminism: Bool, options: ExecOptions)
    /// An external command run once per shard (and an optional aggregate step).
    case perShard(PerShardExec)
}

extension Operations {
    /// Trains `job` on `snapshot` (or a fresh snapshot under `policy` with `shards` shards), then sweeps.
    /// - Throws: ``EngineError`` for an unknown trainer, a bad shard count or snapshot, a failed job.
    public func train(
        _ job: TrainingJob, seed: UInt64 = 0, shards: Int? = nil, policy: Policy = .standard, snapshot: String? = nil
    ) throws -> (result: TrainingResult, sweep: SweepOutcome) {
        let result: TrainingResult
        switch job {
        case .builtIn(let trainer, let config):
            result = try engine.train(
                trainer: trainer, config: config, seed: seed, shards: shards, policy: policy, snapshot: snapshot)
        case .external(let command, let checkDeterminism, let options):
            result = try engine.trainExternal(
                command: command, seed: seed, shards: shards, policy: policy, snapshot: snapshot,
                checkDeterminism: checkDeterminism, options: options)
        case .perShard(let spec):
            result = try engine.trainExternalPerShard(
                spec, seed: seed, shards: shards, policy: policy, snapshot: snapshot)
        }
        return (result, sweep())
    }

    /// Reproduces the stale models `ids` (or, when nil, every stale model without a successor), each
    /// retraining only the shards its revocations touched, then sweeps.
    /// - Parameter each: called with each result as it is logged, so a long run can report as it goes.
    /// - Throws: ``EngineError`` for a model that is not stale or cannot be reproduced.
    public func reproduce(_ ids: [String]? = nil, each: ((TrainingResult) -> Void)? = nil) throws -> (
        results: [TrainingResult], sweep: SweepOutcome
    ) {
        let targets = try ids ?? engine.models(staleOnly: true).filter { $0.supersededBy == nil }.map(\.id)
        var results: [TrainingResult] = []
        for id in targets {
            let result = try engine.reproduce(id)
            each?(result)
            results.append(result)
        }
        return (results, sweep())
    }

    /// A model's provenance proof as file name → bytes; with `sample`, also that sample's membership or
    /// absence in the model's snapshot.
    /// - Parameter validity: how long the status attestation is valid, in seconds.
    /// - Throws: ``LedgerError`` when the derived tables disagree with the log, ``EngineError`` for an
    ///   unknown model or one whose folder is not on this machine.
    public func proof(model: String, sample: [UInt8]? = nil, validity: Int64 = 3600) throws -> [String: [UInt8]] {
        var builder = ProofBuilder(engine: engine)
        builder.validity = validity
        var files = try builder.build(modelID: model, sample: sample)
        // The checkpoint (alone and inside each tlog-proof) carries the witnesses' cosignatures, so a
        // verifier can require a witness quorum.
        if let plain = files["checkpoint"].map({ String(decoding: $0, as: UTF8.self) }),
            let size = try? Checkpoint.open(plain, verifier: ledger.verifier).size,
            case let cosigned = try WitnessRegistry(store: store).cosigned(size: size).note, cosigned != plain
        {
            for (name, bytes) in files where name == "checkpoint" || name.hasSuffix(".tlog-proof") {
                files[name] = Array(
                    String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: plain, with: cosigned).utf8)
            }
        }
        return files
    }

    /// Retrains a verified model from this ledger without writing anything and compares its id: the
    /// `reproduce` step of a verification.
    /// - Throws: ``ProofError`` at step `reproduce` when the model is stale or the bytes differ.
    public func reproduceStep(for report: ProofVerifier.Report) throws -> ProofVerifier.Step {
        let record = try engine.model(report.modelID)
        guard !record.isStale else {
            throw ProofError(
                "reproduce",
                "refused: samples of this model were revoked or erased since it was trained"
                    + (record.supersededBy.map { "; its successor is \($0)" } ?? "; reproduce it with assent reproduce")
            )
        }
        let again: String
        do { again = try engine.retrainWithoutLogging(record) } catch { throw ProofError("reproduce", "\(error)") }
        guard again == report.modelID else {
            throw ProofError("reproduce", "retraining gave \(again), not \(report.modelID)")
        }
        return ProofVerifier.Step(
            name: "reproduce", detail: "retrained from the ledger: the same bytes (nothing written)")
    }
}

/// The outcome of verifying a proof: the steps that passed, the one that failed, and whether the keys
/// were pinned by a trust anchor.
public struct VerificationOutcome: Sendable {
    /// The steps that passed, in order.
    public let steps: [ProofVerifier.Step]
    /// The failed step, if one failed.
    public let failure: ProofError?
    /// Whether the proof was checked against pinned keys.
    public let isAnchored: Bool

    /// Verifies `files` against the model folder `model`; with `reproducing` (which opens the ledger),
    /// also retrains the model there and compares. A failed step is the outcome, not an error.
    /// - Throws: errors that are not a step's failure (a ledger that cannot be opened, an unknown model).
    public init(
        verifying files: [String: [UInt8]], model: URL, with verifier: ProofVerifier,
        reproducing: (() throws -> Operations)? = nil
    ) throws {
        try self.init(verifying: files, modelFiles: .folder(model), with: verifier, reproducing: reproducing)
    }

    /// Verifies `files` against the model's files (its folder or a digest manifest of it); otherwise
    /// as ``init(verifying:model:with:reproducing:)``.
    public init(
        verifying files: [String: [UInt8]], modelFiles: ModelFiles, with verifier: ProofVerifier,
        reproducing: (() throws -> Operations)? = nil
    ) throws {
        var steps: [ProofVerifier.Step] = []
        do {
            let report = try verifier.verify(files, model: modelFiles, steps: &steps)
            if let reproducing { steps.append(try reproducing().reproduceStep(for: report)) }
            self.init(steps: steps, failure: nil, isAnchored: report.isAnchored)
        } catch let error as ProofError {
            self.init(steps: steps, failure: error, isAnchored: verifier.trust != nil)
        }
    }

    /// An outcome from its parts.
    public init(steps: [ProofVerifier.Step], failure: ProofError?, isAnchored: Bool) {
        self.steps = steps
        self.failure = failure
        self.isAnchored = isAnchored
    }

    /// The JSON `assent verify --json` prints.
    public var json: JSONObject {
        var object = JSONObject([
            ("valid", .bool(failure == nil && isAnchored)), ("consistent", .bool(failure == nil)),
            ("anchored", .bool(isAnchored)),
            (
                "steps",
                .array(
                    steps.map {
                        .object(
                            JSONObject([
                                ("step", .string($0.name)), ("ok", .bool(true)), ("detail", .string($0.detail)),
                            ]))
                    })
            ),
        ])
        if let failure { object["failed_step"] = .string(failure.step); object["error"] = .string(failure.message) }
        return object
    }
}

extension TrainingResult {
    /// The JSON `assent train --json` and `assent reproduce --json` print.
    public func json(engine: Engine) -> JSONObject {
        var object = model.json
        object["new"] = .bool(isNew)
        object["trained_shards"] = .array(trainedShards.map { .integer(Int64($0)) })
        object["reused_shards"] = .array(reusedShards.map { .integer(Int64($0)) })
        object["trained_samples"] = .integer(Int64(trainedSamples))
        object["train_accuracy_bp"] = .integer(Int64(trainAccuracyBasisPoints))
        object["path"] = .string(engine.folder(of: model).path)
        return object
    }
}

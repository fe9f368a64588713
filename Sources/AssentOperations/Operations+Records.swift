public import AssentEngine
public import AssentLog
public import AssentRecords

extension Operations {
    /// Ingests a manifest or folder, then sweeps.
    /// - Throws: what ``Ingestor/ingest(_:defaults:options:progress:)`` throws; nothing is written then.
    public func ingest(
        _ source: ManifestSource, defaults: IngestDefaults = IngestDefaults(), options: IngestOptions = IngestOptions(),
        progress: ((String, Int, Int?) -> Void)? = nil
    ) throws -> (report: IngestReport, sweep: SweepOutcome) {
        let report = try Ingestor(store: store).ingest(source, defaults: defaults, options: options, progress: progress)
        return (report, sweep())
    }

    /// Records a consent grant, then sweeps.
    /// - Throws: ``RecordsError`` for an unknown purpose or legal basis, a bad time, an id in use.
    public func grantConsent(
        subject: String, purposes: [String], legalBasis: String = "consent", grantedAt: String? = nil,
        expiresAt: String? = nil, evidence: [UInt8]? = nil, id: String? = nil
    ) throws -> (consent: ConsentRecord, sweep: SweepOutcome) {
        let record = try ConsentRegistry(store: store).grant(
            subject: subject, purposes: purposes, legalBasis: legalBasis, grantedAt: grantedAt, expiresAt: expiresAt,
            evidence: evidence, id: id)
        return (record, sweep())
    }

    /// Renews a consent with a new expiry, then sweeps.
    /// - Throws: ``RecordsError`` for an unknown or withdrawn consent or a bad time.
    public func renewConsent(_ id: String, expiresAt: String?, evidence: [UInt8]? = nil) throws -> (
        consent: ConsentRecord, sweep: SweepOutcome
    ) {
        let record = try ConsentRegistry(store: store).renew(id, expiresAt: expiresAt, evidence: evidence)
        return (record, sweep())
    }

    /// Revokes `target`, marking stale every dependent model in the revocation's own write transaction;
    /// then, when asked, reproduces each of them that has no successor yet; then sweeps.
    /// - Throws: ``RecordsError`` for a target that does not exist or a bad reason or time (nothing is
    ///   logged then), or what reproduction throws (the revocation stands).
    public func revoke(
        _ target: RevocationTarget, reason: String = "withdrawn", effective: String? = nil, reproduce: Bool = false
    ) throws -> RevocationOutcome {
        var staled: [String] = []
        let result = try RevocationRegistry(store: store).revoke(target, reason: reason, effective: effective) {
            writer, affected, id in
            staled = try self.engine.markStale(affected: affected, revocation: id, writer: writer)
        }
        let reproducible = try staled.filter { try engine.model($0).supersededBy == nil }
        let reproduced = reproduce ? try reproducible.map { try engine.reproduce($0) } : []
        return RevocationOutcome(result: result, staleModels: staled, reproduced: reproduced, sweep: sweep())
    }

    /// Erases a subject's, a consent's or some samples' vault rows (revoking them first), then sweeps.
    /// - Throws: ``RecordsError`` for a target that does not exist.
    public func erase(_ target: RevocationTarget) throws -> (result: ErasureResult, sweep: SweepOutcome) {
        let result = try EraseRegistry(store: store).erase(target)
        return (result, sweep())
    }
}

/// What a revocation did.
public struct RevocationOutcome {
    /// The revocation itself: its id, entries, affected samples.
    public let result: RevocationResult
    /// The models it made stale, in its own transaction.
    public let staleModels: [String]
    /// The reproductions run because they were asked for.
    public let reproduced: [TrainingResult]
    /// The sweep after it.
    public let sweep: SweepOutcome

    /// The JSON `assent revoke --json` prints.
    public var json: JSONObject {
        JSONObject([
            ("revocation", result.id.map(JSONValue.string) ?? .null),
            ("entries", .array(result.entries.map { .integer(Int64($0)) })),
            ("affected_samples", .array(result.affected.map { .string("sha256:" + Hex.encode($0)) })),
            ("already_revoked", .integer(Int64(result.alreadyRevoked))),
            ("stale_models", .array(staleModels.map(JSONValue.string))),
            ("reproduced", .array(reproduced.map { .string($0.model.id) })),
        ])
    }
}

extension ErasureResult {
    /// The JSON `assent erase --json` prints.
    public var json: JSONObject {
        JSONObject([
            ("erased_samples", .array(samples.map { .string("sha256:" + Hex.encode($0)) })),
            ("identity_erased", .bool(identityErased)),
            ("entry", seq.map { .integer(Int64($0)) } ?? .null),
        ])
    }
}

extension Operations {
    /// Cuts a snapshot under `policy` as of log size `at` and time `asOf` into `shards` shards, after
    /// checking that the tables it reads agree with the log; then sweeps.
    /// - Parameter progress: called with the phase being worked on.
    /// - Throws: ``LedgerError`` when the derived tables disagree with the log, ``RecordsError`` for a
    ///   bad size, time or shard count.
    public func createSnapshot(
        policy: Policy = .standard, at: UInt64? = nil, asOf: String? = nil, shards: Int = 1,
        progress: ((String) -> Void)? = nil
    ) throws -> (snapshot: Snapshot, sweep: SweepOutcome) {
        progress?("checking derived tables")
        try DerivedStateCheck(store: store).run(includingSamples: false)
        progress?("cutting the snapshot")
        let snapshot = try SnapshotStore(store: store).create(policy: policy, at: at, asOf: asOf, shards: shards)
        return (snapshot, sweep())
    }
}

extension Operations {
    /// Ingests several small manifests (each at most one chunk) as one write transaction where it can:
    /// each is validated on its own (a bad one fails alone, with its own line numbers); the valid ones
    /// commit together, or one by one if a sample of one contradicts another's; then one sweep.
    /// - Returns: per manifest, in order, its report or the error that failed it.
    public func ingestTogether(
        _ manifests: [(source: ManifestSource, defaults: IngestDefaults, options: IngestOptions)]
    )
        -> (results: [Result<IngestReport, any Error>], sweep: SweepOutcome)
    {
        commitPrepared(prepareIngests(manifests))
    }

    /// Phase 1 of ``ingestTogether(_:)``: validates each manifest on its own, writing nothing. It only
    /// reads the ledger, so it may run on another connection to it while a commit is under way: the
    /// commit checks every sample against the ledger again.
    public func prepareIngests(
        _ manifests: [(source: ManifestSource, defaults: IngestDefaults, options: IngestOptions)]
    ) -> [Result<PreparedIngest, any Error>] {
        Ingestor(store: store).prepareEach(manifests)
    }

    /// Phase 2 of ``ingestTogether(_:)``: commits the manifests ``prepareIngests(_:)`` validated, then
    /// sweeps.
    /// - Returns: per manifest, in order, its report or the error that failed it.
    public func commitPrepared(_ prepared: [Result<PreparedIngest, any Error>])
        -> (results: [Result<IngestReport, any Error>], sweep: SweepOutcome)
    {
        var results = prepared.map { $0.map(\.report) }
        var pending = prepared.enumerated().compactMap { index, item in (try? item.get()).map { (index, $0) } }
        let small = pending.filter { $0.1.fitsOneChunk }
        // Even a lone request goes this way: it commits with the seals its validation made.
        if !small.isEmpty, let reports = try? Ingestor(store: store).commitTogether(small.map { $0.1 }) {
            for (item, report) in zip(small, reports) { results[item.0] = .success(report) }
            pending.removeAll { item in small.contains { $0.0 == item.0 } }
        }
        // One by one, with a fresh ingestor: what the failed group commit cached died with its rollback.
        let alone = Ingestor(store: store)
        for (index, item) in pending { results[index] = Result { try alone.commit(item) } }
        return (results, sweep())
    }
}

extension Operations {
    /// Appends note entries (`assent log append`) in one transaction, then sweeps.
    /// - Throws: ``LedgerError`` for a record type or a reserved field.
    public func appendNotes(_ notes: [(type: String, fields: JSONObject)]) throws -> (
        entries: [LogEntry], sweep: SweepOutcome
    ) {
        let entries = try ledger.appendNotes(notes)
        return (entries, sweep())
    }
}

extension Operations {
    /// Logs the classification of a source dataset, then sweeps.
    /// - Throws: ``RecordsError`` naming the field at fault; nothing is logged then.
    public func setSource(
        _ name: String, category: String, uri: String? = nil, crawler: String? = nil, generator: String? = nil,
        description: String? = nil
    ) throws -> (source: SourceRecord, sweep: SweepOutcome) {
        let record = try SourceRegistry(store: store).set(
            name, category: category, uri: uri, crawler: crawler, generator: generator, description: description)
        return (record, sweep())
    }
}

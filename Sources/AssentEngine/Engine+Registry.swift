public import Foundation
public import AssentLog
internal import AssentCrypto
internal import AssentRecords
internal import AssentStorage

extension Engine {
    /// Every logged model, oldest first; `staleOnly` keeps the stale ones.
    public func models(staleOnly: Bool = false) throws -> [ModelRecord] {
        let ids = try store.database.withStatement("SELECT id FROM models ORDER BY seq") { statement in
            var ids: [String] = []
            while try statement.step() { ids.append(statement.text(0)) }
            return ids
        }
        var seen: Set<String> = []
        var records: [ModelRecord] = []
        for id in ids where seen.insert(id).inserted {
            let record = try model(id)
            if !staleOnly || record.isStale { records.append(record) }
        }
        return records
    }

    /// The model with this id (`sha256:<hex>`, the prefix optional; the latest entry if logged twice).
    /// - Throws: ``EngineError`` `notFound`.
    public func model(_ id: String) throws -> ModelRecord {
        let full = id.hasPrefix("sha256:") ? id : "sha256:" + id
        let row = try store.database.withStatement(
            "SELECT seq, snapshot, trainer, config, seed, folder, supersedes, deterministic FROM models WHERE id = ? ORDER BY seq DESC LIMIT 1"
        ) { statement -> (Int64, Int64, String, [UInt8], Int64, String, String?, Bool)? in
            try statement.bind([.text(full)])
            guard try statement.step() else { return nil }
            return (
                statement.integer(0), statement.integer(1), statement.text(2), statement.blob(3), statement.integer(4),
                statement.text(5), statement.isNull(6) ? nil : statement.text(6), statement.integer(7) != 0
            )
        }
        guard let row else { throw EngineError(.notFound, "no model \(id) (see assent models)") }
        let causes = try store.database.withStatement(
            "SELECT cause, shards FROM model_stale WHERE model = ? ORDER BY seq"
        ) { statement in
            try statement.bind([.text(full)])
            var causes: [JSONObject] = []
            while try statement.step() {
                var cause = try JSONParser.parse(statement.text(0)).objectValue ?? JSONObject()
                cause["shards"] = try JSONParser.parse(statement.text(1))
                causes.append(cause)
            }
            return causes
        }
        let successor = try store.database.withStatement(
            "SELECT id FROM models WHERE supersedes = ? ORDER BY seq DESC LIMIT 1"
        ) { statement -> String? in
            try statement.bind([.text(full)])
            return try statement.step() ? statement.text(0) : nil
        }
        var record = ModelRecord(
            id: full, seq: UInt64(row.0), snapshot: Snapshot.id(forSeq: UInt64(row.1)), trainer: row.2,
            config: row.2 == "exec" ? TrainerConfig() : try TrainerConfig(json: row.3, acceptingRetired: true),
            configDigest: "sha256:" + Hex.encode(SHA256.hash(row.3)), seed: UInt64(row.4),
            folder: row.5, supersedes: row.6,
            supersededBy: successor,
            staleCauses: causes, isDeterministic: row.7)
        if row.2 == "exec" {
            record.isSandboxed = ExecOptions(json: try JSONParser.parse(row.3).objectValue ?? JSONObject()).isSandboxed
        }
        return record
    }

    /// Where the model folder is on this machine, as an absolute path: `ModelRecord/folder` is
    /// `models/<root hex>`, inside the ledger's models folder (see `Ledger/modelsFolder`).
    public func folder(of model: ModelRecord) -> URL {
        let location =
            model.folder.hasPrefix("models/")
            ? store.ledger.modelsFolder.appendingPathComponent(String(model.folder.dropFirst("models/".count)))
            : store.ledger.paths.folder.appendingPathComponent(model.folder)
        return location.absoluteURL.standardizedFileURL
    }

    /// The model folder, which must be on this machine.
    /// - Throws: ``EngineError`` `notFound` saying which model's folder is missing and where it looked.
    public func presentFolder(of model: ModelRecord) throws -> URL {
        let location = folder(of: model)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: location.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw EngineError(
                .notFound,
                "the folder of model \(model.id) is not on this machine: looked for \(location.path) (model folders live in \(store.ledger.modelsFolder.path); a shared folder is set with assent init --models DIR)"
            )
        }
        return location
    }
}

extension Engine {
    /// Logs a stale entry for `model` in `writer`'s transaction.
    func appendStale(model: String, cause: JSONObject, shards: [Int], writer: LogWriter) throws {
        let entry = try writer.append(
            type: "stale",
            fields: JSONObject([
                ("model", .string(model)), ("cause", .object(cause)),
                ("shards", .array(shards.map { .integer(Int64($0)) })),
            ]))
        try writer.connection.run(
            "INSERT INTO model_stale (model, seq, cause, shards) VALUES (?, ?, ?, ?)",
            [
                .text(model), .integer(Int64(entry.seq)),
                .text(String(decoding: CanonicalJSON.encode(.object(cause)), as: UTF8.self)),
                .text(
                    String(decoding: CanonicalJSON.encode(.array(shards.map { .integer(Int64($0)) })), as: UTF8.self)),
            ])
    }

    /// For a revocation's transaction: a stale entry for every model whose snapshot holds an affected
    /// sample, naming the revocation and the affected shards.
    /// - Returns: the models marked.
    @discardableResult
    public func markStale(affected: [[UInt8]], revocation: String, writer: LogWriter) throws -> [String] {
        try RevocationRegistry(store: store).noteModelsChecked(revocation: revocation, writer: writer)
        guard !affected.isEmpty else { return [] }
        let samples = try affected.map { commitment in
            (
                commitment: commitment,
                subject: try store.database.withStatement("SELECT subject FROM samples WHERE commitment = ?") {
                    statement -> String? in
                    try statement.bind([.blob(commitment)])
                    guard try statement.step(), !statement.isNull(0) else { return nil }
                    return statement.text(0)
                }
            )
        }
        var marked: [String] = []
        for record in try models() {
            let shards = try snapshots.shardsHolding(samples, in: try snapshots.load(record.snapshot))
            guard !shards.isEmpty else { continue }
            try appendStale(
                model: record.id,
                cause: JSONObject([("kind", .string("revocation")), ("revocation", .string(revocation))]),
                shards: shards.sorted(), writer: writer)
            marked.append(record.id)
        }
        return marked
    }

    /// Marks stale every current model whose snapshot, re-cut now, has lost members (consents that
    /// expired, revocations that took effect later). Run by every write command and by `assent sweep`.
    ///
    /// Revocations logged after a model are not looked at again for it: every revocation path
    /// (`assent revoke`, the demo) runs ``markStale(affected:revocation:writer:)`` in its own transaction.
    /// - Returns: the models marked.
    @discardableResult
    public func sweep() throws -> [String] {
        let candidates = try models().filter { !$0.isStale }
        guard !candidates.isEmpty else { return [] }
        return try store.ledger.write { writer in
            var marked: [String] = []
            for record in candidates {
                let snapshot = try snapshots.load(record.snapshot)
                let current = try currentRoots(of: snapshot, model: record.seq)
                guard current.root != snapshot.root else { continue }
                let shards = (0..<snapshot.parameters.shards).filter {
                    current.shardRoots[$0] != snapshot.shardRoots[$0]
                }
                try appendStale(
                    model: record.id,
                    cause: JSONObject([
                        ("kind", .string("expired-or-later-revocation")), ("swept_at", .string(writer.timestamp)),
                    ]), shards: shards, writer: writer)
                marked.append(record.id)
            }
            return marked
        }
    }
}

extension Engine {
    /// The log indices of the stale entries naming `model`, oldest first.
    public func staleEntries(of model: String) throws -> [UInt64] {
        try store.database.withStatement("SELECT seq FROM model_stale WHERE model = ? ORDER BY seq") { statement in
            try statement.bind([.text(model)])
            var rows: [UInt64] = []
            while try statement.step() { rows.append(UInt64(statement.integer(0))) }
            return rows
        }
    }
}

extension Engine {
    /// Adds a logged model to the registry, in the model entry's transaction.
    func registerModel(
        entry: UInt64, id: String, snapshot: UInt64, trainer: String, config: JSONObject, seed: UInt64, folder: String,
        supersedes: String?, isDeterministic: Bool, writer: LogWriter
    ) throws {
        try writer.connection.run(
            "INSERT INTO models (seq, id, snapshot, trainer, config, seed, folder, supersedes, deterministic) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                .integer(Int64(entry)), .text(id), .integer(Int64(snapshot)), .text(trainer),
                .blob(CanonicalJSON.encode(.object(config))),
                .integer(Int64(seed)), .text(folder), supersedes.map(SQLValue.text) ?? .null,
                .integer(isDeterministic ? 1 : 0),
            ])
    }
}

/// A model about to be logged: its id and folder, what the registry keeps, and the trainer's own
/// entry fields (the helper adds `model`, `snapshot`, `snapshot_root`, `trainer`, `seed` and
/// `supersedes`).
struct ModelToLog {
    let id: String
    let snapshot: Snapshot
    let trainer: String
    let config: JSONObject
    let seed: UInt64
    let folder: URL
    let supersedes: String?
    let isDeterministic: Bool
    let fields: JSONObject
}

extension Engine {
    /// Logs `model` in one write transaction, unless the same model from the same snapshot is logged
    /// already; registers it, and stales it at once if a revocation landed while it trained.
    func log(_ model: ModelToLog) throws -> (record: ModelRecord, isNew: Bool, staleOnArrival: Bool) {
        var isNew = false
        var staleOnArrival = false
        let record: ModelRecord = try store.ledger.write { writer in
            if let existing = try models().first(where: { $0.id == model.id && $0.snapshot == model.snapshot.id }) {
                return existing
            }
            isNew = true
            var fields = model.fields
            fields["model"] = .string(model.id)
            fields["snapshot"] = .string(model.snapshot.id)
            fields["snapshot_root"] = .string("sha256:" + Hex.encode(model.snapshot.root))
            fields["trainer"] = .string(model.trainer)
            fields["seed"] = .integer(Int64(model.seed))
            fields["supersedes"] = model.supersedes.map(JSONValue.string) ?? .null
            let entry = try writer.append(type: "model", fields: fields)
            try registerModel(
                entry: entry.seq, id: model.id, snapshot: model.snapshot.seq, trainer: model.trainer,
                config: model.config, seed: model.seed, folder: "models/" + model.folder.lastPathComponent,
                supersedes: model.supersedes, isDeterministic: model.isDeterministic, writer: writer)
            staleOnArrival = try markIfRevokedDuringTraining(model: model.id, snapshot: model.snapshot, writer: writer)
            return try self.model(model.id)
        }
        return (record, isNew, staleOnArrival)
    }
}

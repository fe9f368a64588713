internal import Foundation
internal import AssentCrypto
internal import AssentLog
public import AssentRecords
internal import AssentStorage

extension Engine {
    /// Trains with an external command: it gets a fresh folder with copies of only the snapshot's
    /// samples and a manifest, and an empty output folder; whatever it writes there is the model.
    ///
    /// The command runs under `/bin/sh -c` with `ASSENT_INPUT` (the samples folder, holding
    /// `manifest.json` and `samples/<commitment hex>`), `ASSENT_OUTPUT` (empty), `ASSENT_SEED`,
    /// `ASSENT_THREADS` and `ASSENT_SHARDS`. With `checkDeterminism` it runs twice in fresh folders and
    /// the entry records whether the bytes matched; only then is the model claimed reproducible.
    /// - Throws: ``EngineError`` `trainerFailed` when the command fails or writes nothing.
    public func trainExternal(
        command: String, seed: UInt64 = 0, shards: Int? = nil, policy: Policy = .standard,
        snapshot snapshotID: String? = nil,
        checkDeterminism: Bool = false, supersedes: String? = nil
    ) throws -> TrainingResult {
        let snapshot: Snapshot
        if let snapshotID {
            snapshot = try snapshots.load(snapshotID)
            guard try currentRoots(of: snapshot).root == snapshot.root else {
                throw EngineError(
                    .refused, "snapshot \(snapshot.id) has members that are no longer consented; cut a new snapshot")
            }
        } else {
            snapshot = try snapshots.create(policy: policy, shards: shards ?? 1)
        }
        let members = try snapshots.members(snapshot)
        let first = try runExternal(command: command, members: members, seed: seed, shards: snapshot.parameters.shards)
        var matched: Bool? = nil
        if checkDeterminism {
            let second = try runExternal(
                command: command, members: members, seed: seed, shards: snapshot.parameters.shards)
            matched = try ModelDigest(folder: first).root == ModelDigest(folder: second).root
            try? FileManager.default.removeItem(at: second.deletingLastPathComponent())
        }
        defer { try? FileManager.default.removeItem(at: first.deletingLastPathComponent()) }
        let digest = try ModelDigest(folder: first)
        let models = store.ledger.paths.folder.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        let final = models.appendingPathComponent(Hex.encode(digest.root))
        if !FileManager.default.fileExists(atPath: final.path) {
            try FileManager.default.copyItem(at: first, to: final)
        }
        var isNew = false
        let record: ModelRecord = try store.ledger.write { writer in
            if let existing = try self.models().first(where: { $0.id == digest.id && $0.snapshot == snapshot.id }) {
                return existing
            }
            isNew = true
            let entry = try writer.append(
                type: "model",
                fields: JSONObject([
                    ("model", .string(digest.id)), ("snapshot", .string(snapshot.id)),
                    ("snapshot_root", .string("sha256:" + Hex.encode(snapshot.root))),
                    ("trainer", .string("exec")),
                    ("command", .string("sha256:" + Hex.encode(SHA256.hash(Array(command.utf8))))),
                    ("seed", .integer(Int64(seed))), ("shards", .integer(Int64(snapshot.parameters.shards))),
                    ("files", .array(digest.resources.map { .string($0.name) })),
                    ("metrics", .object(JSONObject([("samples", .integer(Int64(members.count)))]))),
                    ("supersedes", supersedes.map(JSONValue.string) ?? .null),
                    ("deterministic", .bool(matched == true)), ("determinism_checked", .bool(matched != nil)),
                ]))
            try registerModel(
                entry: entry.seq, id: digest.id, snapshot: snapshot.seq, trainer: "exec",
                config: JSONObject([("command", .string(command))]),
                seed: seed, folder: "models/" + final.lastPathComponent, supersedes: supersedes,
                isDeterministic: matched == true,
                writer: writer)
            return try model(digest.id)
        }
        return TrainingResult(
            model: record, isNew: isNew, snapshot: snapshot.id, trainedShards: Array(0..<snapshot.parameters.shards),
            reusedShards: [],
            trainedSamples: members.count, trainAccuracyBasisPoints: 0, staleOnArrival: false)
    }

    /// The command an external model was trained with.
    func externalCommand(of record: ModelRecord) throws -> String {
        try store.database.withStatement("SELECT config FROM models WHERE id = ? ORDER BY seq DESC LIMIT 1") {
            statement in
            try statement.bind([.text(record.id)])
            guard try statement.step(),
                let command = try JSONParser.parse(statement.blob(0)).objectValue?["command"]?.stringValue
            else {
                throw EngineError(.notFound, "no command recorded for \(record.id)")
            }
            return command
        }
    }

    /// Runs the command once in a fresh folder and returns its output folder.
    private func runExternal(command: String, members: [SnapshotMember], seed: UInt64, shards: Int) throws -> URL {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent(
            "assent-exec-\(Hex.encode(SecureRandom.bytes(count: 8)))")
        let input = work.appendingPathComponent("input")
        let output = work.appendingPathComponent("output")
        try FileManager.default.createDirectory(
            at: input.appendingPathComponent("samples"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        var listed: [JSONValue] = []
        for member in members {
            let name = Hex.encode(member.commitment)
            let content = try store.content(of: member.commitment)
            guard let content else { throw EngineError(.refused, "sample sha256:\(name) has no content in the vault") }
            try Data(content).write(to: input.appendingPathComponent("samples/" + name))
            listed.append(
                .object(
                    JSONObject([
                        ("commitment", .string("sha256:" + name)), ("file", .string("samples/" + name)),
                        ("shard", .integer(Int64(member.shard))),
                        ("license", .string(member.license)),
                        ("consent", member.consent.map(JSONValue.string) ?? .null),
                    ])))
        }
        try Data(
            CanonicalJSON.encode(
                .object(
                    JSONObject([
                        ("samples", .array(listed)), ("shards", .integer(Int64(shards))),
                        ("seed", .integer(Int64(seed))),
                    ])))
        ).write(
            to: input.appendingPathComponent("manifest.json"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = work
        var environment = ProcessInfo.processInfo.environment
        environment["ASSENT_INPUT"] = input.path
        environment["ASSENT_OUTPUT"] = output.path
        environment["ASSENT_SEED"] = String(seed)
        environment["ASSENT_THREADS"] = String(max(1, threads))
        environment["ASSENT_SHARDS"] = String(shards)
        for name in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"] {
            environment[name] = String(max(1, threads))
        }
        process.environment = environment
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw EngineError(
                .trainerFailed, "the external trainer exited with status \(process.terminationStatus): \(command)")
        }
        let written = (try? FileManager.default.subpathsOfDirectory(atPath: output.path)) ?? []
        guard !written.isEmpty else {
            throw EngineError(.trainerFailed, "the external trainer wrote nothing to ASSENT_OUTPUT")
        }
        return output
    }
}

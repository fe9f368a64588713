internal import Foundation
internal import AssentCrypto
internal import AssentLog
public import AssentRecords
internal import AssentStorage

extension Engine {
    /// Trains with an external command: it gets a fresh folder with copies of only the snapshot's
    /// samples and a manifest, and an empty output folder; whatever it writes there is the model.
    ///
    /// The command runs under `/bin/sh -c` as an ``ExternalJob`` (sandboxed unless `options` say not),
    /// with an environment built from nothing: `ASSENT_INPUT` (the samples folder, holding
    /// `manifest.json` and `samples/<commitment hex>`), `ASSENT_OUTPUT` (empty), `ASSENT_SEED`,
    /// `ASSENT_THREADS`, `ASSENT_SHARDS`, `PATH`, and the names `options` pass through. Its work
    /// folder is a ``WorkFolder`` (mode 0700, removed on every exit path). Only regular files and folders
    /// are accepted from its output. With `checkDeterminism` it runs twice in fresh folders and the entry
    /// records whether the bytes matched; only then is the model claimed reproducible.
    /// - Throws: ``EngineError`` `trainerFailed` when the command fails, times out, writes nothing or
    ///   writes something other than files and folders.
    public func trainExternal(
        command: String, seed: UInt64 = 0, shards: Int? = nil, policy: Policy = .standard,
        snapshot snapshotID: String? = nil,
        checkDeterminism: Bool = false, supersedes: String? = nil, options: ExecOptions = ExecOptions()
    ) throws -> TrainingResult {
        let snapshot = try trainingSnapshot(snapshotID, policy: policy, shards: shards, seed: seed)
        let members = try snapshots.members(snapshot)
        let first = try keepingSnapshot(snapshot, isFresh: snapshotID == nil) {
            try runExternal(
                command: command, members: members, seed: seed, shards: snapshot.parameters.shards, options: options)
        }
        var matched: Bool? = nil
        if checkDeterminism {
            let second = try runExternal(
                command: command, members: members, seed: seed, shards: snapshot.parameters.shards, options: options)
            matched = try ModelDigest(folder: first.output).root == ModelDigest(folder: second.output).root
            second.folder.remove()
        }
        defer { first.folder.remove() }
        let (digest, final) = try ModelOutput.accept(
            first.output, into: store.ledger.modelsFolder)
        var config = options.json
        config["command"] = .string(command)
        let (record, isNew, staleOnArrival) = try log(
            ModelToLog(
                id: digest.id, snapshot: snapshot, trainer: "exec", config: config, seed: seed, folder: final,
                supersedes: supersedes, isDeterministic: matched == true,
                fields: JSONObject([
                    ("command", .string("sha256:" + Hex.encode(SHA256.hash(Array(command.utf8))))),
                    ("shards", .integer(Int64(snapshot.parameters.shards))),
                    ("files", .array(digest.resources.map { .string($0.name) })),
                    ("metrics", .object(JSONObject([("samples", .integer(Int64(members.count)))]))),
                    ("deterministic", .bool(matched == true)), ("determinism_checked", .bool(matched != nil)),
                    ("sandboxed", .bool(options.isSandboxed)),
                ])))
        return TrainingResult(
            model: record, isNew: isNew, snapshot: snapshot.id, trainedShards: Array(0..<snapshot.parameters.shards),
            reusedShards: [],
            trainedSamples: members.count, trainAccuracyBasisPoints: 0, staleOnArrival: staleOnArrival)
    }

    /// The way an external model's job was run, as recorded in the registry.
    func externalOptions(of record: ModelRecord) throws -> ExecOptions {
        try store.database.withStatement("SELECT config FROM models WHERE id = ? ORDER BY seq DESC LIMIT 1") {
            statement in
            try statement.bind([.text(record.id)])
            guard try statement.step() else { return ExecOptions() }
            return ExecOptions(json: try JSONParser.parse(statement.blob(0)).objectValue ?? JSONObject())
        }
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

    /// Runs the command once in a fresh work folder and returns it with its output folder.
    private func runExternal(
        command: String, members: [SnapshotMember], seed: UInt64, shards: Int, options: ExecOptions
    ) throws -> (folder: WorkFolder, output: URL) {
        let work = try WorkFolder(ledger: store.ledger.paths, prefix: "exec")
        let input = work.url.appendingPathComponent("input")
        let output = work.url.appendingPathComponent("output")
        try writeJobInput(members, into: input, seed: seed, shards: shards, shard: nil)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let threads = String(max(1, self.threads))
        var environment = [
            ("ASSENT_SEED", String(seed)), ("ASSENT_THREADS", threads), ("ASSENT_SHARDS", String(shards)),
        ]
        for name in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"] {
            environment.append((name, threads))
        }
        let status = try ExternalJob.run(
            command, input: input, output: output, environment: environment, options: options)
        guard status == 0 else {
            let hint = options.isSandboxed ? " (in the sandbox; --sandbox-ro PATH makes more paths visible)" : ""
            throw EngineError(
                .trainerFailed, "the external trainer exited with status \(status)\(hint): \(command)")
        }
        let written = (try? FileManager.default.subpathsOfDirectory(atPath: output.path)) ?? []
        guard !written.isEmpty else {
            throw EngineError(.trainerFailed, "the external trainer wrote nothing to ASSENT_OUTPUT")
        }
        return (work, output)
    }

    /// Writes a job's input folder: copies of `members` (checked against their commitments on the way
    /// out of the vault) as `samples/<commitment hex>`, and `manifest.json` listing them.
    func writeJobInput(_ members: [SnapshotMember], into input: URL, seed: UInt64, shards: Int, shard: Int?) throws {
        try FileManager.default.createDirectory(
            at: input.appendingPathComponent("samples"), withIntermediateDirectories: true)
        var listed: [JSONValue] = []
        var contents: [[UInt8]?] = []
        for (index, member) in members.enumerated() {
            if index % 4_096 == 0 {
                contents = try store.contents(
                    of: members[index..<min(members.count, index + 4_096)].map(\.commitment))
            }
            let name = Hex.encode(member.commitment)
            guard let content = contents[index % 4_096] else {
                throw EngineError(.refused, "sample sha256:\(name) has no content in the vault")
            }
            try Self.writeFile(content, to: input.appendingPathComponent("samples/" + name).path)
            listed.append(
                .object(
                    JSONObject([
                        ("commitment", .string("sha256:" + name)), ("file", .string("samples/" + name)),
                        ("shard", .integer(Int64(member.shard))),
                        ("license", .string(member.license)),
                        ("consent", member.consent.map(JSONValue.string) ?? .null),
                    ])))
        }
        var manifest = JSONObject([
            ("samples", .array(listed)), ("shards", .integer(Int64(shards))), ("seed", .integer(Int64(seed))),
        ])
        if let shard { manifest["shard"] = .integer(Int64(shard)) }
        try Data(CanonicalJSON.encode(.object(manifest))).write(to: input.appendingPathComponent("manifest.json"))
    }

    /// Writes a new file with plain POSIX calls (mode 0600, no fsync: a job input is scratch).
    static func writeFile(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw EngineError(.trainerFailed, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var done = 0
        while done < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + done, bytes.count - done) }
            guard written > 0 else {
                throw EngineError(.trainerFailed, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            done += written
        }
    }
}

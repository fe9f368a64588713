internal import Foundation
internal import AssentCrypto
internal import AssentLog
internal import AssentRecords

extension Engine {
    /// Runs the shard jobs of `rerun` (in parallel), takes `reused` shard outputs as they are, runs the
    /// aggregate, assembles the model folder and logs the model entry.
    func runPerShard(
        _ spec: PerShardExec, seed: UInt64, snapshot: Snapshot, rerun: [Int], reused: [Int: URL],
        supersedes: String?, reusedAreDeterministic: Bool
    ) throws -> TrainingResult {
        let shards = snapshot.parameters.shards
        let members = try snapshots.members(snapshot, shards: Set(rerun)).filter { Set(rerun).contains($0.shard) }
        // Inputs are written here, on this thread (the vault's connection is not shared); only the
        // jobs themselves run on worker threads.
        var works: [Int: WorkFolder] = [:]
        defer { for work in works.values { work.remove() } }
        let runs = spec.checkDeterminism ? 2 : 1
        // One file per sample: on a disk file system creating them costs more than many a trainer.
        let inMemory = WorkFolder.memoryHasRoom(for: 2 * (try store.totalContentSize()))
        for shard in rerun {
            let work = try WorkFolder(ledger: store.ledger.paths, prefix: "shard", inMemory: inMemory)
            works[shard] = work
            try writeJobInput(
                members.filter { $0.shard == shard }, into: work.url.appendingPathComponent("input"), seed: seed,
                shards: shards, shard: shard)
            for run in 0..<runs {
                try FileManager.default.createDirectory(
                    at: work.url.appendingPathComponent("output-\(run)"), withIntermediateDirectories: true)
            }
        }
        progress?("shard jobs", 0, rerun.count)
        let results: ShardJobResults
        switch shardRunner {
        case .local:
            results = runLocally(spec, works: works, rerun: rerun, runs: runs, seed: seed, shards: shards)
        case .ray(let address):
            results = try runOnRay(
                spec, works: works, rerun: rerun, runs: runs, seed: seed, shards: shards, address: address)
        }
        if let failure = results.firstFailure {
            throw EngineError(.trainerFailed, "shard \(failure.shard)'s job \(failure.message): \(spec.command)")
        }
        var aggregateMatched = true
        let (digest, final) = try ModelOutput.assemble(
            into: store.ledger.modelsFolder
        ) { staging in
            for shard in 0..<shards {
                let name = Self.shardFolderName(shard)
                let source = works[shard].map { $0.url.appendingPathComponent("output-0") } ?? reused[shard]!
                try ModelOutput.copyOutput(
                    source, to: staging.appendingPathComponent("shards/" + name), what: "shard \(name): ")
            }
            if let aggregate = spec.aggregateCommand {
                aggregateMatched = try runAggregate(
                    aggregate, shardsFolder: staging.appendingPathComponent("shards"),
                    into: staging.appendingPathComponent("aggregate"), seed: seed, shards: shards, spec: spec)
            }
        }
        let shardDigests = try (0..<shards).map {
            try ModelDigest(folder: final.appendingPathComponent("shards/" + Self.shardFolderName($0))).id
        }
        let aggregateDigest = try spec.aggregateCommand.map { _ in
            try ModelDigest(folder: final.appendingPathComponent("aggregate")).id
        }
        let isDeterministic =
            spec.checkDeterminism && results.allMatched && aggregateMatched && reusedAreDeterministic
        let (record, isNew, staleOnArrival) = try log(
            ModelToLog(
                id: digest.id, snapshot: snapshot, trainer: "exec", config: spec.json, seed: seed, folder: final,
                supersedes: supersedes, isDeterministic: isDeterministic,
                fields: JSONObject([
                    ("per_shard", .bool(true)),
                    ("command", .string("sha256:" + Hex.encode(SHA256.hash(Array(spec.command.utf8))))),
                    (
                        "aggregate_command",
                        spec.aggregateCommand.map { .string("sha256:" + Hex.encode(SHA256.hash(Array($0.utf8)))) }
                            ?? .null
                    ),
                    ("shards", .integer(Int64(shards))),
                    ("shard_digests", .array(shardDigests.map(JSONValue.string))),
                    ("aggregate_digest", aggregateDigest.map(JSONValue.string) ?? .null),
                    ("trained_shards", .array(rerun.map { .integer(Int64($0)) })),
                    (
                        "environment",
                        .object(JSONObject(PerShardExec.pinnedEnvironment.map { ($0.0, JSONValue.string($0.1)) }))
                    ),
                    ("metrics", .object(JSONObject([("samples", .integer(Int64(snapshot.count)))]))),
                    ("deterministic", .bool(isDeterministic)), ("determinism_checked", .bool(spec.checkDeterminism)),
                    ("sandboxed", .bool(spec.options.isSandboxed)), ("runner", .string(shardRunner.name)),
                ])))
        return TrainingResult(
            model: record, isNew: isNew, snapshot: snapshot.id, trainedShards: rerun,
            reusedShards: (0..<shards).filter { reused[$0] != nil }, trainedSamples: members.count,
            trainAccuracyBasisPoints: 0, staleOnArrival: staleOnArrival)
    }

    /// The environment of shard `shard`'s job.
    private static func shardEnvironment(seed: UInt64, shards: Int, shard: Int) -> [(String, String)] {
        [
            ("ASSENT_SEED", String(seed)), ("ASSENT_THREADS", "1"), ("ASSENT_SHARDS", String(shards)),
            ("ASSENT_SHARD", String(shard)),
        ] + PerShardExec.pinnedEnvironment
    }

    /// Checks a finished job: a zero exit status and a non-empty output; records a failure otherwise.
    /// - Returns: when the job succeeded, the output's root digest if `digest` asks for it (to compare
    ///   two runs), else no bytes; the output's entries are checked when it is copied.
    private static func checkJob(
        _ shard: Int, status: Int32?, message: String?, output: URL, log: URL, digest: Bool,
        results: ShardJobResults
    ) -> [UInt8]? {
        guard let status else {
            results.fail(shard, message ?? "did not run")
            return nil
        }
        guard status == 0 else {
            results.fail(shard, "exited with status \(status)\(message.map { " (\($0))" } ?? "")\(tail(of: log))")
            return nil
        }
        guard message == nil else {
            results.fail(shard, message!)
            return nil
        }
        guard !((try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []).isEmpty else {
            results.fail(shard, "wrote nothing to ASSENT_OUTPUT")
            return nil
        }
        guard digest else { return [] }
        do { return try ModelDigest(folder: output).root } catch {
            results.fail(shard, "\(error)")
            return nil
        }
    }

    /// Runs the shard jobs as processes on this machine, up to `spec.jobs` at once.
    private func runLocally(
        _ spec: PerShardExec, works: [Int: WorkFolder], rerun: [Int], runs: Int, seed: UInt64, shards: Int
    ) -> ShardJobResults {
        let results = ShardJobResults()
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = max(1, spec.jobs)
        let progress = self.progress
        for shard in rerun {
            let folder = works[shard]!.url
            let environment = Self.shardEnvironment(seed: seed, shards: shards, shard: shard)
            queue.addOperation {
                guard !results.hasFailed else { return }
                var digests: [[UInt8]] = []
                for run in 0..<runs {
                    let output = folder.appendingPathComponent("output-\(run)")
                    let log = folder.appendingPathComponent("log-\(run)")
                    var status: Int32? = nil
                    var message: String? = nil
                    do {
                        status = try ExternalJob.run(
                            spec.command, input: folder.appendingPathComponent("input"), output: output,
                            environment: environment, options: spec.options, log: log)
                    } catch { message = "\(error)" }
                    guard
                        let digest = Self.checkJob(
                            shard, status: status, message: message, output: output, log: log, digest: runs == 2,
                            results: results)
                    else { return }
                    digests.append(digest)
                }
                if runs == 2 { results.match(shard, digests[0] == digests[1]) }
                progress?("shard jobs", results.finish(), rerun.count)
            }
        }
        queue.waitUntilAllOperationsAreFinished()
        return results
    }

    /// Hands the shard jobs to a Ray cluster; every run of every shard is its own task.
    private func runOnRay(
        _ spec: PerShardExec, works: [Int: WorkFolder], rerun: [Int], runs: Int, seed: UInt64, shards: Int,
        address: String?
    ) throws -> ShardJobResults {
        if spec.options.isSandboxed { try ExternalJob.requireSandbox() }
        let results = ShardJobResults()
        let scratch = try WorkFolder(ledger: store.ledger.paths, prefix: "ray")
        defer { scratch.remove() }
        var digests: [Int: [[UInt8]]] = [:]
        var pending: [Int: Int] = Dictionary(uniqueKeysWithValues: rerun.map { ($0, runs) })
        let jobs = rerun.flatMap { shard in
            (0..<runs).map {
                RayJob(
                    shard: shard, run: $0, input: works[shard]!.url.appendingPathComponent("input"),
                    output: works[shard]!.url.appendingPathComponent("output-\($0)"),
                    log: works[shard]!.url.appendingPathComponent("log-\($0)"))
            }
        }
        try RayShardRunner.run(
            jobs, command: spec.command, environment: { Self.shardEnvironment(seed: seed, shards: shards, shard: $0) },
            options: spec.options, address: address, scratch: scratch.url
        ) { job, status, message in
            guard
                let digest = Self.checkJob(
                    job.shard, status: status, message: message, output: job.output, log: job.log,
                    digest: runs == 2, results: results)
            else { return }
            digests[job.shard, default: []].append(digest)
            pending[job.shard]! -= 1
            if pending[job.shard] == 0 {
                if runs == 2 { results.match(job.shard, digests[job.shard]![0] == digests[job.shard]![1]) }
                progress?("shard jobs", results.finish(), rerun.count)
            }
        }
        for shard in rerun where pending[shard] != 0 && !results.hasFailed {
            results.fail(shard, "got no result from the Ray runner")
        }
        return results
    }

    /// Runs the aggregate on a read-only copy of the shard outputs and copies its output into `target`.
    /// - Returns: whether two runs gave the same bytes (true when not checked).
    private func runAggregate(
        _ command: String, shardsFolder: URL, into target: URL, seed: UInt64, shards: Int, spec: PerShardExec
    ) throws -> Bool {
        let work = try WorkFolder(ledger: store.ledger.paths, prefix: "aggregate")
        defer { work.remove() }
        let copy = work.url.appendingPathComponent("shards")
        try ModelOutput.copyOutput(shardsFolder, to: copy)
        let environment =
            [("ASSENT_SEED", String(seed)), ("ASSENT_THREADS", "1"), ("ASSENT_SHARDS", String(shards))]
            + PerShardExec.pinnedEnvironment
        var digests: [[UInt8]] = []
        for run in 0..<(spec.checkDeterminism ? 2 : 1) {
            let output = work.url.appendingPathComponent("output-\(run)")
            let log = work.url.appendingPathComponent("log-\(run)")
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            let status = try ExternalJob.run(
                command, inputs: [("ASSENT_SHARDS_DIR", copy, "/assent/shards")], output: output,
                environment: environment, options: spec.options, log: log)
            guard status == 0 else {
                throw EngineError(
                    .trainerFailed, "the aggregate exited with status \(status)\(Self.tail(of: log)): \(command)")
            }
            guard !((try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []).isEmpty else {
                throw EngineError(.trainerFailed, "the aggregate wrote nothing to ASSENT_OUTPUT: \(command)")
            }
            digests.append(try ModelDigest(folder: output).root)
        }
        try ModelOutput.copyOutput(work.url.appendingPathComponent("output-0"), to: target, what: "aggregate/")
        return digests.count == 1 || digests[0] == digests[1]
    }

    /// The last lines of a job's log, for an error message.
    static func tail(of log: URL) -> String {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return "" }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).suffix(5)
        return lines.isEmpty ? "" : "; its output ended with:\n  " + lines.joined(separator: "\n  ")
    }
}

import AssentCrypto
import AssentLog
import AssentRecords
import Foundation
import Testing

@testable import AssentEngine

/// External trainers run one job per shard: reproduction re-runs only the touched shards and equals
/// training from scratch.
@Suite(.serialized) struct PerShardTrainerTests {
    /// A deterministic "trainer": a digest of the shard's sorted sample contents, and the shard number.
    static let command =
        #"find "$ASSENT_INPUT/samples" -type f -exec cat {} + | sort | sha256sum > "$ASSENT_OUTPUT/w"; echo "$ASSENT_SHARD $ASSENT_SHARDS $PYTHONHASHSEED" > "$ASSENT_OUTPUT/shard""#
    static let aggregate = #"cat "$ASSENT_SHARDS_DIR"/*/w > "$ASSENT_OUTPUT/all""#

    func spec(jobs: Int = 2) -> PerShardExec {
        var spec = PerShardExec(command: Self.command)
        spec.aggregateCommand = Self.aggregate
        spec.checkDeterminism = true
        spec.jobs = jobs
        return spec
    }

    func revoke(_ fixture: EngineFixture, _ subject: String) throws {
        try RevocationRegistry(store: fixture.store).revoke(.subject(subject)) { writer, affected, id in
            _ = try fixture.engine.markStale(affected: affected, revocation: id, writer: writer)
        }
    }

    @Test func reproductionRerunsOnlyTouchedShardsAndEqualsTrainingFromScratch() throws {
        let fixture = try EngineFixture(count: 60, subjects: 6)
        defer { fixture.cleanUp() }
        let first = try fixture.engine.trainExternalPerShard(spec(), shards: 4)
        #expect(first.isNew && first.model.isDeterministic && first.trainedShards == [0, 1, 2, 3])
        let folder = fixture.engine.folder(of: first.model)
        let shardFile = try String(contentsOf: folder.appendingPathComponent("shards/002/shard"), encoding: .utf8)
        #expect(shardFile == "2 4 0\n", "ASSENT_SHARD, ASSENT_SHARDS and the pinned environment")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("aggregate/all").path))
        let entry = try JSONParser.parse(try fixture.ledger.entry(first.model.seq).bytes).objectValue
        #expect(entry?["shard_digests"]?.arrayValue?.count == 4 && entry?["aggregate_digest"]?.stringValue != nil)
        try revoke(fixture, "w1")
        let reproduced = try fixture.engine.reproduce(first.model.id)
        #expect(reproduced.trainedShards.count == 1 && reproduced.reusedShards.count == 3)
        #expect(reproduced.model.supersedes == first.model.id && reproduced.model.isDeterministic)
        let scratch = try fixture.engine.trainExternalPerShard(spec(jobs: 1), snapshot: reproduced.snapshot)
        #expect(
            scratch.model.id == reproduced.model.id, "the same bytes as training from scratch, with one job at a time")
    }

    @Test func aChangedReusedShardIsRefusedByName() throws {
        let fixture = try EngineFixture(count: 60, subjects: 6)
        defer { fixture.cleanUp() }
        let first = try fixture.engine.trainExternalPerShard(spec(), shards: 4)
        for shard in ["000", "001", "002", "003"] {
            try Data("forged\n".utf8).write(
                to: fixture.engine.folder(of: first.model).appendingPathComponent("shards/\(shard)/w"))
        }
        try revoke(fixture, "w1")
        do {
            _ = try fixture.engine.reproduce(first.model.id)
            Issue.record("a changed shard output was reused")
        } catch let error as EngineError {
            #expect(error.message.hasPrefix("shard ") && error.message.contains("differs from the digest"))
        }
    }

    @Test func aFailingShardJobIsNamedAndLeavesNothing() throws {
        let fixture = try EngineFixture(count: 60, subjects: 6)
        defer { fixture.cleanUp() }
        let size = try fixture.ledger.size()
        var failing = PerShardExec(
            command:
                #"if [ "$ASSENT_SHARD" = 2 ]; then echo "out of memory" >&2; exit 7; fi; echo ok > "$ASSENT_OUTPUT/w""#)
        failing.jobs = 2
        do {
            _ = try fixture.engine.trainExternalPerShard(failing, shards: 4)
            Issue.record("a failing shard job was accepted")
        } catch let error as EngineError {
            #expect(
                error.message.contains("shard 2's job exited with status 7") && error.message.contains("out of memory"))
        }
        #expect(try fixture.ledger.size() == size + 1, "only the snapshot entry, which the error says was kept")
        let models = fixture.ledger.paths.folder.appendingPathComponent("models")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: models.path)) ?? []).isEmpty)
        #expect(
            ((try? FileManager.default.contentsOfDirectory(atPath: fixture.ledger.paths.scratch.path)) ?? []).isEmpty)
    }

    @Test func shardJobsAreSandboxedAndTheirOutputIsChecked() throws {
        let fixture = try EngineFixture(count: 30, subjects: 3)
        defer { fixture.cleanUp() }
        let database = fixture.ledger.paths.database.path
        var probing = PerShardExec(
            command: """
                if cat "\(database)" >/dev/null 2>&1; then echo readable; else echo hidden; fi > "$ASSENT_OUTPUT/db"
                ls "$ASSENT_INPUT/samples" | wc -l | tr -d ' ' > "$ASSENT_OUTPUT/count"
                """)
        probing.jobs = 2
        let result = try fixture.engine.trainExternalPerShard(probing, shards: 3)
        let folder = fixture.engine.folder(of: result.model)
        var seen = 0
        for shard in ["000", "001", "002"] {
            #expect(
                try String(contentsOf: folder.appendingPathComponent("shards/\(shard)/db"), encoding: .utf8)
                    == "hidden\n")
            seen +=
                Int(
                    try String(contentsOf: folder.appendingPathComponent("shards/\(shard)/count"), encoding: .utf8)
                        .dropLast()) ?? -1
        }
        #expect(seen == 30, "each job saw only its own shard's samples, and together all of them")
        let planting = PerShardExec(command: #"ln -s /etc/passwd "$ASSENT_OUTPUT/link""#)
        do {
            _ = try fixture.engine.trainExternalPerShard(planting, shards: 2)
            Issue.record("a symlink in a shard's output was accepted")
        } catch let error as EngineError {
            #expect(error.message.contains("shard 000") && error.message.contains("symbolic link"))
        }
    }
}

import AssentLog
import AssentOperations
import AssentRecords
@testable import AssentServer
import AssentStorage
import Foundation
import Synchronization
import Testing

/// Checkpoints beside the writer: the log keeps restarting under a steady stream of group commits, and
/// nothing committed is lost.
@Suite struct CheckpointSchedulerTests {
    @Test func theLogStaysBoundedAndEverySampleIsKept() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("assent-ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try Ledger.create(at: folder.appendingPathComponent("ledger"), origin: "example.org/ckpt")
        let operations = try Operations(ledger: ledger)
        let scheduler = try CheckpointScheduler(
            path: ledger.paths.database.path, writer: ledger.database, step: 40, limit: 200)
        var counts: [Int] = []
        for commit in 0..<150 {
            let body = (0..<8).map { #"{"text":"c\#(commit) s\#($0)","license":"MIT","source":"s"}"# + "\n" }.joined()
            var options = IngestOptions()
            options.readsFiles = false
            let (results, _) = operations.ingestTogether([
                (.memory(name: "request", jsonl: Array(body.utf8)), IngestDefaults(), options)
            ])
            #expect(try results[0].get().added == 8)
            scheduler.afterWrite(on: ledger.database)
            counts.append(ledger.database.writeAheadLogFrames)
        }
        let perCommit = try #require(
            zip(counts, counts.dropFirst()).map { $1 - $0 }.filter { $0 > 0 }.max(), "the writer counted frames")
        #expect(counts.max()! < scheduler.limit + 2 * scheduler.step + 2 * perCommit, "the log restarts past the limit")
        #expect(zip(counts, counts.dropFirst()).contains { $1 < $0 }, "the log started afresh: \(counts)")
        for _ in 0..<200 where scheduler.passes.load(ordering: .relaxed) == 0 { usleep(10_000) }
        #expect(scheduler.passes.load(ordering: .relaxed) > 0, "checkpoints ran beside the writer")
        #expect(try ledger.size() == 150 * 8)
        #expect(try Ledger(opening: ledger.paths.folder).verify().entries == 150 * 8)
    }
}

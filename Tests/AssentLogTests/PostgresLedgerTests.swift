import AssentStorage
import Foundation
import Testing

@testable import AssentLog

/// The log on PostgreSQL: the same entries, tiles and checkpoints as on SQLite, from any number of
/// ledger folders that name the same database.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["ASSENT_TEST_POSTGRES"] != nil,
        "needs ASSENT_TEST_POSTGRES (Tools/test.sh starts a server)"))
struct PostgresLedgerTests {
    /// A URL of a fresh, empty schema on the test server (through libpq's `options`), and a clean-up.
    func emptyDatabase() throws -> (url: String, cleanUp: () -> Void) {
        let base = ProcessInfo.processInfo.environment["ASSENT_TEST_POSTGRES"]!
        let schema = "l_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try PostgresConnection(url: base)
        try admin.execute("CREATE SCHEMA \(schema)")
        let separator = base.contains("?") ? "&" : "?"
        return (
            base + separator + "options=-csearch_path%3D\(schema)",
            { try? admin.execute("DROP SCHEMA \(schema) CASCADE") }
        )
    }

    func notes(_ count: Int, from first: Int) -> [(type: String, fields: JSONObject)] {
        (first..<first + count).map { ("note", JSONObject([("text", .string("note \($0)"))])) }
    }

    @Test func twoFoldersAppendToOneLogThatVerifiesAndMatchesSQLite() throws {
        let (url, cleanUp) = try emptyDatabase()
        defer { cleanUp() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("assent-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let first = try Ledger.create(
            at: scratch.appendingPathComponent("a"), origin: "example.org/pg", postgresURL: url)
        let copy = scratch.appendingPathComponent("b")
        try FileManager.default.copyItem(at: first.paths.folder, to: copy)
        let second = try Ledger(opening: copy)
        #expect(try first.size() == 0 && second.size() == 0)
        _ = try first.appendNotes(notes(200, from: 0))
        _ = try second.appendNotes(notes(100, from: 200))
        _ = try first.appendNotes(notes(1, from: 300))
        #expect(try second.size() == 301)
        let report = try second.verify()
        #expect(
            report.entries == 301 && report.checkpoints == 4, "one checkpoint per committed size, and the empty one")
        #expect(try first.latestCheckpoint().size == 301)
        #expect(try first.entryCounts()["note"] == 301)

        // The same entries on SQLite (same origin, same times) give the same leaf hashes.
        let sqlite = try Ledger.create(at: scratch.appendingPathComponent("sqlite"), origin: "example.org/pg")
        var times: [String] = []
        try first.forEachEntry { _, _, bytes in
            times.append(try JSONParser.parse(bytes).objectValue?["at"]?.stringValue ?? "")
        }
        var onPostgres: [[UInt8]] = []
        try first.forEachEntry { _, _, bytes in onPostgres.append(bytes) }
        for (range, time) in [(0..<200, times[0]), (200..<300, times[200]), (300..<301, times[300])] {
            sqlite.clock = { time }
            _ = try sqlite.appendNotes(notes(range.count, from: range.lowerBound))
        }
        var onSQLite: [[UInt8]] = []
        try sqlite.forEachEntry { _, _, bytes in onSQLite.append(bytes) }
        #expect(onSQLite == onPostgres, "the entry bytes do not depend on the backend")
        #expect(try sqlite.verify().entries == 301)
    }

    /// A check that reads the log and the tables in several statements must not see a commit land
    /// between them: inside `reading`, another writer's commit stays invisible until the body ends.
    @Test func readsInsideReadingSeeOneSnapshotWhileAnotherFolderCommits() throws {
        let (url, cleanUp) = try emptyDatabase()
        defer { cleanUp() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("assent-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let reader = try Ledger.create(
            at: scratch.appendingPathComponent("a"), origin: "example.org/pg", postgresURL: url)
        let copy = scratch.appendingPathComponent("b")
        try FileManager.default.copyItem(at: reader.paths.folder, to: copy)
        let writer = try Ledger(opening: copy)
        _ = try writer.appendNotes(notes(3, from: 0))
        let (before, during, checkpointDuring) = try reader.reading {
            let before = try reader.size()
            _ = try writer.appendNotes(notes(2, from: 3))
            return (before, try reader.size(), try reader.latestCheckpoint().size)
        }
        #expect(before == 3 && during == 3 && checkpointDuring == 3)
        #expect(try reader.size() == 5, "after the body, the commit is visible")
    }

    @Test func aDatabaseThatHoldsALedgerIsRefusedAndNothingIsPrintedWithThePassword() throws {
        let (url, cleanUp) = try emptyDatabase()
        defer { cleanUp() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("assent-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        _ = try Ledger.create(at: scratch.appendingPathComponent("a"), postgresURL: url)
        do {
            _ = try Ledger.create(at: scratch.appendingPathComponent("b"), postgresURL: url)
            Issue.record("a second ledger was created in the same database")
        } catch let error as LedgerError {
            #expect(error.message.contains("already holds a ledger"))
            let password = URLComponents(string: url)?.password ?? "no password"
            #expect(!error.message.contains(password))
        }
        let admin = try PostgresConnection(url: url)
        try admin.execute("UPDATE meta SET value = '7' WHERE key = 'schema'")
        do {
            _ = try Ledger(opening: scratch.appendingPathComponent("a"))
            Issue.record("a ledger of schema version 7 was opened")
        } catch let error as LedgerError {
            #expect(
                error.message
                    == "\(PostgresURL.redacted(url)) holds a ledger of schema version 7; this assent reads version 1")
        }
        var mode = stat()
        stat(scratch.appendingPathComponent("a/database.url").path, &mode)
        #expect(mode.st_mode & 0o777 == 0o600, "the URL may hold a password: owner only")
    }

    @Test func aConnectionDroppedMidTransactionIsAClearErrorAndLeavesTheLogAsItWas() throws {
        let (url, cleanUp) = try emptyDatabase()
        defer { cleanUp() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("assent-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let ledger = try Ledger.create(at: scratch.appendingPathComponent("a"), postgresURL: url)
        _ = try ledger.appendNotes(notes(3, from: 0))
        let pid = try #require(try ledger.database.scalarInteger("SELECT pg_backend_pid()"))
        let admin = try PostgresConnection(url: url)
        do {
            try ledger.write { writer in
                try writer.append(type: "note", fields: JSONObject([("text", .string("lost"))]))
                _ = try admin.query("SELECT pg_terminate_backend(?::integer)", [.integer(pid)])
                try writer.append(type: "note", fields: JSONObject([("text", .string("also lost"))]))
            }
            Issue.record("a write on a terminated connection succeeded")
        } catch let error as StorageError {
            #expect(error.message.hasPrefix(PostgresURL.redacted(url)), "\(error.message)")
            let password = URLComponents(string: url)?.password ?? "no password"
            #expect(!error.message.contains(password))
        }
        let reopened = try Ledger(opening: ledger.paths.folder)
        #expect(try reopened.size() == 3)
        #expect(try reopened.verify().entries == 3)
        _ = try reopened.appendNotes(notes(1, from: 3))
        #expect(try reopened.size() == 4)
    }
}

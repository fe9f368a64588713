import AssentStorage
import Foundation
import Testing

@Suite struct DatabaseTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("assent-storage-\(UUID().uuidString).sqlite").path
    }

    @Test func usesWALAndCarriesSQLiteMessagesInErrors() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try Database(path: path)
        let mode = try database.withStatement("PRAGMA journal_mode") { statement in
            try statement.step()
            return statement.text(0)
        }
        #expect(mode == "wal")
        do {
            try database.execute("SELECT * FROM missing_table")
            Issue.record("no error")
        } catch let error as StorageError {
            #expect(error.message.contains("no such table: missing_table"))
            #expect(error.primaryCode == 1)
        }
    }

    @Test func newDatabasesUseTheSetPageSize() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try Database(path: path)
        try database.execute("CREATE TABLE t (x)")
        #expect(try database.scalarInteger("PRAGMA page_size") == Int64(Database.pageSize))
    }

    @Test func aWriterThatHandsOverCheckpointsCountsFramesAndRestartsAfterOne() throws {
        let path = temporaryPath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let writer = try Database(path: path)
        try writer.execute("CREATE TABLE t (x BLOB)")
        writer.takeOverCheckpoints()
        var counts: [Int] = []
        // 1,200 commits of one page each: SQLite's own checkpoint would have started the log afresh by now.
        for _ in 0..<1_200 {
            try writer.writeTransaction { try writer.run("INSERT INTO t VALUES (zeroblob(6000))") }
            counts.append(writer.writeAheadLogFrames)
        }
        #expect(zip(counts, counts.dropFirst()).allSatisfy { $0 < $1 }, "no automatic checkpoint restarted the log")
        #expect(counts.last! > 1_200)
        let other = try Database(path: path, create: false)
        let result = try #require(try other.checkpointWriteAheadLog())
        #expect(result.frames == counts.last! && result.copied == result.frames, "nothing reads: every frame copied")
        try writer.writeTransaction { try writer.run("INSERT INTO t VALUES (zeroblob(6000))") }
        #expect(writer.writeAheadLogFrames < 10, "the next commit started the log afresh")
        #expect(try other.scalarInteger("SELECT count(*) FROM t") == 1_201)
    }

    @Test func transactionsRollBackWhenTheBodyThrows() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try Database(path: path)
        try database.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)")
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try database.writeTransaction {
                try database.run("INSERT INTO t (x) VALUES (?)", [.integer(1)])
                throw Stop()
            }
        }
        #expect(try database.scalarInteger("SELECT count(*) FROM t") == 0)
        try database.writeTransaction { try database.run("INSERT INTO t (x) VALUES (?)", [.integer(2)]) }
        #expect(try database.scalarInteger("SELECT count(*) FROM t") == 1)
        #expect(throws: StorageError.self) { try database.run("INSERT INTO t (x) VALUES (?)", [.integer(2)]) }
    }

    @Test func aSecondWriterWaitsThenReportsBusy() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try Database(path: path)
        try first.execute("CREATE TABLE t (x INTEGER)")
        let second = try Database(path: path, busyTimeoutMilliseconds: 50)
        try first.execute("BEGIN IMMEDIATE")
        do {
            try second.writeTransaction { try second.run("INSERT INTO t (x) VALUES (1)") }
            Issue.record("the second writer was not blocked")
        } catch let error as StorageError {
            #expect(error.isBusy)
        }
        try first.execute("COMMIT")
        try second.writeTransaction { try second.run("INSERT INTO t (x) VALUES (1)") }
        #expect(try first.scalarInteger("SELECT count(*) FROM t") == 1)
    }

    @Test func bindsAndReadsEveryValueType() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try Database(path: path)
        try database.execute("CREATE TABLE v (i INTEGER, t TEXT, b BLOB, n TEXT)")
        try database.run("INSERT INTO v VALUES (?, ?, ?, ?)", [.integer(-7), .text("é"), .blob([0, 1, 255]), .null])
        let row = try database.withStatement("SELECT i, t, b, n FROM v") { statement in
            try statement.step()
            return (statement.integer(0), statement.text(1), statement.blob(2), statement.isNull(3))
        }
        #expect(row.0 == -7 && row.1 == "é" && row.2 == [0, 1, 255] && row.3)
    }
}

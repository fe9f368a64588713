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

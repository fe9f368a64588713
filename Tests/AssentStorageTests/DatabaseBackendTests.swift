import AssentStorage
import Foundation
import Testing

/// The storage API behaves the same on SQLite and on PostgreSQL.
@Suite struct DatabaseBackendTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgresql
        var testDescription: String { rawValue }
    }

    static var backends: [Backend] { testPostgresURL == nil ? [.sqlite] : Backend.allCases }

    /// A database on `backend` with a table `t (k, label, data)`, and a clean-up.
    func database(_ backend: Backend) throws -> (Database, cleanUp: () -> Void) {
        switch backend {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(
                "assent-\(UUID().uuidString).sqlite")
            let database = try Database(path: path.path)
            try database.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, label TEXT, data BLOB) STRICT")
            return (database, { try? FileManager.default.removeItem(at: path) })
        case .postgresql:
            let database = try Database(postgresURL: testPostgresURL!)
            let schema = "b_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            try database.execute("CREATE SCHEMA \(schema); SET search_path TO \(schema)")
            try database.execute("CREATE TABLE t (k bigint PRIMARY KEY, label text, data bytea)")
            return (database, { try? database.execute("DROP SCHEMA \(schema) CASCADE") })
        }
    }

    @Test(arguments: backends) func statementsBindStepAndReadAlike(backend: Backend) throws {
        let (database, cleanUp) = try database(backend)
        defer { cleanUp() }
        #expect(database.isPostgres == (backend == .postgresql))
        try database.writeTransaction {
            try database.withStatement("INSERT OR FAIL INTO t (k, label, data) VALUES (?, ?, ?)") { insert in
                for k in 1...3 {
                    try insert.reset()
                    try insert.bind(.integer(Int64(k)), at: 1)
                    try insert.bind(.text("item \(k) ✓"), at: 2)
                    let bytes: [UInt8] = [0, UInt8(k), 0xFF]
                    try bytes.withUnsafeBytes { try insert.bind(bytes: $0, at: 3) }
                    try insert.step()
                }
            }
        }
        try database.run(
            "INSERT OR IGNORE INTO t (k, label, data) VALUES (?, ?, ?)", [.integer(2), .text("again"), .null])
        #expect(database.changes == 0, "a duplicate is ignored")
        try database.run("INSERT INTO t (k, label, data) VALUES (?, ?, ?)", [.integer(4), .null, .null])
        #expect(database.changes == 1)
        #expect(try database.scalarInteger("SELECT count(*) FROM t WHERE k > ?", [.integer(1)]) == 3)
        let rows = try database.withStatement("SELECT k, label, data FROM t ORDER BY k") { statement in
            var rows: [(Int64, String?, [UInt8]?)] = []
            while try statement.step() {
                rows.append(
                    (
                        statement.integer(0), statement.isNull(1) ? nil : statement.text(1),
                        statement.isNull(2) ? nil : statement.blob(2)
                    ))
            }
            return rows
        }
        #expect(rows.map(\.0) == [1, 2, 3, 4])
        #expect(rows.map(\.1) == ["item 1 ✓", "item 2 ✓", "item 3 ✓", nil])
        #expect(rows.map(\.2) == [[0, 1, 0xFF], [0, 2, 0xFF], [0, 3, 0xFF], nil])
        let values = try database.withStatement("SELECT k, label, data FROM t WHERE k = 1") { statement in
            _ = try statement.step()
            return (0..<statement.columnCount).map { statement.value($0) }
        }
        #expect(values == [.integer(1), .text("item 1 ✓"), .blob([0, 1, 0xFF])])
    }

    @Test(arguments: backends) func aFailedWriteTransactionLeavesNothing(backend: Backend) throws {
        let (database, cleanUp) = try database(backend)
        defer { cleanUp() }
        try database.run("INSERT INTO t (k) VALUES (?)", [.integer(1)])
        #expect(throws: StorageError.self) {
            try database.writeTransaction {
                try database.run("INSERT INTO t (k) VALUES (?)", [.integer(2)])
                try database.run("INSERT INTO t (k) VALUES (?)", [.integer(1)])
            }
        }
        #expect(try database.scalarInteger("SELECT count(*) FROM t") == 1)
        let nested = try database.readTransaction {
            try database.readTransaction { try database.scalarInteger("SELECT max(k) FROM t") }
        }
        #expect(nested == 1, "a read transaction inside another runs in it")
        try database.writeTransaction { try database.run("INSERT INTO t (k) VALUES (?)", [.integer(2)]) }
        #expect(try database.scalarInteger("SELECT count(*) FROM t") == 2)
    }
}

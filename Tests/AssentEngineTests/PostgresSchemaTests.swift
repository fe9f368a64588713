import AssentStorage
import Foundation
import Testing

@testable import AssentEngine
@testable import AssentLog
@testable import AssentRecords

/// Every table of an SQLite ledger exists, by the same name, in the PostgreSQL schema.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["ASSENT_TEST_POSTGRES"] != nil,
        "needs ASSENT_TEST_POSTGRES (Tools/test.sh starts a server)"))
struct PostgresSchemaTests {
    @Test func theWholeLedgerSchemaCreatesOnPostgresWithTheSameTableNames() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("assent-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try Ledger.create(at: folder, origin: "example.org/schema")
        _ = try RecordStore(ledger: ledger)
        try EngineSchema.prepare(ledger.database)
        let sqliteTables = try ledger.database.withStatement(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ) { statement in
            var names: [String] = []
            while try statement.step() { names.append(statement.text(0)) }
            return names
        }

        let database = try Database(postgresURL: ProcessInfo.processInfo.environment["ASSENT_TEST_POSTGRES"]!)
        let schema = "s_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try database.execute("CREATE SCHEMA \(schema); SET search_path TO \(schema)")
        defer { try? database.execute("DROP SCHEMA \(schema) CASCADE") }
        try database.execute(LedgerSchema.postgresStatements)
        #expect(try !database.tableExists("snapshot_trees"))
        try RecordSchema.prepare(database)
        try EngineSchema.prepare(database)
        for table in sqliteTables {
            #expect(try database.tableExists(table), "table \(table) is missing on PostgreSQL")
        }
        let postgresTables = try database.withStatement(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        ) { statement in
            var names: [String] = []
            while try statement.step() { names.append(statement.text(0)) }
            return names
        }
        #expect(Set(postgresTables).subtracting(sqliteTables) == ["log_tip"], "only the tip row is new")
        try RecordSchema.prepare(database)  // a second time changes nothing
        let columns = try database.scalarInteger(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND data_type = 'bytea'"
        )
        #expect((columns ?? 0) > 10, "blobs are bytea")
    }
}

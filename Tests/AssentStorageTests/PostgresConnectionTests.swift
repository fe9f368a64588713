import Foundation
import Testing

@testable import AssentStorage

/// The PostgreSQL database `Tools/test.sh` starts for the tests (`Tools/postgres_cluster.sh`).
let testPostgresURL = ProcessInfo.processInfo.environment["ASSENT_TEST_POSTGRES"]

@Suite struct PostgresURLTests {
    @Test func redactionDropsThePasswordWhereverTheURLCarriesIt() {
        #expect(
            PostgresURL.redacted("postgresql://ledger:s3cret@db.example:5433/assent")
                == "postgresql://ledger@db.example:5433/assent")
        #expect(
            PostgresURL.redacted("postgresql://ledger@db.example/assent?password=s3cret&sslmode=require")
                == "postgresql://ledger@db.example/assent?sslmode=require")
        #expect(PostgresURL.redacted("postgres://db.example/assent") == "postgres://db.example/assent")
        #expect(PostgresURL.isPostgres("postgresql://x/y") && PostgresURL.isPostgres("postgres://x/y"))
        #expect(!PostgresURL.isPostgres("/var/lib/ledger"))
    }
}

@Suite struct PostgresSQLTests {
    @Test func sqlitePlaceholdersAreNumberedAsSQLiteNumbersThem() {
        #expect(PostgresSQL.numberingPlaceholders("a = ? AND b = ? AND c = '?'") == "a = $1 AND b = $2 AND c = '?'")
        #expect(
            PostgresSQL.numberingPlaceholders("?1 IS NULL OR s = ?1 AND t = ?") == "$1 IS NULL OR s = $1 AND t = $2")
        #expect(
            PostgresSQL.numberingPlaceholders("x < ?4 AND y >= ?1 AND \"?\" = ?") == "x < $4 AND y >= $1 AND \"?\" = $5"
        )
    }

    @Test func sqliteStatementsReadAsPostgres() {
        #expect(PostgresSQL.translate("INSERT OR FAIL INTO e (a) VALUES (?)") == "INSERT INTO e (a) VALUES ($1)")
        #expect(
            PostgresSQL.translate("INSERT OR IGNORE INTO c (s) VALUES (?)\n")
                == "INSERT INTO c (s) VALUES ($1) ON CONFLICT DO NOTHING")
        #expect(
            PostgresSQL.translate(
                "CREATE TABLE t (k INTEGER PRIMARY KEY, b BLOB, n INTEGER) STRICT;\nCREATE TABLE u (k BLOB PRIMARY KEY) WITHOUT ROWID;"
            )
                == "CREATE TABLE t (k bigint PRIMARY KEY, b bytea, n bigint);\nCREATE TABLE u (k bytea PRIMARY KEY);")
    }
}

@Suite(.enabled(if: testPostgresURL != nil, "needs ASSENT_TEST_POSTGRES (Tools/test.sh starts a server)"))
struct PostgresConnectionTests {
    /// A connection whose tables live in a schema of their own, dropped by `cleanUp`.
    func connection() throws -> (PostgresConnection, cleanUp: () -> Void) {
        let connection = try PostgresConnection(url: testPostgresURL!)
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try connection.execute("CREATE SCHEMA \(schema); SET search_path TO \(schema)")
        return (connection, { try? connection.execute("DROP SCHEMA \(schema) CASCADE") })
    }

    @Test func valuesRoundTripExactlyInBinary() throws {
        let (database, cleanUp) = try connection()
        defer { cleanUp() }
        try database.execute("CREATE TABLE t (n bigint, small integer, label text, bytes bytea, missing text)")
        let bytes: [UInt8] = [0, 1, 0xFF, 0, 0x7F, 0x80]
        let insert = try database.query(
            "INSERT INTO t VALUES (?, ?::integer, ?, ?, ?)",
            [.integer(Int64.min + 1), .integer(-7), .text("consent ✓ 'quoted' ?"), .blob(bytes), .null])
        #expect(insert.changes == 1)
        let rows = try database.query("SELECT n, small, label, bytes, missing, '?' FROM t WHERE n < ?", [.integer(0)])
        #expect(rows.count == 1)
        #expect(rows.integer(0, 0) == Int64.min + 1)
        #expect(rows.integer(0, 1) == -7)
        #expect(rows.text(0, 2) == "consent ✓ 'quoted' ?")
        #expect(rows.blob(0, 3) == bytes)
        #expect(rows.isNull(0, 4) && !rows.isNull(0, 3))
        #expect(rows.text(0, 5) == "?", "a ? inside a string literal is not a placeholder")
    }

    @Test func constraintViolationsCarryTheirSQLStateAndNameTheDatabaseWithoutPassword() throws {
        let (database, cleanUp) = try connection()
        defer { cleanUp() }
        try database.execute("CREATE TABLE t (k bigint PRIMARY KEY)")
        _ = try database.query("INSERT INTO t VALUES (?)", [.integer(1)])
        do {
            _ = try database.query("INSERT INTO t VALUES (?)", [.integer(1)])
            Issue.record("a duplicate key was accepted")
        } catch let error as StorageError {
            #expect(error.sqlState == "23505" && error.isConstraintViolation && !error.isBusy)
            #expect(error.message.contains(PostgresURL.redacted(testPostgresURL!)))
            let password = URLComponents(string: testPostgresURL!)?.password ?? "no password"
            #expect(!error.message.contains(password))
        }
    }

    @Test func queuedStatementsRunBeforeTheNextQueryAndAsMultiRowInserts() throws {
        let (database, cleanUp) = try connection()
        defer { cleanUp() }
        try database.execute("CREATE TABLE t (k bigint PRIMARY KEY, v bytea, note text)")
        try database.enqueue("INSERT INTO t (k, v, note) VALUES (?, ?, ?)", [.integer(-1), .null, .null])
        #expect(try database.query("SELECT count(*) FROM t").integer(0, 0) == 1, "outside a transaction: at once")
        try database.execute("BEGIN")
        for k in 0..<200 {
            try database.enqueue(
                "INSERT INTO t (k, v, note) VALUES (?, ?, ?)",
                [.integer(Int64(k)), k % 3 == 0 ? .null : .blob([UInt8(k % 256)]), k % 2 == 0 ? .null : .text("n\(k)")])
        }
        let rows = try database.query("SELECT count(*), sum(k)::bigint, count(v), count(note) FROM t WHERE k >= 0")
        #expect(
            [rows.integer(0, 0), rows.integer(0, 1), rows.integer(0, 2), rows.integer(0, 3)] == [200, 19_900, 133, 100])
        try database.execute("COMMIT")
        #expect(try database.query("SELECT v FROM t WHERE k = 4").blob(0, 0) == [4])
    }

    @Test func aQueuedStatementsErrorIsThrownByTheNextCallAndTheTransactionFailsWhole() throws {
        let (database, cleanUp) = try connection()
        defer { cleanUp() }
        try database.execute("CREATE TABLE t (k bigint PRIMARY KEY)")
        try database.execute("BEGIN")
        try database.enqueue("INSERT INTO t (k) VALUES (?)", [.integer(1)])
        try database.enqueue("INSERT INTO t (k) VALUES (?)", [.integer(1)])
        try database.enqueue("INSERT INTO t (k) VALUES (?)", [.integer(2)])
        do {
            _ = try database.query("SELECT count(*) FROM t")
            Issue.record("a duplicate key in the queue was accepted")
        } catch let error as StorageError {
            #expect(error.sqlState == "23505", "\(error.message)")
            #expect(error.message.contains("INSERT INTO t (k) VALUES"), "names the statement: \(error.message)")
        }
        try database.execute("ROLLBACK")
        #expect(try database.query("SELECT count(*) FROM t").integer(0, 0) == 0)
        try database.execute("BEGIN")
        try database.enqueue("INSERT INTO t (k) VALUES (?)", [.integer(3)])
        database.discardQueued()
        try database.execute("COMMIT")
        #expect(try database.query("SELECT count(*) FROM t").integer(0, 0) == 0, "discarded statements never ran")
    }

    @Test func fullQueuesAreSentAheadAndTheirErrorsStillFailTheTransaction() throws {
        let (database, cleanUp) = try connection()
        defer { cleanUp() }
        try database.execute("CREATE TABLE t (k bigint PRIMARY KEY)")
        // Three full queues go ahead while the rest is queued; everything lands, in one transaction.
        try database.execute("BEGIN")
        for k in 0..<15_000 { try database.enqueue("INSERT INTO t (k) VALUES (?)", [.integer(Int64(k))]) }
        #expect(try database.query("SELECT count(*), sum(k)::bigint FROM t").integer(0, 1) == 112_492_500)
        try database.execute("COMMIT")
        #expect(try database.query("SELECT count(*) FROM t").integer(0, 0) == 15_000)
        // A duplicate in the first queue sent ahead is thrown by a later call, and nothing of it stays.
        try database.execute("BEGIN")
        var thrown: StorageError? = nil
        do {
            for k in 20_000..<30_000 {
                try database.enqueue("INSERT INTO t (k) VALUES (?)", [.integer(k == 20_100 ? 7 : Int64(k))])
            }
            try database.execute("COMMIT")
        } catch let error as StorageError {
            thrown = error
            database.discardQueued()
            try database.execute("ROLLBACK")
        }
        #expect(thrown?.sqlState == "23505", "\(String(describing: thrown))")
        #expect(try database.query("SELECT count(*) FROM t").integer(0, 0) == 15_000)
        #expect(!database.isInTransaction, "the connection is usable again")
    }

    @Test func aWrongPasswordOrAnUnreachableServerIsAClearErrorWithoutThePassword() throws {
        var components = URLComponents(string: testPostgresURL!)!
        components.password = "wrong-password-123"
        do {
            _ = try PostgresConnection(url: components.string!)
            Issue.record("a wrong password connected")
        } catch let error as StorageError {
            #expect(error.message.hasPrefix("cannot connect to \(PostgresURL.redacted(components.string!)):"))
            #expect(error.message.contains("password authentication failed"))
            #expect(!error.message.contains("wrong-password-123"))
        }
        components.password = nil
        components.port = 1
        do {
            _ = try PostgresConnection(url: components.string! + "?connect_timeout=2")
            Issue.record("a closed port connected")
        } catch let error as StorageError {
            #expect(error.message.hasPrefix("cannot connect to "))
            #expect(error.message.contains("127.0.0.1") || error.message.contains("localhost"))
        }
    }
}

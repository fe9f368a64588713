import AssentStorage
import Foundation
import Testing

@testable import AssentLog

/// The log's tables on PostgreSQL refuse, in the database itself, everything but appending in order.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["ASSENT_TEST_POSTGRES"] != nil,
        "needs ASSENT_TEST_POSTGRES (Tools/test.sh starts a server)"))
struct PostgresLogSchemaTests {
    let url = ProcessInfo.processInfo.environment["ASSENT_TEST_POSTGRES"] ?? ""

    /// A connection with the log schema created in a schema of its own, and a clean-up.
    func ledgerSchema() throws -> (PostgresConnection, schema: String, cleanUp: () -> Void) {
        let connection = try PostgresConnection(url: url)
        let schema = "log_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try connection.execute("CREATE SCHEMA \(schema); SET search_path TO \(schema)")
        try connection.execute(LedgerSchema.postgresStatements)
        return (connection, schema, { try? connection.execute("RESET ROLE; DROP SCHEMA \(schema) CASCADE") })
    }

    func append(_ seq: Int64, to database: PostgresConnection) throws {
        _ = try database.query(
            "INSERT INTO entries (seq, type, body) VALUES (?, 'note', ?)",
            [.integer(seq), .blob(Array("e\(seq)".utf8))])
    }

    /// The error `body` raises, or nil when it succeeds.
    func refusal(_ body: () throws -> Void) -> StorageError? {
        do {
            try body()
            return nil
        } catch let error as StorageError {
            return error
        } catch {
            return nil
        }
    }

    func tip(_ database: PostgresConnection) throws -> Int64 {
        try database.query("SELECT size FROM log_tip WHERE id = 0").integer(0, 0)
    }

    func checkpoint(_ size: Int64, on database: PostgresConnection) throws {
        _ = try database.query("INSERT INTO checkpoints (size, note) VALUES (?, 'note')", [.integer(size)])
    }

    @Test func entriesAppendOnlyInSequence() throws {
        let (database, _, cleanUp) = try ledgerSchema()
        defer { cleanUp() }
        try append(0, to: database)
        try append(1, to: database)
        for seq: Int64 in [3, 1, 0, -1] {
            let error = refusal { try append(seq, to: database) }
            #expect(error?.isConstraintViolation == true, "seq \(seq) must be refused")
        }
        #expect(refusal { try append(3, to: database) }?.message.contains("seq must equal the current size") == true)
        try append(2, to: database)
        #expect(try database.query("SELECT count(*) FROM entries").integer(0, 0) == 3)
    }

    @Test func aMultiRowInsertMustContinueTheLogAsAWhole() throws {
        let (database, _, cleanUp) = try ledgerSchema()
        defer { cleanUp() }
        let insert = "INSERT INTO entries (seq, type, body) VALUES (?, 'note', ?), (?, 'note', ?), (?, 'note', ?)"
        func rows(_ seqs: [Int64]) -> [SQLValue] { seqs.flatMap { [.integer($0), .blob([UInt8($0)])] } }
        _ = try database.query(insert, rows([0, 1, 2]))
        for seqs: [Int64] in [[3, 4, 6], [4, 5, 6], [2, 3, 4], [3, 3, 4]] {
            let error = refusal { _ = try database.query(insert, rows(seqs)) }
            #expect(error?.isConstraintViolation == true, "\(seqs) must be refused")
        }
        _ = try database.query(insert, rows([4, 3, 5]))  // any order within the statement, no gap
        #expect(try database.query("SELECT count(*), max(seq) FROM entries").integer(0, 1) == 5)
    }

    @Test func theTipFollowsCheckpointsForTheCurrentSizeOnly() throws {
        let (database, _, cleanUp) = try ledgerSchema()
        defer { cleanUp() }
        try checkpoint(0, on: database)
        try append(0, to: database)
        try append(1, to: database)
        #expect(try tip(database) == 0, "the tip moves with the checkpoint, not with each entry")
        for size: Int64 in [1, 3] {
            let error = refusal { try checkpoint(size, on: database) }
            #expect(error?.message.contains("a checkpoint must be for the log's current size") == true, "\(size)")
        }
        try checkpoint(2, on: database)
        #expect(try tip(database) == 2)
        #expect(refusal { try checkpoint(2, on: database) } != nil, "a second checkpoint for one size")
        #expect(try tip(database) == 2)
    }

    @Test func updateDeleteAndTruncateAreRefusedOnEntriesCheckpointsAndTheTip() throws {
        let (database, _, cleanUp) = try ledgerSchema()
        defer { cleanUp() }
        try append(0, to: database)
        _ = try database.query("INSERT INTO checkpoints (size, note) VALUES (1, 'signed note')")
        #expect(try tip(database) == 1)
        let attempts = [
            ("UPDATE entries SET body = '\\x00'::bytea", "the entry table is append-only: UPDATE refused"),
            ("DELETE FROM entries", "the entry table is append-only: DELETE refused"),
            ("TRUNCATE entries", "the entry table is append-only: TRUNCATE refused"),
            ("UPDATE checkpoints SET note = 'forged'", "checkpoints are append-only: UPDATE refused"),
            ("DELETE FROM checkpoints", "checkpoints are append-only: DELETE refused"),
            ("TRUNCATE checkpoints", "checkpoints are append-only: TRUNCATE refused"),
            (
                "UPDATE log_tip SET size = size + 1",
                "the log tip moves only by checkpointing appended entries: UPDATE refused"
            ),
            ("DELETE FROM log_tip", "the log tip moves only by checkpointing appended entries: DELETE refused"),
        ]
        for (sql, expected) in attempts {
            let error = refusal { try database.execute(sql) }
            #expect(
                error?.sqlState == "P0001" && error?.message.contains(expected) == true,
                "\(sql): \(String(describing: error))")
        }
        #expect(try database.query("SELECT body FROM entries").blob(0, 0) == Array("e0".utf8))
        #expect(try database.query("SELECT note FROM checkpoints").text(0, 0) == "signed note")
        #expect(try tip(database) == 1)
    }

    @Test func treeTilesNeverShrinkNorChangeOnceFull() throws {
        let (database, _, cleanUp) = try ledgerSchema()
        defer { cleanUp() }
        _ = try database.query("INSERT INTO tree_tiles (id, filled, hashes) VALUES (1, 10, ?)", [.blob([1, 2])])
        _ = try database.query("UPDATE tree_tiles SET filled = 256, hashes = ? WHERE id = 1", [.blob([3])])
        for sql in [
            "UPDATE tree_tiles SET filled = 256, hashes = '\\x09'::bytea", "DELETE FROM tree_tiles",
            "TRUNCATE tree_tiles",
        ] {
            #expect(refusal { try database.execute(sql) }?.sqlState == "P0001", "\(sql) must be refused")
        }
        _ = try database.query("INSERT INTO tree_tiles (id, filled, hashes) VALUES (2, 10, ?)", [.blob([1])])
        #expect(refusal { try database.execute("UPDATE tree_tiles SET filled = 9 WHERE id = 2") }?.sqlState == "P0001")
    }

    @Test func aRolledBackAppendLeavesNoGap() throws {
        let (database, _, cleanUp) = try ledgerSchema()
        defer { cleanUp() }
        try append(0, to: database)
        try checkpoint(1, on: database)
        try database.execute("BEGIN")
        try append(1, to: database)
        try append(2, to: database)
        try checkpoint(3, on: database)
        try database.execute("ROLLBACK")
        #expect(try tip(database) == 1)
        try append(1, to: database)
        #expect(try database.query("SELECT max(seq) + 1, count(*) FROM entries").integer(0, 1) == 2)
    }

    @Test func writersSerialiseOnTheTipRow() throws {
        let (first, schema, cleanUp) = try ledgerSchema()
        defer { cleanUp() }
        let second = try PostgresConnection(url: url)
        try second.execute("SET search_path TO \(schema); SET lock_timeout = '300ms'")
        try first.execute("BEGIN")
        #expect(try first.query("SELECT size FROM log_tip WHERE id = 0 FOR UPDATE").integer(0, 0) == 0)
        try second.execute("BEGIN")
        let blocked = refusal { _ = try second.query("SELECT size FROM log_tip WHERE id = 0 FOR UPDATE") }
        #expect(blocked?.isBusy == true, "a second writer waits for the tip: \(String(describing: blocked))")
        try second.execute("ROLLBACK")
        try append(0, to: first)
        try checkpoint(1, on: first)
        try first.execute("COMMIT")
        try second.execute("BEGIN")
        #expect(try second.query("SELECT size FROM log_tip WHERE id = 0 FOR UPDATE").integer(0, 0) == 1)
        try append(1, to: second)
        try checkpoint(2, on: second)
        try second.execute("COMMIT")
        #expect(try tip(first) == 2)
    }

    @Test func theWriterRoleAppendsButCannotAlterDropOrDisableTriggers() throws {
        let (database, schema, cleanUp) = try ledgerSchema()
        let role = "writer_" + schema
        defer {
            cleanUp()
            try? database.execute("DROP ROLE IF EXISTS \(role)")
        }
        try database.execute("CREATE ROLE \(role) NOLOGIN; GRANT \(role) TO CURRENT_USER")
        try database.execute("GRANT USAGE ON SCHEMA \(schema) TO \(role)")
        try database.execute(LedgerSchema.postgresWriterGrants(role: role))
        try database.execute("SET ROLE \(role)")
        try database.execute("BEGIN")
        #expect(try database.query("SELECT size FROM log_tip WHERE id = 0 FOR UPDATE").integer(0, 0) == 0)
        try append(0, to: database)
        _ = try database.query("INSERT INTO checkpoints (size, note) VALUES (1, 'note')")
        _ = try database.query("INSERT INTO entry_counts (type, count) VALUES ('note', 1)")
        try database.execute("COMMIT")
        for sql in [
            "DROP TABLE entries", "ALTER TABLE entries DISABLE TRIGGER entries_no_change", "TRUNCATE checkpoints",
            "ALTER TABLE log_tip DISABLE TRIGGER ALL", "DELETE FROM entries",
        ] {
            let error = refusal { try database.execute(sql) }
            #expect(error != nil, "\(sql) must be refused to the writer")
        }
        try database.execute("RESET ROLE")
        #expect(try database.query("SELECT count(*) FROM entries").integer(0, 0) == 1)
    }
}

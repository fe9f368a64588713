internal import AssentCrypto
internal import Foundation
internal import AssentStorage

/// What copying a ledger to PostgreSQL did.
public struct MigrationReport: Sendable {
    /// The PostgreSQL database, without its password.
    public var database: String
    /// Entries copied.
    public var entries: UInt64
    /// Checkpoints copied.
    public var checkpoints: Int
    /// Rows copied in all, log tables included, by table.
    public var rows: [String: Int]
    /// The path of the SQLite file, renamed so that it is no longer used.
    public var retiredDatabase: String
}

extension Ledger {
    /// The log's own tables, which PostgreSQL creates with ``LedgerSchema/postgresStatements``.
    private static let logTables: Set<String> = ["meta", "entries", "tree_tiles", "entry_counts", "checkpoints"]

    /// Copies this SQLite ledger into the empty PostgreSQL database at `url`, checks the copy and
    /// switches the folder over to it.
    ///
    /// Everything is copied in one PostgreSQL transaction: the log's tables (created as
    /// ``LedgerSchema/postgresStatements`` creates them, entries appended in order with each checkpoint
    /// inserted when the log reaches its size, so the database's own sequencing triggers check the
    /// copy), then every other table and index (their SQLite definitions in PostgreSQL's dialect) row
    /// for row. The copy is then read back and compared with the SQLite database: every table's row
    /// count, a SHA-256 over all entries in order, every checkpoint note and the tree root at the
    /// latest checkpoint. Only then is `database.url` written (mode 0600) and `ledger.sqlite` renamed
    /// to `ledger.sqlite.migrated`, so no command writes to it again. Any failure before that leaves
    /// the folder as it was and the database empty.
    /// - Parameter progress: called now and then with the rows copied so far.
    /// - Throws: ``LedgerError`` (`invalidInput` when this ledger is already on PostgreSQL or the URL
    ///   is not one, `alreadyExists` when the database holds tables, `verificationFailed` when the copy
    ///   differs) or ``StorageError``.
    public func migrate(to url: String, progress: ((Int) -> Void)? = nil) throws -> MigrationReport {
        guard !database.isPostgres else { throw LedgerError(.invalidInput, "this ledger is already on PostgreSQL") }
        guard PostgresURL.isPostgres(url) else { throw LedgerError(.invalidInput, "to: expected a postgresql:// URL") }
        let target = try Database(postgresURL: url)
        guard try !target.tableExists("entries") else {
            throw LedgerError(
                .alreadyExists,
                "\(target.name) already holds a ledger (or tables named like a ledger's); use an empty database")
        }
        try database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        var rows: [String: Int] = [:]
        var copied = 0
        try database.readTransaction {
            try target.writeTransaction {
                try target.execute(LedgerSchema.postgresStatements)
                for (kind, _, sql) in try schemaObjects() {
                    guard kind != "trigger" else {
                        throw LedgerError(
                            .invalidInput, "a trigger outside the log's tables cannot be migrated: \(sql)")
                    }
                    try target.execute(sql)
                }
                let checkpoints = try table("checkpoints", orderedBy: "size")
                var entriesCopied: Int64 = 0
                try database.withStatement("SELECT seq, type, body FROM entries ORDER BY seq") { entries in
                    for checkpoint in checkpoints {
                        guard case .integer(let size) = checkpoint[0] else { continue }
                        while entriesCopied < size, try entries.step() {
                            try target.enqueue(
                                "INSERT INTO entries (seq, type, body) VALUES (?, ?, ?)",
                                [entries.value(0), entries.value(1), entries.value(2)])
                            entriesCopied += 1
                            copied += 1
                            if copied % 10_000 == 0 { progress?(copied) }
                        }
                        try target.run("INSERT INTO checkpoints (size, note) VALUES (?, ?)", checkpoint)
                    }
                }
                rows["entries"] = Int(entriesCopied)
                rows["checkpoints"] = checkpoints.count
                for name in try tableNames() where name != "entries" && name != "checkpoints" {
                    rows[name] = try copyRows(of: name, to: target) {
                        copied += 1
                        if copied % 10_000 == 0 { progress?(copied) }
                    }
                }
            }
        }
        try compare(with: target, rows: rows)
        let retired = paths.folder.appendingPathComponent("ledger.sqlite.migrated")
        try KeyFiles.writePrivate(url + "\n", to: paths.databaseURL)
        do {
            try FileManager.default.moveItem(at: paths.database, to: retired)
        } catch {
            try? FileManager.default.removeItem(at: paths.databaseURL)
            throw LedgerError(.invalidInput, "cannot retire \(paths.database.path): \(error.localizedDescription)")
        }
        for suffix in ["-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: paths.database.path + suffix)
        }
        return MigrationReport(
            database: target.name, entries: UInt64(rows["entries"] ?? 0), checkpoints: rows["checkpoints"] ?? 0,
            rows: rows, retiredDatabase: retired.path)
    }

    /// The SQLite tables other than the log's and SQLite's own, by name.
    private func tableNames() throws -> [String] {
        try database.withStatement(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ) { statement in
            var names: [String] = []
            while try statement.step() { names.append(statement.text(0)) }
            return names
        }
    }

    /// The definitions of the tables, indexes and triggers outside the log's tables: (kind, name, SQL).
    private func schemaObjects() throws -> [(String, String, String)] {
        try database.withStatement(
            "SELECT type, name, sql, tbl_name FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type = 'table' DESC, rowid"
        ) { statement in
            var objects: [(String, String, String)] = []
            while try statement.step() {
                guard !Self.logTables.contains(statement.text(3)) else { continue }
                objects.append((statement.text(0), statement.text(1), statement.text(2)))
            }
            return objects
        }
    }

    /// Every row of `name` in `order`.
    private func table(_ name: String, orderedBy order: String) throws -> [[SQLValue]] {
        try database.withStatement("SELECT * FROM \(name) ORDER BY \(order)") { statement in
            var rows: [[SQLValue]] = []
            while try statement.step() { rows.append((0..<statement.columnCount).map(statement.value)) }
            return rows
        }
    }

    /// Copies every row of table `name` to `target`; returns the number of rows.
    private func copyRows(of name: String, to target: Database, counted: () -> Void) throws -> Int {
        let statement = try database.makeStatement("SELECT * FROM \(name)")
        let columns = try database.withStatement("SELECT name FROM pragma_table_info(?) ORDER BY cid") { info in
            try info.bind([.text(name)])
            var columns: [String] = []
            while try info.step() { columns.append(info.text(0)) }
            return columns
        }
        let insert =
            "INSERT INTO \(name) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
        var count = 0
        while try statement.step() {
            try target.enqueue(insert, (0..<statement.columnCount).map(statement.value))
            count += 1
            counted()
        }
        return count
    }

    /// Compares the copy in `target` with this database: row counts, the entries, the checkpoints and
    /// the tree root at the latest checkpoint.
    private func compare(with target: Database, rows: [String: Int]) throws {
        for (name, count) in rows.sorted(by: { $0.key < $1.key }) {
            let copied = try target.scalarInteger("SELECT count(*) FROM \(name)") ?? -1
            guard copied == count else {
                throw LedgerError(
                    .verificationFailed,
                    "the copy of table \(name) has \(copied) rows, the original \(count); nothing was switched")
            }
        }
        func entriesDigest(_ database: Database) throws -> [UInt8] {
            var bytes: [UInt8] = []
            try database.withStatement("SELECT seq, type, body FROM entries ORDER BY seq") { statement in
                while try statement.step() {
                    bytes += SHA256.hash(
                        Array("\(statement.integer(0)) \(statement.text(1)) ".utf8) + statement.blob(2))
                }
            }
            return SHA256.hash(bytes)
        }
        guard try entriesDigest(target) == entriesDigest(database) else {
            throw LedgerError(.verificationFailed, "the copied entries differ from the original; nothing was switched")
        }
        let notes = "SELECT size, note FROM checkpoints ORDER BY size"
        func checkpoints(_ database: Database) throws -> [String] {
            try database.withStatement(notes) { statement in
                var all: [String] = []
                while try statement.step() { all.append("\(statement.integer(0))\n\(statement.text(1))") }
                return all
            }
        }
        guard try checkpoints(target) == checkpoints(database) else {
            throw LedgerError(
                .verificationFailed, "the copied checkpoints differ from the original; nothing was switched")
        }
        let size = try self.size()
        let copiedRoot = try MerkleProofGenerator(source: TileHashReader(database: target)).root(size: size)
        guard copiedRoot == (try root(size: size)) else {
            throw LedgerError(.verificationFailed, "the copied tree has another root; nothing was switched")
        }
    }
}

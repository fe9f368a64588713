internal import Foundation
internal import CSQLite

/// One database connection: SQLite with the settings every Assent database uses, or PostgreSQL.
///
/// SQLite: 8 KiB pages for new databases (see ``pageSize``), WAL journal,
/// `synchronous = FULL`, foreign keys and recursive triggers on, and a busy timeout. PostgreSQL (see
/// ``init(postgresURL:)``): the same API over libpq, the SQL adjusted where the dialects differ
/// (``PostgresSQL``). Not thread-safe: a connection belongs to one thread at a time.
public final class Database {
    /// The SQLite connection; nil on PostgreSQL.
    let handle: OpaquePointer?
    /// The PostgreSQL connection; nil on SQLite.
    let postgres: PostgresConnection?
    private var statementCache: [String: Statement] = [:]
    /// How messages name the database: the SQLite file's path, or the PostgreSQL URL without its password.
    public let name: String
    /// Rows changed by the last statement on PostgreSQL.
    var postgresChanges = 0
    /// The advisory lock every PostgreSQL write transaction holds until it ends, as SQLite's
    /// `BEGIN IMMEDIATE` holds the write lock.
    static let writeLockKey: Int64 = 0x6173_7365_6e74  // "assent"

    /// The page size of new SQLite databases (an existing one keeps its own). Every sample inserts one
    /// random key into each of two indexes (commitment, content digest), so once a ledger outgrows its
    /// first few hundred thousand samples each insert dirties a leaf page of its own in each, and every
    /// dirty page is written twice (write-ahead log, then checkpoint). With 32 KiB pages that was 128 KiB
    /// of writes per sample; 8 KiB pages measured the fastest HTTP ingest on a 300,000-sample ledger and
    /// no slower bulk ingest (BENCHMARKS.md, issue #15). Larger rows (tree tiles, snapshot tiles) spill
    /// into overflow pages.
    public static let pageSize = 8192

    /// Opens (or creates) the database at `path`.
    /// - Parameters:
    ///   - path: the file path.
    ///   - create: whether a missing file may be created.
    ///   - busyTimeoutMilliseconds: how long a writer waits for the lock before ``StorageError/isBusy``.
    /// - Throws: ``StorageError`` when the file cannot be opened.
    public init(path: String, create: Bool = true, busyTimeoutMilliseconds: Int32 = 10_000) throws {
        var handle: OpaquePointer? = nil
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw StorageError(resultCode: code, message: "cannot open \(path): \(message)")
        }
        self.handle = handle
        postgres = nil
        name = path
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        try execute("PRAGMA page_size = \(Self.pageSize)")
        try execute("PRAGMA journal_mode = WAL")
        try execute("PRAGMA cache_size = -65536")
        try execute("PRAGMA synchronous = FULL")
        try execute("PRAGMA foreign_keys = ON")
        try execute("PRAGMA recursive_triggers = ON")
        _ = assent_sqlite_db_config_int(handle, SQLITE_DBCONFIG_DEFENSIVE, 1)
    }

    /// Connects to the PostgreSQL database at `url` (a libpq URI; see ``PostgresConnection``).
    /// - Throws: ``StorageError`` naming the database without its password.
    public init(postgresURL url: String) throws {
        handle = nil
        let connection = try PostgresConnection(url: url)
        postgres = connection
        name = connection.name
    }

    deinit {
        statementCache.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        walFrames.deallocate()
    }

    /// Copies what the write-ahead log holds into the database file without waiting for readers or
    /// writers (SQLite's passive checkpoint); nil on PostgreSQL.
    /// - Returns: the frames in the log and how many of them are now in the database file.
    @discardableResult
    public func checkpointWriteAheadLog() throws -> (frames: Int, copied: Int)? {
        guard let handle else { return nil }
        var frames: Int32 = 0
        var copied: Int32 = 0
        let code = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied)
        guard code == SQLITE_OK || code == SQLITE_BUSY else {
            throw StorageError(resultCode: code, message: String(cString: sqlite3_errmsg(handle)))
        }
        return (Int(frames), Int(copied))
    }

    /// Frames in the write-ahead log after this connection's last commit, once
    /// ``takeOverCheckpoints()`` ran.
    public var writeAheadLogFrames: Int { walFrames.pointee }
    private let walFrames = UnsafeMutablePointer<Int>.allocate(capacity: 1)

    /// Stops this connection's commits from checkpointing (SQLite's automatic checkpoint) and counts
    /// the log's frames instead, for a caller that checkpoints on another connection.
    public func takeOverCheckpoints() {
        guard let handle else { return }
        walFrames.pointee = 0
        sqlite3_wal_hook(
            handle,
            { context, _, _, frames in
                context!.assumingMemoryBound(to: Int.self).pointee = Int(frames)
                return SQLITE_OK
            }, UnsafeMutableRawPointer(walFrames))
    }

    /// Whether this is a PostgreSQL connection.
    public var isPostgres: Bool { postgres != nil }

    /// Runs one or more SQL statements that return no rows.
    /// - Throws: ``StorageError`` with the database's message.
    public func execute(_ sql: String) throws {
        if let postgres { return try postgres.execute(PostgresSQL.translate(sql)) }
        var errorMessage: UnsafeMutablePointer<CChar>? = nil
        let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if code != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errorMessage)
            throw StorageError(resultCode: sqlite3_extended_errcode(handle), message: message)
        }
    }

    /// Runs `body` with the prepared statement for `sql` (cached on this connection) and resets it
    /// afterwards, so no half-read statement keeps a read transaction open.
    /// - Throws: ``StorageError`` when the SQL does not compile, or what `body` throws.
    public func withStatement<T>(_ sql: String, _ body: (Statement) throws -> T) throws -> T {
        let statement = try self.statement(sql)
        defer { try? statement.reset() }
        return try body(statement)
    }

    /// Prepares `sql` as a statement the caller owns (not cached), for reading several result sets side
    /// by side.
    /// - Throws: ``StorageError`` when the SQL does not compile.
    public func makeStatement(_ sql: String) throws -> Statement { try Statement(database: self, sql: sql) }

    /// Returns the prepared statement for `sql`, cached on this connection and reset for reuse.
    private func statement(_ sql: String) throws -> Statement {
        if let cached = statementCache[sql] {
            try cached.reset()
            return cached
        }
        let statement = try Statement(database: self, sql: sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
    ///
    /// `BEGIN IMMEDIATE` takes the write lock at once, so everything read inside (the tree tip,
    /// duplicate checks) stays valid until COMMIT.
    /// - Throws: what `body` throws, or ``StorageError``.
    public func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute(isPostgres ? "BEGIN; SELECT pg_advisory_xact_lock(\(Self.writeLockKey))" : "BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            postgres?.discardQueued()
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` inside a read transaction (`BEGIN DEFERRED`), so every read sees one snapshot.
    /// Inside a transaction already, `body` simply runs in it.
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        if let postgres {
            guard !postgres.isInTransaction else { return try body() }
            try execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        } else {
            guard sqlite3_get_autocommit(handle) != 0 else { return try body() }
            try execute("BEGIN DEFERRED")
        }
        defer { try? execute("COMMIT") }
        return try body()
    }

    /// Runs `sql` with `arguments` and returns the first column of the first row as an integer.
    public func scalarInteger(_ sql: String, _ arguments: [SQLValue] = []) throws -> Int64? {
        try withStatement(sql) { statement in
            try statement.bind(arguments)
            guard try statement.step() else { return nil }
            return statement.isNull(0) ? nil : statement.integer(0)
        }
    }

    /// Runs `sql` with `arguments`, ignoring any rows.
    public func run(_ sql: String, _ arguments: [SQLValue] = []) throws {
        try withStatement(sql) { statement in
            try statement.bind(arguments)
            while try statement.step() {}
        }
    }

    /// Runs `sql` with `arguments` where nobody needs its rows or row count now: on SQLite at once; on
    /// PostgreSQL inside a transaction it may wait and go to the server together with the next
    /// statement that needs an answer (or COMMIT), saving a round trip each. An error it causes is thrown
    /// by that later call, inside the same transaction, which then fails as a whole.
    /// - Throws: ``StorageError`` with the database's message.
    public func enqueue(_ sql: String, _ arguments: [SQLValue]) throws {
        if let postgres { return try postgres.enqueue(sql, arguments) }
        try run(sql, arguments)
    }

    /// Whether a table (or index) named `name` exists: in the SQLite file, or in the current schema on
    /// PostgreSQL.
    public func tableExists(_ name: String) throws -> Bool {
        let sql =
            isPostgres
            ? "SELECT count(*) FROM pg_class WHERE relname = ? AND relnamespace = current_schema()::regnamespace"
            : "SELECT count(*) FROM sqlite_master WHERE name = ?"
        return try scalarInteger(sql, [.text(name)]) ?? 0 > 0
    }

    /// The number of rows changed by the last statement.
    public var changes: Int { isPostgres ? postgresChanges : Int(sqlite3_changes(handle)) }

    func error(_ code: Int32, _ context: String) -> StorageError {
        let message = String(cString: sqlite3_errmsg(handle))
        return StorageError(resultCode: sqlite3_extended_errcode(handle), message: "\(context): \(message)")
    }
}

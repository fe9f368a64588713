internal import Foundation
internal import CLibPQ

/// One connection to a PostgreSQL database through libpq.
///
/// The URL is a libpq connection URI (`postgresql://USER@HOST:PORT/DB`); a password comes from the URL,
/// `PGPASSWORD` or `~/.pgpass`, as libpq finds it, and never appears in an error: errors name the
/// database by ``name``, the URL without its password. Parameters are sent and results received in
/// binary form, so bytes and 64-bit integers round-trip exactly. Not thread-safe: a connection belongs
/// to one thread at a time.
public final class PostgresConnection {
    private let handle: OpaquePointer
    /// libpq's functions.
    private let pq: assent_libpq
    private let password: String?
    /// Statements prepared on this connection, by SQL and parameter types.
    private var prepared: [PreparedKey: String] = [:]
    /// Statements run once, unprepared.
    private var ranOnce: Set<PreparedKey> = []
    /// Statements waiting to be sent with the next one that needs an answer.
    private var queued = PostgresStatementQueue()
    /// The SQL of statements sent ahead in pipeline mode whose results are not read yet, in order.
    private var inFlight: [String]? = nil
    /// The database as messages name it: the URL without its password.
    public let name: String

    /// Connects to the database at `url`.
    /// - Throws: ``StorageError`` naming the database (without its password) and libpq's reason.
    public init(url: String) throws {
        name = PostgresURL.redacted(url)
        password = PostgresURL.password(in: url)
        pq = try Self.loadLibPQ(for: name)
        guard let handle = pq.PQconnectdb!(url) else {
            throw StorageError(resultCode: -1, message: "cannot connect to \(PostgresURL.redacted(url)): out of memory")
        }
        guard pq.PQstatus!(handle) == CONNECTION_OK else {
            let reason = String(cString: pq.PQerrorMessage!(handle)!).trimmingCharacters(in: .whitespacesAndNewlines)
            pq.PQfinish!(handle)
            throw StorageError(
                resultCode: -1,
                message: "cannot connect to \(name): \(PostgresURL.scrub(reason, password: password))")
        }
        self.handle = handle
        _ = pq.PQsetClientEncoding!(handle, "UTF8")
    }

    deinit { pq.PQfinish!(handle) }

    /// libpq's functions, loaded the first time a connection is made: the file `ASSENT_LIBPQ` names, or
    /// `libpq.so.5` (Debian's `libpq5`) from the usual places, so that a machine without libpq runs every
    /// SQLite ledger.
    /// - Throws: ``StorageError`` naming the database and how to install libpq.
    private static func loadLibPQ(for name: String) throws -> assent_libpq {
        var reason = [CChar](repeating: 0, count: 512)
        guard let table = assent_libpq_load(ProcessInfo.processInfo.environment["ASSENT_LIBPQ"], &reason, 512) else {
            throw StorageError(
                resultCode: -1,
                message:
                    "cannot connect to \(name): PostgreSQL ledgers need libpq, which cannot be loaded (\(String(cString: reason))); install it with apt-get install libpq5"
            )
        }
        return table.pointee
    }

    /// Runs one or more SQL statements that return no rows of interest.
    /// - Throws: ``StorageError`` with the server's message and SQLSTATE.
    public func execute(_ sql: String) throws {
        try flush()
        let result = pq.PQexec!(handle, sql)
        defer { pq.PQclear!(result) }
        try check(result, sql: sql)
    }

    /// Whether a transaction is open (or failed and not yet rolled back) on this connection.
    public var isInTransaction: Bool { inFlight != nil || pq.PQtransactionStatus!(handle) != PQTRANS_IDLE }

    /// Runs one statement with `?` placeholders bound to `parameters` and returns its rows.
    ///
    /// The statement is prepared on the server the first time it runs with these parameter types
    /// (NULLs leave their type to the server) and executed from then on without being parsed again.
    /// Statements queued by ``enqueue(_:_:)`` are sent ahead of it, in the same round trip.
    /// - Throws: ``StorageError`` with the server's message and SQLSTATE (a queued statement's, if one
    ///   failed).
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws -> PostgresRows {
        guard queued.isEmpty else { return try sendQueued(then: (sql, parameters))! }
        try readInFlight()
        let command = try bound(sql, parameters)
        let result = withPointers(to: command.buffers) { values, lengths, formats in
            guard let statement = command.statement else {
                return pq.PQexecParams!(
                    handle, PostgresSQL.translate(sql), Int32(command.buffers.count), command.types, values, lengths,
                    formats, 1)
            }
            return pq.PQexecPrepared!(handle, statement, Int32(command.buffers.count), values, lengths, formats, 1)
        }
        guard let result else { throw StorageError(resultCode: -1, message: "\(name): out of memory") }
        do { try check(result, sql: sql) } catch {
            pq.PQclear!(result)
            throw error
        }
        return PostgresRows(result: result, pq: pq)
    }

    /// Runs a statement whose rows and row count nobody needs now. Inside a transaction it is queued
    /// and sent with the next statement that needs an answer (or the transaction's end), in one round
    /// trip (libpq's pipeline mode), with the rows of repeated inserts combined (see
    /// ``PostgresStatementQueue``): statements of the same SQL run in the order queued, others in the
    /// order their SQL was first queued. An error one causes is thrown then, and the transaction
    /// fails as a whole. Outside a transaction it runs at once.
    /// - Throws: ``StorageError`` with the server's message and SQLSTATE.
    public func enqueue(_ sql: String, _ parameters: [SQLValue]) throws {
        guard inFlight != nil || pq.PQtransactionStatus!(handle) == PQTRANS_INTRANS else {
            _ = try query(sql, parameters)
            return
        }
        queued.append(sql, parameters)
        // A full queue is sent ahead: the server runs it while the caller queues the next, and its
        // results are read before anything else is sent.
        if queued.count >= Self.queueLimit || queued.bytes >= Self.queueByteLimit { _ = try sendQueued(ahead: true) }
    }

    /// Sends every queued statement now.
    /// - Throws: ``StorageError`` for the first queued statement that failed.
    public func flush() throws { _ = try sendQueued() }

    /// Forgets the queued statements without sending them, and the results of any sent ahead (the
    /// transaction is being rolled back).
    public func discardQueued() {
        queued = PostgresStatementQueue()
        try? readInFlight()
    }

    /// The rows queued before they are sent, at most.
    private static let queueLimit = 4_096
    /// The parameter bytes queued before they are sent, at most.
    private static let queueByteLimit = 8 << 20

    /// `sql` prepared for `parameters`' types, with the parameters in binary form.
    private func bound(_ sql: String, _ parameters: [SQLValue]) throws -> BoundStatement {
        var types: [Oid] = []
        var buffers: [[UInt8]?] = []
        for parameter in parameters {
            switch parameter {
            case .null:
                types.append(0)
                buffers.append(nil)
            case .integer(let number):
                types.append(20)  // int8
                buffers.append(withUnsafeBytes(of: number.bigEndian) { Array($0) })
            case .text(let text):
                types.append(25)  // text
                buffers.append(Array(text.utf8))
            case .blob(let bytes):
                types.append(17)  // bytea
                buffers.append(bytes)
            }
        }
        return BoundStatement(sql: sql, statement: try preparedName(sql, types: types), types: types, buffers: buffers)
    }

    /// Sends the queued statements, and `last` after them, in one pipeline and reads their results;
    /// with `ahead`, returns once they are sent, leaving their results to ``readInFlight()``. Results of
    /// statements sent ahead before are read first.
    /// - Returns: the rows of `last`, if given.
    /// - Throws: ``StorageError`` for the first statement that failed (those after it did not run).
    private func sendQueued(then last: (sql: String, parameters: [SQLValue])? = nil, ahead: Bool = false) throws
        -> PostgresRows?
    {
        let statements = queued.statements() + (last.map { [$0] } ?? [])
        queued = PostgresStatementQueue()
        try readInFlight()
        guard !statements.isEmpty else { return nil }
        let commands = try statements.map { try bound($0.sql, $0.parameters) }
        guard pq.PQenterPipelineMode!(handle) == 1 else { throw connectionError("cannot enter pipeline mode") }
        var leavesPipeline = true
        defer { if leavesPipeline { _ = pq.PQexitPipelineMode!(handle) } }
        for command in commands {
            let sent = withPointers(to: command.buffers) { values, lengths, formats in
                guard let statement = command.statement else {
                    return pq.PQsendQueryParams!(
                        handle, PostgresSQL.translate(command.sql), Int32(command.buffers.count), command.types, values,
                        lengths, formats, 1)
                }
                return pq.PQsendQueryPrepared!(
                    handle, statement, Int32(command.buffers.count), values, lengths, formats, 1)
            }
            guard sent == 1 else { throw connectionError("cannot send a statement") }
        }
        guard pq.PQpipelineSync!(handle) == 1 else { throw connectionError("cannot send a statement") }
        if ahead {
            leavesPipeline = false
            inFlight = commands.map(\.sql)
            return nil
        }
        return try readResults(of: commands.map(\.sql), keepingLast: last != nil)
    }

    /// Reads the results of the statements sent ahead, if any, and leaves pipeline mode.
    /// - Throws: ``StorageError`` for the first of them that failed.
    private func readInFlight() throws {
        guard let sqls = inFlight else { return }
        inFlight = nil
        defer { _ = pq.PQexitPipelineMode!(handle) }
        _ = try readResults(of: sqls, keepingLast: false)
    }

    /// Reads the results of the pipelined statements `sqls`, up to their sync point.
    /// - Returns: the rows of the last statement, with `keepingLast`.
    /// - Throws: ``StorageError`` for the first statement that failed (those after it did not run).
    private func readResults(of sqls: [String], keepingLast: Bool) throws -> PostgresRows? {
        var failure: (any Error)? = nil
        var lastResult: OpaquePointer? = nil
        var index = 0
        var previousWasEnd = false
        while true {
            guard let result = pq.PQgetResult!(handle) else {
                // One NULL ends each statement's results; two in a row mean the connection has nothing more.
                if previousWasEnd { break }
                previousWasEnd = true
                index += 1
                continue
            }
            previousWasEnd = false
            let status = pq.PQresultStatus!(result)
            if status == PGRES_PIPELINE_SYNC {
                pq.PQclear!(result)
                break
            }
            guard status != PGRES_PIPELINE_ABORTED, failure == nil else {
                pq.PQclear!(result)
                continue
            }
            do {
                try check(result, sql: sqls[min(index, sqls.count - 1)])
            } catch {
                failure = error
                pq.PQclear!(result)
                continue
            }
            guard keepingLast, index == sqls.count - 1 else {
                pq.PQclear!(result)
                continue
            }
            if let lastResult { pq.PQclear!(lastResult) }
            lastResult = result
        }
        if let failure {
            if let lastResult { pq.PQclear!(lastResult) }
            throw failure
        }
        guard keepingLast else { return nil }
        guard let lastResult else { throw connectionError("the server sent no result") }
        return PostgresRows(result: lastResult, pq: pq)
    }

    /// A ``StorageError`` naming the database, `what` failed and libpq's reason, without the password.
    private func connectionError(_ what: String) -> StorageError {
        let reason = String(cString: pq.PQerrorMessage!(handle)!).trimmingCharacters(in: .whitespacesAndNewlines)
        return StorageError(
            resultCode: -1, message: "\(name): \(what): \(PostgresURL.scrub(reason, password: password))")
    }

    /// The server-side name of `sql` prepared for parameters of `types`, preparing it the second time it
    /// runs; nil the first time (it is sent unprepared, saving the round trip of preparing a statement that
    /// a short command runs once).
    private func preparedName(_ sql: String, types: [Oid]) throws -> String? {
        let key = PreparedKey(sql: sql, types: types)
        if let name = prepared[key] { return name }
        guard ranOnce.contains(key) else {
            ranOnce.insert(key)
            return nil
        }
        let name = "assent_\(prepared.count)"
        let result = pq.PQprepare!(handle, name, PostgresSQL.translate(sql), Int32(types.count), types)
        defer { pq.PQclear!(result) }
        try check(result, sql: sql)
        prepared[key] = name
        return name
    }

    /// Calls `body` with C arrays of value pointers, lengths and formats (all binary) for `buffers`.
    private func withPointers<T>(
        to buffers: [[UInt8]?],
        _ body: ([UnsafePointer<CChar>?], [Int32], [Int32]) throws -> T
    ) rethrows -> T {
        // One block for all the values, so a multi-row statement costs one allocation, not one per value.
        let arena = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, buffers.reduce(0) { $0 + ($1?.count ?? 0) }))
        defer { arena.deallocate() }
        var pointers: [UnsafeMutablePointer<CChar>?] = []
        pointers.reserveCapacity(buffers.count)
        var offset = 0
        for buffer in buffers {
            guard let buffer else {
                pointers.append(nil)
                continue
            }
            buffer.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress {
                    UnsafeMutableRawPointer(arena + offset).copyMemory(from: base, byteCount: bytes.count)
                }
            }
            pointers.append(arena + offset)
            offset += buffer.count
        }
        return try body(
            pointers.map { UnsafePointer($0) }, buffers.map { Int32($0?.count ?? 0) },
            Array(repeating: 1, count: buffers.count))
    }

    private func check(_ result: OpaquePointer?, sql: String) throws {
        let status = pq.PQresultStatus!(result)
        guard status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK else { return }
        let state = pq.PQresultErrorField!(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
        let message =
            pq.PQresultErrorField!(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            ?? String(cString: pq.PQerrorMessage!(handle)!).trimmingCharacters(in: .whitespacesAndNewlines)
        throw StorageError(
            resultCode: -1, sqlState: state,
            message:
                "\(name): \(PostgresURL.scrub(message, password: password)) (SQLSTATE \(state)) in: \(sql.prefix(160))")
    }
}

/// A statement (prepared or not) with its parameters in binary form, ready to send.
private struct BoundStatement {
    let sql: String
    /// The prepared statement's name, or nil to send the SQL itself.
    let statement: String?
    let types: [Oid]
    let buffers: [[UInt8]?]
}

/// A statement prepared on the server: the same SQL with other parameter types is prepared again.
private struct PreparedKey: Hashable {
    let sql: String
    let types: [Oid]
}

/// The rows of one PostgreSQL result, read by row and column (binary format).
public final class PostgresRows {
    private let result: OpaquePointer
    private let pq: assent_libpq

    init(result: OpaquePointer, pq: assent_libpq) {
        self.result = result
        self.pq = pq
    }

    deinit { pq.PQclear!(result) }

    /// The number of rows.
    public var count: Int { Int(pq.PQntuples!(result)) }

    /// The number of columns.
    public var columnCount: Int { Int(pq.PQnfields!(result)) }

    /// The type OID of `column` (20 for `int8`, 17 for `bytea`, 25 for `text`, …).
    public func type(of column: Int) -> UInt32 { UInt32(pq.PQftype!(result, Int32(column))) }

    /// The number of rows changed by an INSERT, UPDATE or DELETE.
    public var changes: Int { Int(String(cString: pq.PQcmdTuples!(result)!)) ?? 0 }

    /// Whether the value at (`row`, `column`) is NULL.
    public func isNull(_ row: Int, _ column: Int) -> Bool { pq.PQgetisnull!(result, Int32(row), Int32(column)) == 1 }

    /// The value at (`row`, `column`) as bytes (`bytea` and `text` as stored).
    public func blob(_ row: Int, _ column: Int) -> [UInt8] {
        let length = Int(pq.PQgetlength!(result, Int32(row), Int32(column)))
        guard let pointer = pq.PQgetvalue!(result, Int32(row), Int32(column)), length > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: length))
    }

    /// The value at (`row`, `column`) as text.
    public func text(_ row: Int, _ column: Int) -> String { String(decoding: blob(row, column), as: UTF8.self) }

    /// The value at (`row`, `column`) as an integer (`int2`, `int4`, `int8` or `bool`).
    public func integer(_ row: Int, _ column: Int) -> Int64 {
        let bytes = blob(row, column)
        let unused = 64 - 8 * Int64(min(8, max(1, bytes.count)))
        let unsigned = bytes.reduce(Int64(0)) { $0 << 8 | Int64($1) }
        return (unsigned << unused) >> unused  // sign-extends a 2- or 4-byte integer
    }
}

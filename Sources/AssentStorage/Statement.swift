internal import Foundation
internal import CSQLite

/// A value bound to a statement parameter.
public enum SQLValue: Sendable, Hashable {
    /// SQL NULL.
    case null
    /// A 64-bit integer.
    case integer(Int64)
    /// UTF-8 text.
    case text(String)
    /// A byte string.
    case blob([UInt8])
}

/// A prepared statement, owned by its ``Database`` and finalized with it: an SQLite statement, or on
/// PostgreSQL its parameters and, once stepped, its rows.
public final class Statement {
    private let handle: OpaquePointer?
    private let remote: PostgresCursor?
    private unowned let database: Database
    private let sql: String

    init(database: Database, sql: String) throws {
        self.database = database
        self.sql = sql
        if let postgres = database.postgres {
            handle = nil
            remote = PostgresCursor(connection: postgres, sql: sql)
            return
        }
        remote = nil
        var handle: OpaquePointer? = nil
        let code = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK, let handle else { throw database.error(code, "cannot prepare \(sql)") }
        self.handle = handle
    }

    deinit { if let handle { sqlite3_finalize(handle) } }

    /// Resets the statement so it can run again, and clears its bindings.
    public func reset() throws {
        if let remote { return remote.reset() }
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds `values` to parameters 1…n.
    public func bind(_ values: [SQLValue]) throws {
        for (offset, value) in values.enumerated() { try bind(value, at: Int32(offset + 1)) }
    }

    /// Binds one value to the 1-based parameter `index`.
    public func bind(_ value: SQLValue, at index: Int32) throws {
        if let remote { return remote.bind(value, at: index) }
        let code: Int32
        switch value {
        case .null: code = sqlite3_bind_null(handle, index)
        case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
        case .text(let text): code = sqlite3_bind_text(handle, index, text, -1, assent_sqlite_transient())
        case .blob(let bytes): code = bindBlob(bytes, at: index)
        }
        guard code == SQLITE_OK else { throw database.error(code, "cannot bind parameter \(index) of \(sql)") }
    }

    /// Binds raw bytes to the 1-based parameter `index` without building an array.
    public func bind(bytes: UnsafeRawBufferPointer, at index: Int32) throws {
        if let remote { return remote.bind(.blob(Array(bytes)), at: index) }
        let code = sqlite3_bind_blob64(
            handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), sqlite3_uint64(bytes.count),
            assent_sqlite_transient())
        guard code == SQLITE_OK else { throw database.error(code, "cannot bind parameter \(index) of \(sql)") }
    }

    private func bindBlob(_ bytes: [UInt8], at index: Int32) -> Int32 {
        bytes.withUnsafeBytes {
            sqlite3_bind_blob64(
                handle, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), sqlite3_uint64($0.count),
                assent_sqlite_transient())
        }
    }

    /// Advances to the next row; returns false when the statement is done.
    /// - Throws: ``StorageError`` with SQLite's message (constraint and trigger failures included).
    @discardableResult
    public func step() throws -> Bool {
        if let remote {
            let hasRow = try remote.step()
            database.postgresChanges = remote.changes
            return hasRow
        }
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = database.error(code, "statement failed")
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Whether column `index` of the current row is NULL.
    public func isNull(_ index: Int32) -> Bool {
        if let remote { return remote.isNull(index) }
        return sqlite3_column_type(handle, index) == SQLITE_NULL
    }

    /// Column `index` of the current row as an integer.
    public func integer(_ index: Int32) -> Int64 {
        if let remote { return remote.integer(index) }
        return sqlite3_column_int64(handle, index)
    }

    /// Column `index` of the current row as text.
    public func text(_ index: Int32) -> String {
        if let remote { return remote.text(index) }
        guard let pointer = sqlite3_column_text(handle, index) else { return "" }
        return String(cString: pointer)
    }

    /// Column `index` of the current row as bytes.
    public func blob(_ index: Int32) -> [UInt8] {
        withBlob(index) { Array($0) }
    }

    /// Calls `body` with the bytes of column `index`, valid only during the call.
    public func withBlob<T>(_ index: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        if let remote { return try remote.blob(index).withUnsafeBytes(body) }
        let pointer = sqlite3_column_blob(handle, index)
        let count = Int(sqlite3_column_bytes(handle, index))
        return try body(UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
    }

    /// Calls `body` with the UTF-8 bytes of text column `index`, valid only during the call: reads a
    /// text without making a `String` of it.
    public func withText<T>(_ index: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        if let remote {
            var text = remote.text(index)
            return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        }
        let pointer = sqlite3_column_text(handle, index)
        let count = Int(sqlite3_column_bytes(handle, index))
        return try body(UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
    }

    /// The number of columns of the statement's result rows.
    public var columnCount: Int32 { remote?.columnCount ?? sqlite3_column_count(handle) }

    /// Column `index` of the current row as the value SQLite stores (a real number reads as its integer part).
    public func value(_ index: Int32) -> SQLValue {
        if let remote { return remote.value(index) }
        return switch sqlite3_column_type(handle, index) {
        case SQLITE_NULL: .null
        case SQLITE_INTEGER, SQLITE_FLOAT: .integer(integer(index))
        case SQLITE_TEXT: .text(text(index))
        default: .blob(blob(index))
        }
    }
}

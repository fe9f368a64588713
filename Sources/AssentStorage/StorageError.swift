/// An error raised by the storage layer, carrying SQLite's result code (or PostgreSQL's SQLSTATE) and
/// the message.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// SQLite's extended result code (for example 5 for `SQLITE_BUSY`, 2067 for a unique constraint);
    /// -1 for PostgreSQL.
    public let resultCode: Int32
    /// PostgreSQL's five-character SQLSTATE (for example `23505` for a unique violation), if from there.
    public let sqlState: String?
    /// The database's message, with the statement or operation that failed.
    public let message: String

    /// Creates an error from a result code (and SQLSTATE) and message.
    public init(resultCode: Int32, sqlState: String? = nil, message: String) {
        self.resultCode = resultCode
        self.sqlState = sqlState
        self.message = message
    }

    /// The primary result code (the low byte of the extended code).
    public var primaryCode: Int32 { resultCode & 0xff }

    /// Whether the database was locked by another writer past the busy timeout (SQLite), or a lock or
    /// serialization conflict (PostgreSQL, SQLSTATE classes 40 and 55P03).
    public var isBusy: Bool {
        guard let sqlState else { return primaryCode == 5 || primaryCode == 6 }
        return sqlState.hasPrefix("40") || sqlState == "55P03"
    }

    /// Whether a constraint (including our append-only triggers) refused the change.
    public var isConstraintViolation: Bool {
        guard let sqlState else { return primaryCode == 19 }
        return sqlState.hasPrefix("23") || sqlState == "P0001"
    }

    /// The message, suitable for a one-line report.
    public var description: String { message }
}

extension StorageError: Equatable {
    /// Errors compare by result code and SQLSTATE only.
    public static func == (lhs: StorageError, rhs: StorageError) -> Bool {
        lhs.resultCode == rhs.resultCode && lhs.sqlState == rhs.sqlState
    }
}

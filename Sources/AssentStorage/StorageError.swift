/// An error raised by the storage layer, carrying SQLite's result code and message.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// SQLite's extended result code (for example 5 for `SQLITE_BUSY`, 2067 for a unique constraint).
    public let resultCode: Int32
    /// SQLite's message, with the statement or operation that failed.
    public let message: String

    /// Creates an error from a result code and message.
    public init(resultCode: Int32, message: String) {
        self.resultCode = resultCode
        self.message = message
    }

    /// The primary result code (the low byte of the extended code).
    public var primaryCode: Int32 { resultCode & 0xff }

    /// Whether the database was locked by another writer past the busy timeout.
    public var isBusy: Bool { primaryCode == 5 || primaryCode == 6 }

    /// Whether a constraint (including our append-only triggers) refused the change.
    public var isConstraintViolation: Bool { primaryCode == 19 }

    /// The message, suitable for a one-line report.
    public var description: String { message }
}

extension StorageError: Equatable {
    /// Errors compare by result code only.
    public static func == (lhs: StorageError, rhs: StorageError) -> Bool { lhs.resultCode == rhs.resultCode }
}

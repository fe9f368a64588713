/// An error from the ledger: a missing or foreign folder, bad input, a key problem, or storage.
public struct LedgerError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable {
        /// The code's name, as error responses carry it.
        public let rawValue: String
        /// The folder holds no Assent ledger.
        public static let notALedger = Code(rawValue: "not-a-ledger")
        /// `init` found a ledger already there.
        public static let alreadyExists = Code(rawValue: "already-exists")
        /// An input (entry, argument, file) was rejected; nothing was written.
        public static let invalidInput = Code(rawValue: "invalid-input")
        /// A key file is missing, unreadable, malformed or too widely readable.
        public static let key = Code(rawValue: "key")
        /// Something asked for does not exist (an entry, a checkpoint size).
        public static let notFound = Code(rawValue: "not-found")
        /// The database refused or failed.
        public static let storage = Code(rawValue: "storage")
        /// The stored log disagrees with itself or with a trusted checkpoint.
        public static let verificationFailed = Code(rawValue: "verification-failed")
    }

    /// The kind of failure.
    public let code: Code
    /// What went wrong and where.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

extension LedgerError: Equatable {
    /// Errors compare by code.
    public static func == (lhs: LedgerError, rhs: LedgerError) -> Bool { lhs.code == rhs.code }
}

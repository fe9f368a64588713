/// An error from the records layer: bad input (naming the line and field), a conflict with what the
/// ledger already holds, or a missing record.
public struct RecordsError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable {
        /// The code's name, as error responses carry it.
        public let rawValue: String
        /// A manifest line, argument or file was rejected.
        public static let invalidInput = Code(rawValue: "invalid-input")
        /// The input contradicts what the ledger holds (different metadata, subject or consent).
        public static let conflict = Code(rawValue: "conflict")
        /// A consent, subject or sample does not exist.
        public static let notFound = Code(rawValue: "not-found")
    }

    /// The kind of failure.
    public let code: Code
    /// What went wrong, naming the line, field or record.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

extension RecordsError: Equatable {
    /// Errors compare by code.
    public static func == (lhs: RecordsError, rhs: RecordsError) -> Bool { lhs.code == rhs.code }
}

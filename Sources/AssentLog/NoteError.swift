/// Why a signed note, key string, checkpoint or proof file was rejected.
public struct NoteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// The bytes are not a well-formed note, key, checkpoint or proof.
        case malformed
        /// No signature by a known key, or a known key's signature does not verify.
        case badSignature
        /// A verifier or signer key string is malformed or unsupported.
        case badKey
    }

    /// The kind of failure.
    public let code: Code
    /// What exactly was wrong.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// Errors compare by code.
    public static func == (lhs: NoteError, rhs: NoteError) -> Bool { lhs.code == rhs.code }
}

/// Why an export could not be made; nothing is written then.
public struct ExportError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, naming the field, file or source at fault, and what to do.
    public let message: String
    /// Whether the thing asked for does not exist (an unknown model or snapshot).
    public let isNotFound: Bool

    /// An error with `message`.
    public init(_ message: String, notFound: Bool = false) {
        self.message = message
        self.isNotFound = notFound
    }

    /// The message.
    public var description: String { message }
}

internal import COpenSSL

/// An error raised by the cryptography layer, carrying OpenSSL's own message where there is one.
public struct CryptoError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable {
        let rawValue: String
        /// OpenSSL refused an operation (allocation, key generation, signing).
        public static let openSSL = Code(rawValue: "openssl")
        /// A key was malformed, of the wrong type or of the wrong length.
        public static let invalidKey = Code(rawValue: "invalid-key")
        /// A PEM document could not be read.
        public static let invalidPEM = Code(rawValue: "invalid-pem")
    }

    /// The kind of failure.
    public let code: Code
    /// A human-readable explanation.
    public let message: String

    /// Creates an error with the given code and message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message, suitable for a one-line report.
    public var description: String { message }

    /// Builds an error from OpenSSL's error queue, which it drains.
    static func fromOpenSSL(_ context: String, code: Code = .openSSL) -> CryptoError {
        var reasons: [String] = []
        while true {
            let packed = ERR_get_error()
            if packed == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(packed, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let detail = reasons.isEmpty ? "" : ": " + reasons.joined(separator: "; ")
        return CryptoError(code, context + detail)
    }
}

extension CryptoError: Equatable {
    /// Errors compare by code only, so tests can match the kind of failure.
    public static func == (lhs: CryptoError, rhs: CryptoError) -> Bool { lhs.code == rhs.code }
}

public import AssentCrypto

/// Key names and key IDs as C2SP signed-note defines them.
enum NoteKeyID {
    /// Ed25519's signature type byte.
    static let ed25519: UInt8 = 0x01

    /// keyID = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[0:4], big-endian.
    static func compute(name: String, type: UInt8, publicKey: [UInt8]) -> UInt32 {
        let digest = SHA256.hash(Array(name.utf8) + [0x0A, type] + publicKey)
        return digest.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A key name is non-empty, valid UTF-8, with no Unicode white space and no '+'.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.unicodeScalars.contains { $0 == "+" || $0.properties.isWhitespace || $0.value < 0x20 }
    }

    static func hex8(_ id: UInt32) -> String {
        let digits = String(id, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// A verifier key: `<name>+<8 hex key ID>+<base64(0x01 ‖ 32-byte Ed25519 public key)>`.
public struct NoteVerifier: Sendable, Hashable {
    /// The key name (for a log, its origin).
    public let name: String
    /// The key ID, as carried in signature lines.
    public let keyID: UInt32
    /// The Ed25519 public key.
    public let publicKey: Ed25519PublicKey

    /// Parses a verifier key string, checking that the key ID matches the key.
    /// - Throws: ``NoteError`` with code `badKey`, saying which part is wrong.
    public init(_ text: String) throws(NoteError) {
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw NoteError(.badKey, "a verifier key has three '+'-separated parts: name+keyid+key")
        }
        let name = String(parts[0])
        guard NoteKeyID.isValidName(name) else { throw NoteError(.badKey, "invalid key name \"\(name)\"") }
        guard parts[1].count == 8, parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
            let id = UInt32(parts[1], radix: 16)
        else { throw NoteError(.badKey, "the key ID must be 8 lowercase hex digits, not \"\(parts[1])\"") }
        guard let raw = Base64.decode(parts[2]) else { throw NoteError(.badKey, "the key is not valid base64") }
        guard raw.first == NoteKeyID.ed25519 else {
            throw NoteError(.badKey, "unsupported key algorithm (only Ed25519, type 0x01)")
        }
        guard raw.count == 33, let key = try? Ed25519PublicKey(rawRepresentation: Array(raw.dropFirst())) else {
            throw NoteError(.badKey, "an Ed25519 verifier key holds 32 bytes after the type byte")
        }
        guard NoteKeyID.compute(name: name, type: raw[0], publicKey: key.rawRepresentation) == id else {
            throw NoteError(.badKey, "the key ID \(parts[1]) does not match the key")
        }
        self.name = name
        self.keyID = id
        self.publicKey = key
    }

    /// A verifier for `publicKey` under `name`.
    public init(name: String, publicKey: Ed25519PublicKey) {
        self.name = name
        self.publicKey = publicKey
        self.keyID = NoteKeyID.compute(name: name, type: NoteKeyID.ed25519, publicKey: publicKey.rawRepresentation)
    }

    /// The verifier key string.
    public var keyString: String {
        "\(name)+\(NoteKeyID.hex8(keyID))+\(Base64.encode([NoteKeyID.ed25519] + publicKey.rawRepresentation))"
    }
}

/// A note signer: an Ed25519 private key with its key name.
public struct NoteSigner: Sendable {
    /// The key name (for a log, its origin).
    public let name: String
    /// The private key.
    public let privateKey: Ed25519PrivateKey

    /// A signer for `privateKey` under `name`.
    /// - Throws: ``NoteError`` with code `badKey` for an invalid name.
    public init(name: String, privateKey: Ed25519PrivateKey) throws(NoteError) {
        guard NoteKeyID.isValidName(name) else { throw NoteError(.badKey, "invalid key name \"\(name)\"") }
        self.name = name
        self.privateKey = privateKey
    }

    /// Parses Go's private key string `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 ‖ seed)>`.
    /// - Throws: ``NoteError`` with code `badKey`.
    public init(keyString text: String) throws(NoteError) {
        let parts = text.trimmingSuffixNewline().split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY" else {
            throw NoteError(.badKey, "a signer key reads PRIVATE+KEY+name+keyid+key")
        }
        guard let raw = Base64.decode(parts[4]), raw.count == 33, raw[0] == NoteKeyID.ed25519,
            let key = try? Ed25519PrivateKey(seed: Array(raw.dropFirst()))
        else { throw NoteError(.badKey, "the signer key is not an Ed25519 seed in base64") }
        try self.init(name: String(parts[2]), privateKey: key)
        guard NoteKeyID.hex8(verifier.keyID) == parts[3] else {
            throw NoteError(.badKey, "the signer key ID \(parts[3]) does not match the key")
        }
    }

    /// The matching verifier.
    public var verifier: NoteVerifier { NoteVerifier(name: name, publicKey: privateKey.publicKey) }

    /// Go's private key string for this signer.
    public var keyString: String {
        "PRIVATE+KEY+\(name)+\(NoteKeyID.hex8(verifier.keyID))+\(Base64.encode([NoteKeyID.ed25519] + privateKey.seed))"
    }
}

extension String {
    func trimmingSuffixNewline() -> String {
        var text = self
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text
    }
}

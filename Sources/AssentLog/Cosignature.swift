public import AssentCrypto

/// A witness's verifier key (c2sp.org/tlog-cosignature, Ed25519, type 0x04):
/// `<name>+<8 hex key ID>+<base64(0x04 ‖ 32-byte public key)>`.
public struct WitnessKey: Sendable, Hashable {
    /// Cosignature/v1's signature type byte.
    static let cosignatureType: UInt8 = 0x04
    /// The witness's name, the name in its cosignature lines.
    public let name: String
    /// The key ID, SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[0:4].
    public let keyID: UInt32
    /// The Ed25519 public key.
    public let publicKey: Ed25519PublicKey

    /// Parses a witness verifier key, checking that its key ID matches.
    /// - Throws: ``NoteError`` `badKey` saying which part is wrong.
    public init(_ text: String) throws(NoteError) {
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, NoteKeyID.isValidName(String(parts[0])) else {
            throw NoteError(.badKey, "a witness key is name+keyid+key, with a name of no spaces or '+'")
        }
        guard parts[1].count == 8, parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
            let id = UInt32(parts[1], radix: 16)
        else { throw NoteError(.badKey, "the key ID must be 8 lowercase hex digits, not \"\(parts[1])\"") }
        guard let raw = Base64.decode(parts[2]), raw.count == 33, raw[0] == Self.cosignatureType,
            let key = try? Ed25519PublicKey(rawRepresentation: Array(raw.dropFirst()))
        else {
            throw NoteError(.badKey, "a witness key holds type 0x04 (cosignature/v1, Ed25519) and 32 key bytes")
        }
        guard
            NoteKeyID.compute(name: String(parts[0]), type: Self.cosignatureType, publicKey: key.rawRepresentation)
                == id
        else { throw NoteError(.badKey, "the key ID \(parts[1]) does not match the key") }
        name = String(parts[0])
        keyID = id
        publicKey = key
    }

    /// The key of `publicKey` under `name`.
    public init(name: String, publicKey: Ed25519PublicKey) {
        self.name = name
        self.publicKey = publicKey
        keyID = NoteKeyID.compute(name: name, type: Self.cosignatureType, publicKey: publicKey.rawRepresentation)
    }

    /// The key string.
    public var keyString: String {
        "\(name)+\(NoteKeyID.hex8(keyID))+\(Base64.encode([Self.cosignatureType] + publicKey.rawRepresentation))"
    }
}

/// Cosignatures (c2sp.org/tlog-cosignature/v1, Ed25519): a witness's statement "as of time T, the
/// largest consistent tree I have seen for this origin has this root", as a note signature line.
public enum Cosignature {
    /// The message a witness signs: `cosignature/v1\ntime <T>\n` and the checkpoint's text.
    static func message(body: String, timestamp: UInt64) -> [UInt8] {
        Array("cosignature/v1\ntime \(timestamp)\n\(body)".utf8)
    }

    /// The time of the cosignature by `key` among `note`'s signature lines, when one verifies over the
    /// note's text; nil when the note carries none by that key.
    /// - Throws: ``NoteError`` `badSignature` when a line by that key does not verify.
    public static func timestamp(in note: String, by key: WitnessKey) throws(NoteError) -> UInt64? {
        let parsed = try SignedNote(parsing: note)
        for signature in parsed.signatures where signature.name == key.name && signature.keyID == key.keyID {
            guard signature.signature.count == 72 else {
                throw NoteError(
                    .badSignature, "the cosignature by \(key.name) is not 8 time bytes and 64 signature bytes")
            }
            let timestamp = signature.signature.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard timestamp > 0, timestamp < 1 << 63,
                key.publicKey.isValidSignature(
                    Array(signature.signature.dropFirst(8)), for: message(body: parsed.text, timestamp: timestamp))
            else { throw NoteError(.badSignature, "the cosignature by \(key.name) does not verify") }
            return timestamp
        }
        return nil
    }

    /// `note` with the cosignature line `line` added (once) after its signatures.
    public static func adding(_ line: String, to note: String) -> String {
        let trimmed = line.hasSuffix("\n") ? line : line + "\n"
        return note.contains(trimmed) ? note : note + trimmed
    }
}

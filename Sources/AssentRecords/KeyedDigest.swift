internal import AssentCrypto
internal import AssentLog

/// Digests of personal text (attribution, consent evidence) as the log holds them: HMAC-SHA256 under a
/// key that lives only in the vault, written `hmac-sha256:<hex>`.
///
/// A plain SHA-256 of a name stays confirmable by guessing for ever; a keyed one stops being checkable
/// the moment its key is erased with the rest of the vault row. Attribution is keyed with its sample's
/// nonce, consent evidence with a random salt stored beside the evidence.
enum KeyedDigest {
    /// The prefix of a keyed digest on the log.
    static let prefix = "hmac-sha256:"
    /// A digest of the right length, for size estimates.
    static let placeholder = prefix + String(repeating: "0", count: 64)

    /// The keyed digest of `bytes` under `key`.
    static func of(_ bytes: [UInt8], key: [UInt8]) -> String {
        prefix + Hex.encode(HMACSHA256.authenticationCode(for: bytes, key: key))
    }

    /// The keyed digest of the UTF-8 text under `key`.
    static func of(_ text: String, key: [UInt8]) -> String { of(Array(text.utf8), key: key) }
}

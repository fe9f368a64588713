public import Foundation
internal import COpenSSL

/// An Ed25519 public key (RFC 8032), 32 raw bytes.
public struct Ed25519PublicKey: Sendable, Hashable {
    /// The 32-byte encoded point.
    public let rawRepresentation: [UInt8]
    private let key: EVPKey

    /// Creates a key from its 32 raw bytes.
    /// - Throws: ``CryptoError`` with code `invalidKey` when the bytes are not a valid key.
    public init(rawRepresentation: [UInt8]) throws {
        guard rawRepresentation.count == 32 else {
            throw CryptoError(.invalidKey, "an Ed25519 public key has 32 bytes, not \(rawRepresentation.count)")
        }
        let pointer = rawRepresentation.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32)
        }
        guard let pointer else { throw CryptoError.fromOpenSSL("invalid Ed25519 public key", code: .invalidKey) }
        self.rawRepresentation = rawRepresentation
        self.key = EVPKey(pointer)
    }

    /// Returns whether `signature` is a valid Ed25519 signature of `message` by this key.
    public func isValidSignature(_ signature: some ContiguousBytes, for message: some ContiguousBytes) -> Bool {
        let length = signature.withUnsafeBytes { $0.count }
        guard length == 64 else { return false }
        return key.verify(signature, for: message, digestName: nil)
    }

    /// Keys compare by their raw bytes.
    public static func == (lhs: Ed25519PublicKey, rhs: Ed25519PublicKey) -> Bool {
        lhs.rawRepresentation == rhs.rawRepresentation
    }

    /// Hashes the raw bytes.
    public func hash(into hasher: inout Hasher) { hasher.combine(rawRepresentation) }
}

/// An Ed25519 private key, held as its 32-byte seed; signatures are deterministic (RFC 8032).
public struct Ed25519PrivateKey: Sendable {
    /// The 32-byte seed from which the key is derived.
    public let seed: [UInt8]
    /// The matching public key.
    public let publicKey: Ed25519PublicKey
    private let key: EVPKey

    /// Creates a key from a 32-byte seed.
    /// - Throws: ``CryptoError`` with code `invalidKey` when the seed has the wrong length.
    public init(seed: [UInt8]) throws {
        guard seed.count == 32 else {
            throw CryptoError(.invalidKey, "an Ed25519 seed has 32 bytes, not \(seed.count)")
        }
        let pointer = seed.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32)
        }
        guard let pointer else { throw CryptoError.fromOpenSSL("invalid Ed25519 seed", code: .invalidKey) }
        let key = EVPKey(pointer)
        var publicBytes = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_public_key(pointer, &publicBytes, &length) == 1, length == 32 else {
            throw CryptoError.fromOpenSSL("cannot derive the Ed25519 public key", code: .invalidKey)
        }
        self.seed = seed
        self.key = key
        self.publicKey = try Ed25519PublicKey(rawRepresentation: publicBytes)
    }

    /// Generates a new key from secure random bytes.
    public static func generate() -> Ed25519PrivateKey {
        // A 32-byte seed is always a valid Ed25519 private key.
        try! Ed25519PrivateKey(seed: SecureRandom.bytes(count: 32))
    }

    /// Signs `message`, returning the 64-byte RFC 8032 signature.
    public func signature(for message: some ContiguousBytes) throws -> [UInt8] {
        try key.sign(message, digestName: nil)
    }
}

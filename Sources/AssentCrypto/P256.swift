public import Foundation
internal import COpenSSL

/// An ECDSA P-256 public key, read from and written as PEM SubjectPublicKeyInfo.
public struct P256PublicKey: Sendable {
    private let key: EVPKey

    init(key: EVPKey) { self.key = key }

    /// Reads a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) document.
    /// - Throws: ``CryptoError`` when the PEM is unreadable or the key is not on P-256.
    public init(pemRepresentation pem: String) throws {
        let key = try EVPKey.readPublicPEM(pem)
        guard assent_is_p256(key.pointer) == 1 else {
            throw CryptoError(.invalidKey, "the key is not an ECDSA P-256 key")
        }
        self.key = key
    }

    /// The key as a PEM `PUBLIC KEY` document, ending with a newline.
    public var pemRepresentation: String { get throws { try key.publicKeyPEM() } }

    /// The key as DER SubjectPublicKeyInfo bytes.
    public var derRepresentation: [UInt8] { get throws { try key.publicKeyDER() } }

    /// Returns whether the DER-encoded ECDSA `signature` over SHA-256(`message`) is valid.
    public func isValidSignature(_ signature: some ContiguousBytes, for message: some ContiguousBytes) -> Bool {
        key.verify(signature, for: message, digestName: "SHA256")
    }
}

/// An ECDSA P-256 private key; signatures are DER-encoded over SHA-256 of the message.
public struct P256PrivateKey: Sendable {
    private let key: EVPKey

    /// Generates a new key.
    public static func generate() throws -> P256PrivateKey {
        guard let pointer = assent_generate_p256() else { throw CryptoError.fromOpenSSL("cannot generate a P-256 key") }
        return P256PrivateKey(key: EVPKey(pointer))
    }

    private init(key: EVPKey) { self.key = key }

    /// Reads a PEM private key in PKCS#8 (`PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`) form.
    /// - Throws: ``CryptoError`` when the PEM is unreadable or the key is not on P-256.
    public init(pemRepresentation pem: String) throws {
        let key = try EVPKey.readPrivatePEM(pem)
        guard assent_is_p256(key.pointer) == 1 else {
            throw CryptoError(.invalidKey, "the key is not an ECDSA P-256 key")
        }
        self.key = key
    }

    /// The key as an unencrypted PKCS#8 PEM document.
    public var pemRepresentation: String { get throws { try key.privateKeyPEM() } }

    /// The public half.
    public var publicKey: P256PublicKey { P256PublicKey(key: key) }

    /// Signs SHA-256(`message`), returning a DER-encoded ECDSA signature.
    public func signature(for message: some ContiguousBytes) throws -> [UInt8] {
        try key.sign(message, digestName: "SHA256")
    }
}

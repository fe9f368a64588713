internal import Foundation
internal import COpenSSL

/// Owns one OpenSSL `EVP_PKEY` and frees it when released.
///
/// `@unchecked Sendable`: the key is never mutated after construction, and OpenSSL 3 allows
/// concurrent signing and verification with one `EVP_PKEY` from several threads.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }

    /// Signs `message` with `digestName` ("SHA256", or nil for Ed25519's pure mode).
    func sign(_ message: some ContiguousBytes, digestName: String?) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw CryptoError.fromOpenSSL("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        let initialised = EVP_DigestSignInit_ex(context, nil, digestName, nil, nil, pointer, nil)
        guard initialised == 1 else { throw CryptoError.fromOpenSSL("cannot start signing") }
        return try message.withUnsafeBytes { input -> [UInt8] in
            let bytes = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
            var length = 0
            guard EVP_DigestSign(context, nil, &length, bytes, input.count) == 1 else {
                throw CryptoError.fromOpenSSL("cannot size the signature")
            }
            var signature = [UInt8](repeating: 0, count: length)
            let ok = signature.withUnsafeMutableBufferPointer {
                EVP_DigestSign(context, $0.baseAddress, &length, bytes, input.count)
            }
            guard ok == 1 else { throw CryptoError.fromOpenSSL("signing failed") }
            return Array(signature.prefix(length))
        }
    }

    /// Returns whether `signature` is valid for `message`; any malformed input is simply invalid.
    func verify(_ signature: some ContiguousBytes, for message: some ContiguousBytes, digestName: String?) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context); ERR_clear_error() }
        guard EVP_DigestVerifyInit_ex(context, nil, digestName, nil, nil, pointer, nil) == 1 else { return false }
        return signature.withUnsafeBytes { sig in
            message.withUnsafeBytes { input in
                EVP_DigestVerify(
                    context, sig.baseAddress?.assumingMemoryBound(to: UInt8.self), sig.count,
                    input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count) == 1
            }
        }
    }

    /// Writes the public half as a PEM SubjectPublicKeyInfo document.
    func publicKeyPEM() throws -> String {
        try withMemoryBIO { bio in PEM_write_bio_PUBKEY(bio, pointer) == 1 }
    }

    /// Writes the private key as an unencrypted PKCS#8 PEM document.
    func privateKeyPEM() throws -> String {
        try withMemoryBIO { bio in PEM_write_bio_PrivateKey(bio, pointer, nil, nil, 0, nil, nil) == 1 }
    }

    /// Writes the public half as DER SubjectPublicKeyInfo.
    func publicKeyDER() throws -> [UInt8] {
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PUBKEY(pointer, &buffer)
        guard length > 0, let buffer else { throw CryptoError.fromOpenSSL("cannot encode the public key") }
        defer { CRYPTO_free(buffer, #file, #line) }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(length)))
    }

    /// Reads a PEM public key (SubjectPublicKeyInfo).
    static func readPublicPEM(_ pem: String) throws -> EVPKey {
        try readPEM(pem) { bio in PEM_read_bio_PUBKEY(bio, nil, nil, nil) }
    }

    /// Reads a PEM private key: PKCS#8 (`PRIVATE KEY`) or a traditional form such as SEC1 (`EC PRIVATE KEY`).
    static func readPrivatePEM(_ pem: String) throws -> EVPKey {
        try readPEM(pem) { bio in PEM_read_bio_PrivateKey(bio, nil, nil, nil) }
    }

    private static func readPEM(_ pem: String, _ read: (OpaquePointer) -> OpaquePointer?) throws -> EVPKey {
        let bytes = Array(pem.utf8)
        guard let bio = bytes.withUnsafeBytes({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }) else {
            throw CryptoError.fromOpenSSL("BIO_new_mem_buf")
        }
        defer { BIO_free(bio) }
        guard let key = read(bio) else { throw CryptoError.fromOpenSSL("not a readable PEM key", code: .invalidPEM) }
        return EVPKey(key)
    }

    private func withMemoryBIO(_ write: (OpaquePointer) -> Bool) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError.fromOpenSSL("BIO_new") }
        defer { BIO_free(bio) }
        guard write(bio) else { throw CryptoError.fromOpenSSL("cannot write PEM") }
        var data: UnsafeMutablePointer<CChar>? = nil
        let length = assent_bio_mem_data(bio, &data)
        guard length > 0, let data else { throw CryptoError.fromOpenSSL("empty PEM output") }
        let raw = UnsafeRawBufferPointer(start: data, count: length)
        return String(decoding: raw, as: UTF8.self)
    }
}

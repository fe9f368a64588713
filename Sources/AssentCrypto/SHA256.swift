public import Foundation
internal import COpenSSL

/// The SHA-256 algorithm object, fetched from OpenSSL once per process.
///
/// `EVP_MD` objects returned by `EVP_MD_fetch` are immutable and may be shared between threads.
private final class FetchedSHA256: @unchecked Sendable {
    let md: OpaquePointer

    init() {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else {
            preconditionFailure("OpenSSL has no SHA-256 implementation")
        }
        self.md = md
    }

    static let shared = FetchedSHA256()
}

/// SHA-256 (FIPS 180-4) over byte strings.
public enum SHA256 {
    /// The digest length in bytes.
    public static let byteCount = 32

    /// Returns the SHA-256 digest of `data` in one call.
    ///
    /// For many small inputs in a loop, reuse a ``SHA256Hasher`` instead: it keeps its context.
    public static func hash(_ data: some ContiguousBytes) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: byteCount)
        data.withUnsafeBytes { input in
            output.withUnsafeMutableBufferPointer { out in
                var length: UInt32 = 0
                let ok = EVP_Digest(
                    input.baseAddress, input.count, out.baseAddress, &length, FetchedSHA256.shared.md, nil)
                precondition(ok == 1, "EVP_Digest failed")
            }
        }
        return output
    }

    /// Returns the SHA-256 digest of a UTF-8 string.
    public static func hash(_ string: String) -> [UInt8] {
        hash(Array(string.utf8))
    }
}

/// A streaming SHA-256 context that can be reused for many digests.
///
/// It owns one context of OpenSSL's low-level SHA-256 interface and starts a new digest after every
/// ``finalize()``: no algorithm dispatch and no allocation per digest, which matters for the millions
/// of short Merkle inputs. Not thread-safe; use one per thread.
public final class SHA256Hasher {
    private let state: UnsafeMutablePointer<assent_sha256>

    /// Creates a hasher ready to take input.
    public init() {
        state = .allocate(capacity: 1)
        state.initialize(to: assent_sha256())
        assent_sha256_init(state)
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Discards any input and starts a new digest.
    public func reset() { assent_sha256_init(state) }

    /// Feeds bytes to the digest.
    public func update(_ data: some ContiguousBytes) {
        data.withUnsafeBytes { update(rawBuffer: $0) }
    }

    /// Feeds the bytes of a raw buffer to the digest.
    public func update(rawBuffer: UnsafeRawBufferPointer) {
        guard rawBuffer.count > 0 else { return }
        assent_sha256_update(state, rawBuffer.baseAddress, rawBuffer.count)
    }

    /// Feeds a single byte to the digest.
    public func update(byte: UInt8) {
        var value = byte
        assent_sha256_update(state, &value, 1)
    }

    /// Returns the digest of everything fed since the last reset, and resets the hasher.
    public func finalize() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: SHA256.byteCount) { buffer, count in
            assent_sha256_final(state, buffer.baseAddress)
            count = SHA256.byteCount
        }
    }

    /// Writes the digest of everything fed since the last reset to `output` (at least 32 bytes), without
    /// allocating, and resets the hasher.
    public func finalize(into output: UnsafeMutableRawPointer) {
        assent_sha256_final(state, output.assumingMemoryBound(to: UInt8.self))
    }

    /// Returns the digest of `data` alone, reusing this hasher's context.
    public func hash(_ data: some ContiguousBytes) -> [UInt8] {
        update(data)
        return finalize()
    }
}

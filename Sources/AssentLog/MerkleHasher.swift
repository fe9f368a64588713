public import Foundation
internal import AssentCrypto

/// RFC 6962 §2.1 hashing with SHA-256: leaf hashes, node hashes and the empty root.
///
/// Holds one reusable SHA-256 context, so it is fast in loops; not thread-safe, one per thread.
public final class MerkleHasher {
    private let hasher = SHA256Hasher()

    /// Creates a hasher.
    public init() {}

    /// The root of the empty tree, SHA-256 of the empty string.
    public static let emptyRoot: [UInt8] = SHA256.hash([UInt8]())

    /// SHA-256(0x00 ‖ `data`): the hash of a leaf holding `data`.
    public func leafHash(_ data: some ContiguousBytes) -> [UInt8] {
        hasher.update(byte: 0)
        hasher.update(data)
        return hasher.finalize()
    }

    /// SHA-256(0x01 ‖ `left` ‖ `right`): the hash of an interior node.
    public func nodeHash(_ left: some ContiguousBytes, _ right: some ContiguousBytes) -> [UInt8] {
        hasher.update(byte: 1)
        hasher.update(left)
        hasher.update(right)
        return hasher.finalize()
    }

    /// Writes SHA-256(0x01 ‖ `left` ‖ `right`) into `output` (32 bytes) without allocating.
    func nodeHash(
        left: UnsafeRawBufferPointer, right: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) {
        hasher.update(byte: 1)
        hasher.update(rawBuffer: left)
        hasher.update(rawBuffer: right)
        let digest = hasher.finalize()
        digest.withUnsafeBytes { output.copyMemory(from: $0) }
    }
}

/// Tree-shape arithmetic shared by proof generation and verification (RFC 6962 §2.1).
enum TreeMath {
    /// The largest power of two strictly less than `n` (n > 1).
    static func splitPoint(_ n: UInt64) -> UInt64 {
        precondition(n > 1)
        return UInt64(1) << (63 - UInt64((n - 1).leadingZeroBitCount))
    }

    /// The number of bits needed to write `value`.
    static func bitLength(_ value: UInt64) -> Int { 64 - value.leadingZeroBitCount }

    /// The exact length of an inclusion proof for `index` in a tree of `size` leaves.
    static func inclusionProofLength(index: UInt64, size: UInt64) -> Int {
        let inner = bitLength(index ^ (size - 1))
        let border = (index >> UInt64(inner)).nonzeroBitCount
        return inner + border
    }
}

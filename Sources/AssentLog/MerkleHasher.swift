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
        hasher.finalize(into: output.baseAddress!)
    }

    /// Writes SHA-256(0x00 ‖ `data`) into `output` (32 bytes) without allocating.
    public func leafHash(_ data: UnsafeRawBufferPointer, into output: UnsafeMutableRawPointer) {
        hasher.update(byte: 0)
        hasher.update(rawBuffer: data)
        hasher.finalize(into: output)
    }

    /// The RFC 6962 root of the leaf hashes in `flat` (32 bytes each, concatenated), computed level by
    /// level in place (an odd last node moves up unchanged), without building a tree.
    public func root(ofFlatLeafHashes flat: [UInt8]) -> [UInt8] {
        precondition(flat.count % 32 == 0, "leaf hashes are 32 bytes each")
        var level = flat
        var count = flat.count / 32
        guard count > 0 else { return Self.emptyRoot }
        level.withUnsafeMutableBytes { buffer in
            while count > 1 {
                for pair in 0..<count / 2 {
                    let left = UnsafeRawBufferPointer(rebasing: buffer[pair * 64..<pair * 64 + 32])
                    let right = UnsafeRawBufferPointer(rebasing: buffer[pair * 64 + 32..<pair * 64 + 64])
                    // The output overlaps only inputs already consumed by the time the digest is written.
                    nodeHash(
                        left: left, right: right,
                        into: UnsafeMutableRawBufferPointer(rebasing: buffer[pair * 32..<pair * 32 + 32]))
                }
                if count % 2 == 1 {
                    let last = (count - 1) * 32
                    (buffer.baseAddress! + count / 2 * 32).copyMemory(from: buffer.baseAddress! + last, byteCount: 32)
                }
                count = (count + 1) / 2
            }
        }
        return Array(level[0..<32])
    }

    /// The RFC 6962 inclusion proof (PATH) of leaf `index` among the leaf hashes in `flat`, each sibling
    /// subtree reduced with ``root(ofFlatLeafHashes:)``: every leaf hash is read once, no tree is kept.
    public func inclusionProof(index: Int, ofFlatLeafHashes flat: [UInt8]) -> [[UInt8]] {
        precondition(flat.count % 32 == 0 && index >= 0 && index < flat.count / 32, "index outside the tree")
        var proof: [[UInt8]] = []
        var start = 0
        var end = flat.count / 32
        var target = index
        while end - start > 1 {
            let split = Int(TreeMath.splitPoint(UInt64(end - start)))
            if target < split {
                proof.append(root(ofFlatLeafHashes: Array(flat[(start + split) * 32..<end * 32])))
                end = start + split
            } else {
                proof.append(root(ofFlatLeafHashes: Array(flat[start * 32..<(start + split) * 32])))
                start += split
                target -= split
            }
        }
        return proof.reversed()
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

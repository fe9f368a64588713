/// Proof verification exactly as RFC 9162 §2.1.3.2 and §2.1.4.2 specify.
///
/// These functions are pure and take everything from their arguments, so the same code checks
/// our own proofs and proofs handed in from outside.
public enum MerkleVerification {
    /// Returns whether `proof` shows that `leafHash` is leaf `index` of the tree of `size` with `root`.
    ///
    /// Rejects an index outside the tree, a proof of the wrong length and any hash that is not 32 bytes.
    public static func verifyInclusion(
        index: UInt64, size: UInt64, leafHash: [UInt8], proof: [[UInt8]], root: [UInt8]
    ) -> Bool {
        guard index < size, leafHash.count == 32, root.count == 32 else { return false }
        guard proof.allSatisfy({ $0.count == 32 }) else { return false }
        guard proof.count == TreeMath.inclusionProofLength(index: index, size: size) else { return false }
        let hasher = MerkleHasher()
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in proof {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = hasher.nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = hasher.nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Returns whether `proof` shows that the tree (`size1`, `root1`) is a prefix of (`size2`, `root2`).
    ///
    /// Strict, as transparency-dev/merkle is: `size1 == 0` is rejected (handle the empty tree in the
    /// protocol layer), and equal sizes need an empty proof and equal roots.
    public static func verifyConsistency(
        size1: UInt64, size2: UInt64, root1: [UInt8], root2: [UInt8], proof: [[UInt8]]
    ) -> Bool {
        guard size1 <= size2, size1 > 0, root1.count == 32, root2.count == 32 else { return false }
        guard proof.allSatisfy({ $0.count == 32 }) else { return false }
        if size1 == size2 { return proof.isEmpty && root1 == root2 }
        guard !proof.isEmpty else { return false }
        var path = proof
        if size1.nonzeroBitCount == 1 { path.insert(root1, at: 0) }
        let hasher = MerkleHasher()
        var fn = size1 - 1
        var sn = size2 - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = hasher.nodeHash(c, fr)
                sr = hasher.nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = hasher.nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == root1 && sr == root2 && sn == 0
    }
}

@testable import AssentLog
import Testing

// For every (index, size) and (size1, size2) up to 64: generated proofs verify, and every single-bit
// change of a proof hash, a dropped or added hash, a wrong index or a wrong size (with that size's
// root, as its checkpoint carries it) is rejected.
@Suite struct ExhaustiveProofTests {
    static let maximum: UInt64 = 64
    static let leaves: [[UInt8]] = (0..<maximum).map { MerkleHasher().leafHash([UInt8(truncatingIfNeeded: $0), 0xAB]) }
    static let roots: [[UInt8]] = (0...Int(maximum)).map { referenceRoot(leaves[0..<$0]) }

    static func singleBitChanges(of proof: [[UInt8]]) -> [[[UInt8]]] {
        var result: [[[UInt8]]] = []
        for position in proof.indices {
            for bit in 0..<256 {
                var changed = proof
                changed[position][bit / 8] ^= 1 << UInt8(bit % 8)
                result.append(changed)
            }
        }
        return result
    }

    @Test(arguments: 1...maximum) func inclusion(size: UInt64) throws {
        let generator = MerkleProofGenerator(source: InMemoryTree(leafHashes: Self.leaves))
        let root = Self.roots[Int(size)]
        #expect(try generator.root(size: size) == root)
        for index in 0..<size {
            let leaf = Self.leaves[Int(index)]
            let proof = try generator.inclusionProof(index: index, size: size)
            #expect(
                MerkleVerification.verifyInclusion(index: index, size: size, leafHash: leaf, proof: proof, root: root))
            for changed in Self.singleBitChanges(of: proof) {
                #expect(
                    !MerkleVerification.verifyInclusion(
                        index: index, size: size, leafHash: leaf, proof: changed, root: root))
            }
            if !proof.isEmpty {
                #expect(
                    !MerkleVerification.verifyInclusion(
                        index: index, size: size, leafHash: leaf, proof: Array(proof.dropLast()), root: root))
                #expect(
                    !MerkleVerification.verifyInclusion(
                        index: index, size: size, leafHash: leaf, proof: Array(proof.dropFirst()), root: root))
            }
            #expect(
                !MerkleVerification.verifyInclusion(
                    index: index, size: size, leafHash: leaf, proof: proof + [root], root: root))
            #expect(
                !MerkleVerification.verifyInclusion(
                    index: index, size: size, leafHash: leaf, proof: [root] + proof, root: root))
            for other in 0..<size + 1 where other != index {
                #expect(
                    !MerkleVerification.verifyInclusion(
                        index: other, size: size, leafHash: leaf, proof: proof, root: root))
            }
            // A wrong size is checked against that size's own root, as a checkpoint would carry it.
            for otherSize in 1...Self.maximum where otherSize != size {
                let otherRoot = Self.roots[Int(otherSize)]
                #expect(
                    !MerkleVerification.verifyInclusion(
                        index: index, size: otherSize, leafHash: leaf, proof: proof, root: otherRoot))
            }
        }
    }

    @Test(arguments: 1...maximum) func consistency(newSize: UInt64) throws {
        let generator = MerkleProofGenerator(source: InMemoryTree(leafHashes: Self.leaves))
        let root2 = Self.roots[Int(newSize)]
        for oldSize in 1...newSize {
            let root1 = Self.roots[Int(oldSize)]
            let proof = try generator.consistencyProof(oldSize: oldSize, newSize: newSize)
            #expect(
                MerkleVerification.verifyConsistency(
                    size1: oldSize, size2: newSize, root1: root1, root2: root2, proof: proof))
            for changed in Self.singleBitChanges(of: proof) {
                #expect(
                    !MerkleVerification.verifyConsistency(
                        size1: oldSize, size2: newSize, root1: root1, root2: root2, proof: changed))
            }
            if !proof.isEmpty {
                #expect(
                    !MerkleVerification.verifyConsistency(
                        size1: oldSize, size2: newSize, root1: root1, root2: root2, proof: Array(proof.dropLast())))
                #expect(
                    !MerkleVerification.verifyConsistency(
                        size1: oldSize, size2: newSize, root1: root1, root2: root2, proof: Array(proof.dropFirst())))
            }
            #expect(
                !MerkleVerification.verifyConsistency(
                    size1: oldSize, size2: newSize, root1: root1, root2: root2, proof: proof + [root1]))
            for otherOld in 1...newSize where otherOld != oldSize {
                let otherRoot = Self.roots[Int(otherOld)]
                #expect(
                    !MerkleVerification.verifyConsistency(
                        size1: otherOld, size2: newSize, root1: otherRoot, root2: root2, proof: proof))
            }
            for otherNew in oldSize...Self.maximum where otherNew != newSize {
                let otherRoot = Self.roots[Int(otherNew)]
                #expect(
                    !MerkleVerification.verifyConsistency(
                        size1: oldSize, size2: otherNew, root1: root1, root2: otherRoot, proof: proof))
            }
        }
    }

    // The level-by-level root over flat hashes (snapshots use it) equals RFC 6962's recursive definition
    // for every size up to 1,030 leaves, across the powers of two and tile boundaries.
    @Test func flatRootsMatchTheRecursiveDefinition() {
        let hasher = MerkleHasher()
        let leaves = (0..<1030).map { hasher.leafHash([UInt8($0 & 0xff), UInt8($0 >> 8), 0x5A]) }
        for size in 0...leaves.count {
            let flat = leaves[0..<size].flatMap { $0 }
            #expect(hasher.root(ofFlatLeafHashes: flat) == referenceRoot(leaves[0..<size]), "size \(size)")
        }
    }

    // Inclusion proofs over flat hashes (snapshot membership proofs use them) equal the tree's, for
    // every (index, size) up to 64, and verify.
    @Test(arguments: 1...maximum) func flatInclusionProofsMatchTheTree(size: UInt64) throws {
        let hasher = MerkleHasher()
        let flat = Self.leaves[0..<Int(size)].flatMap { $0 }
        let tree = InMemoryTree()
        for leaf in Self.leaves[0..<Int(size)] { tree.append(leafHash: leaf) }
        let generator = MerkleProofGenerator(source: tree)
        for index in 0..<size {
            let proof = hasher.inclusionProof(index: Int(index), ofFlatLeafHashes: flat)
            #expect(proof == (try generator.inclusionProof(index: index, size: size)), "index \(index), size \(size)")
            #expect(
                MerkleVerification.verifyInclusion(
                    index: index, size: size, leafHash: Self.leaves[Int(index)], proof: proof,
                    root: Self.roots[Int(size)]))
        }
    }

    // Tiles: a tree large enough to fill stratum-0 tiles and reach stratum 1 gives the reference root.
    @Test func rootsAcrossTileBoundaries() throws {
        let hasher = MerkleHasher()
        let leaves = (0..<1030).map { hasher.leafHash([UInt8($0 & 0xff), UInt8($0 >> 8)]) }
        let tree = InMemoryTree()
        let generator = MerkleProofGenerator(source: tree)
        for (count, leaf) in leaves.enumerated() {
            tree.append(leafHash: leaf)
            if [1, 255, 256, 257, 511, 512, 513, 1024, 1029].contains(count + 1) {
                let reference = referenceRoot(leaves[0...count])
                #expect(tree.root == reference, "edge root at \(count + 1)")
                #expect(try generator.root(size: UInt64(count + 1)) == reference, "stored root at \(count + 1)")
            }
        }
        for index: UInt64 in [0, 255, 256, 700, 1029] {
            let proof = try generator.inclusionProof(index: index, size: 1030)
            #expect(
                MerkleVerification.verifyInclusion(
                    index: index, size: 1030, leafHash: leaves[Int(index)], proof: proof, root: tree.root))
        }
        let consistency = try generator.consistencyProof(oldSize: 300, newSize: 1030)
        #expect(
            MerkleVerification.verifyConsistency(
                size1: 300, size2: 1030, root1: referenceRoot(leaves[0..<300]), root2: tree.root, proof: consistency))
    }
}

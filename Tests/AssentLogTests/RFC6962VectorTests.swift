@testable import AssentLog
import Testing

// Vectors from shared/reference/transparency-log.md §3.1–3.4, which cites transparency-dev/merkle
// rfc6962/rfc6962_test.go, testonly/constants.go and cmd/proofgen (converted to 0-based indices).
@Suite struct RFC6962VectorTests {
    static let leafInputs = [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    ]
    static let leafHashes = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ]
    static let roots = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    func tree(size: Int) -> InMemoryTree {
        let hasher = MerkleHasher()
        return InMemoryTree(leafHashes: Self.leafInputs.prefix(size).map { hasher.leafHash(unhex($0)) })
    }

    @Test func hasherPrimitives() {
        let hasher = MerkleHasher()
        #expect(hex(MerkleHasher.emptyRoot) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(hasher.leafHash([UInt8]())) == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        #expect(
            hex(hasher.leafHash(Array("L123456".utf8)))
                == "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56")
        #expect(
            hex(hasher.nodeHash(Array("N123".utf8), Array("N456".utf8)))
                == "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb")
    }

    @Test func leafHashesAndNodes() throws {
        let hasher = MerkleHasher()
        for (input, expected) in zip(Self.leafInputs, Self.leafHashes) {
            #expect(hex(hasher.leafHash(unhex(input))) == expected)
        }
        let full = tree(size: 8)
        #expect(
            hex(try full.hash(level: 1, index: 0)) == "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"
        )
        #expect(
            hex(try full.hash(level: 1, index: 3)) == "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
        )
        #expect(
            hex(try full.hash(level: 2, index: 1)) == "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
        )
        #expect(
            hex(try full.hash(level: 3, index: 0)) == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
        )
    }

    @Test(arguments: 0...8) func prefixRoots(size: Int) throws {
        let tree = tree(size: size)
        #expect(hex(tree.root) == Self.roots[size], "incremental root")
        #expect(
            hex(try MerkleProofGenerator(source: tree).root(size: UInt64(size))) == Self.roots[size],
            "root from subtrees")
    }

    static let inclusion: [(index: UInt64, size: UInt64, proof: [String])] = [
        (0, 1, []),
        (
            0, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        ),
        (
            5, 8,
            [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        ),
        (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        (
            1, 5,
            [
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        ),
    ]

    @Test(arguments: inclusion) func inclusionProofs(vector: (index: UInt64, size: UInt64, proof: [String])) throws {
        let tree = tree(size: Int(vector.size))
        let proof = try MerkleProofGenerator(source: tree).inclusionProof(index: vector.index, size: vector.size)
        #expect(proof.map(hex) == vector.proof)
        let leaf = unhex(Self.leafHashes[Int(vector.index)])
        #expect(
            MerkleVerification.verifyInclusion(
                index: vector.index, size: vector.size, leafHash: leaf, proof: proof,
                root: unhex(Self.roots[Int(vector.size)])))
    }

    static let consistency: [(old: UInt64, new: UInt64, proof: [String])] = [
        (1, 1, []),
        (
            1, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        ),
        (
            6, 8,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        ),
        (
            2, 5,
            [
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        ),
        (
            6, 7,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        ),
        (
            3, 7,
            [
                "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
                "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
                "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e",
            ]
        ),
        (4, 7, ["837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"]),
    ]

    @Test(arguments: consistency) func consistencyProofs(vector: (old: UInt64, new: UInt64, proof: [String])) throws {
        let tree = tree(size: Int(vector.new))
        let proof = try MerkleProofGenerator(source: tree).consistencyProof(oldSize: vector.old, newSize: vector.new)
        #expect(proof.map(hex) == vector.proof)
        #expect(
            MerkleVerification.verifyConsistency(
                size1: vector.old, size2: vector.new, root1: unhex(Self.roots[Int(vector.old)]),
                root2: unhex(Self.roots[Int(vector.new)]), proof: proof))
    }

    @Test func emptyTreeConsistencyIsRejectedAtTheLowLevel() {
        #expect(
            !MerkleVerification.verifyConsistency(
                size1: 0, size2: 0, root1: MerkleHasher.emptyRoot, root2: MerkleHasher.emptyRoot, proof: []))
    }
}

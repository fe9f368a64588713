@testable import AssentLog
import Foundation

func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }
func unhex(_ text: String) -> [UInt8] { Hex.decode(text)! }

/// Tree hashes held in memory, built by the same tile code the ledger stores, for proofs over
/// arbitrary leaves such as the published vectors.
final class InMemoryTree: SubtreeHashSource {
    private(set) var tiles: [Int64: TreeTile] = [:]
    private var edge = TreeEdge(size: 0, tiles: [])
    private let hasher = MerkleHasher()

    init(leafHashes: [[UInt8]] = []) {
        for leaf in leafHashes { append(leafHash: leaf) }
    }

    var size: UInt64 { edge.size }

    func append(leafHash: [UInt8]) {
        edge.append(leafHash: leafHash, hasher: hasher) {
            tiles[LedgerSchema.tileID(stratum: $0.stratum, index: $0.index)] = $0
        }
    }

    func hash(level: Int, index: UInt64) throws -> [UInt8] {
        if let partial = edge.hash(level: level, index: index) { return partial }
        let location = TreeTile.location(level: level, index: index)
        guard let tile = tiles[LedgerSchema.tileID(stratum: location.stratum, index: location.tile)] else {
            throw LedgerError(.notFound, "no tile")
        }
        return tile.hash(slot: location.slot)
    }

    var root: [UInt8] { edge.root(hasher: hasher) }
}

/// The Merkle Tree Hash of the given leaf hashes, computed directly from RFC 6962's recursive
/// definition, as the reference.
func referenceRoot(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
    let hasher = MerkleHasher()
    if leaves.isEmpty { return MerkleHasher.emptyRoot }
    if leaves.count == 1 { return leaves.first! }
    var split = 1
    while split * 2 < leaves.count { split *= 2 }
    let start = leaves.startIndex
    return hasher.nodeHash(referenceRoot(leaves[start..<start + split]), referenceRoot(leaves[(start + split)...]))
}

/// A fresh temporary folder, removed by the caller.
func temporaryFolder() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("assent-test-\(UUID().uuidString)")
    return url
}

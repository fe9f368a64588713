/// An RFC 6962 tree held in memory, built with the same tile code the ledger stores, for trees that
/// live outside the log (snapshot members) and for tests.
public final class MemoryMerkleTree: SubtreeHashSource {
    private var tiles: [Int64: TreeTile] = [:]
    private var edge = TreeEdge(size: 0, tiles: [])
    private let hasher = MerkleHasher()

    /// A tree of the given leaf hashes.
    public init(leafHashes: [[UInt8]] = []) {
        for leaf in leafHashes { append(leafHash: leaf) }
    }

    /// A tree whose leaves are `leaves` (raw bytes, hashed as RFC 6962 leaves).
    public convenience init(leaves: [[UInt8]]) {
        let hasher = MerkleHasher()
        self.init(leafHashes: leaves.map { hasher.leafHash($0) })
    }

    /// The number of leaves.
    public var size: UInt64 { edge.size }

    /// Appends one leaf hash.
    public func append(leafHash: [UInt8]) {
        edge.append(leafHash: leafHash, hasher: hasher) {
            tiles[LedgerSchema.tileID(stratum: $0.stratum, index: $0.index)] = $0
        }
    }

    /// The hash of a complete perfect subtree.
    public func hash(level: Int, index: UInt64) throws -> [UInt8] {
        if let partial = edge.hash(level: level, index: index) { return partial }
        let location = TreeTile.location(level: level, index: index)
        guard let tile = tiles[LedgerSchema.tileID(stratum: location.stratum, index: location.tile)] else {
            throw LedgerError(.notFound, "no subtree at level \(level), index \(index)")
        }
        return tile.hash(slot: location.slot)
    }

    /// The root hash (SHA-256 of the empty string for an empty tree).
    public var root: [UInt8] { edge.root(hasher: hasher) }

    /// The inclusion proof of leaf `index`.
    public func inclusionProof(index: UInt64) throws -> [[UInt8]] {
        try MerkleProofGenerator(source: self).inclusionProof(index: index, size: size)
    }
}

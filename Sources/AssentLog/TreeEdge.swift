/// The right edge of the tree: the one partly filled tile of each stratum, enough to append and to
/// compute the root without reading anything else.
///
/// Appending a leaf hash fills stratum 0; a tile that becomes full is handed to `onFullTile` and its
/// hash is appended to the next stratum up. Used by the writer (which stores what it is handed) and by
/// the verifier (which compares it with what is stored).
struct TreeEdge {
    /// The number of leaves.
    private(set) var size: UInt64
    /// The partial tile of each stratum, indexed by stratum; nil where a stratum has none.
    private var partial: [TreeTile?] = Array(repeating: nil, count: 8)

    /// The partial tiles, lowest stratum first.
    var tiles: [TreeTile] { partial.compactMap { $0 } }

    /// An edge for a tree of `size` leaves whose partial tiles are `tiles`.
    init(size: UInt64, tiles: [TreeTile]) {
        self.size = size
        for tile in tiles { partial[tile.stratum] = tile }
    }

    /// Where the partial tile of each stratum is, for a tree of `size` leaves: (stratum, tile index, filled).
    static func partialTiles(size: UInt64) -> [(stratum: Int, index: UInt64, filled: Int)] {
        var result: [(Int, UInt64, Int)] = []
        var stratum = 0
        while stratum < 8 && (size >> UInt64(8 * stratum)) > 0 {
            let filled = Int((size >> UInt64(8 * stratum)) & 255)
            if filled > 0 { result.append((stratum, size >> UInt64(8 * stratum + 8), filled)) }
            stratum += 1
        }
        return result
    }

    /// Appends one leaf hash.
    mutating func append(leafHash: [UInt8], hasher: MerkleHasher, onFullTile: (TreeTile) throws -> Void) rethrows {
        var hash = leafHash
        var stratum = 0
        while true {
            if partial[stratum] == nil {
                partial[stratum] = TreeTile(stratum: stratum, index: (size >> UInt64(8 * stratum)) >> 8)
            }
            // Mutated in place: copying the 16 KiB tile out and back would cost a copy per append.
            guard let full = partial[stratum]!.append(hash, hasher: hasher) else { break }
            try onFullTile(partial[stratum]!)
            partial[stratum] = nil
            hash = full
            stratum += 1
        }
        size += 1
    }

    /// The hash of the perfect subtree at binary `level` and `index`, if it lies in a partial tile.
    func hash(level: Int, index: UInt64) -> [UInt8]? {
        let location = TreeTile.location(level: level, index: index)
        guard let tile = partial[location.stratum], tile.index == location.tile else { return nil }
        return tile.hash(slot: location.slot)
    }

    /// The current root: the perfect subtrees named by the bits of `size`, folded from the right.
    func root(hasher: MerkleHasher) -> [UInt8] {
        guard size > 0 else { return MerkleHasher.emptyRoot }
        var parts: [[UInt8]] = []
        for level in stride(from: 63, through: 0, by: -1) where (size >> UInt64(level)) & 1 == 1 {
            guard let hash = hash(level: level, index: (size >> UInt64(level)) - 1) else {
                preconditionFailure("the right edge lacks the subtree at level \(level)")
            }
            parts.append(hash)
        }
        var result = parts.removeLast()
        while let left = parts.popLast() { result = hasher.nodeHash(left, result) }
        return result
    }
}

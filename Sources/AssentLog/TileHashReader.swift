internal import AssentStorage

/// Reads perfect-subtree hashes from the stored tiles, caching the rows it has read.
///
/// Use one reader per read transaction: partial tiles change between transactions.
final class TileHashReader: SubtreeHashSource {
    private let database: Database
    private var cache: [Int64: TreeTile] = [:]

    init(database: Database) { self.database = database }

    func hash(level: Int, index: UInt64) throws -> [UInt8] {
        let location = TreeTile.location(level: level, index: index)
        let tile = try self.tile(stratum: location.stratum, index: location.tile)
        guard let tile, location.slot * 32 + 32 <= tile.slots.count else {
            throw LedgerError(.storage, "the tree has no stored hash at level \(level), index \(index)")
        }
        return tile.hash(slot: location.slot)
    }

    /// The stored tile, or nil when there is none.
    func tile(stratum: Int, index: UInt64) throws -> TreeTile? {
        let id = LedgerSchema.tileID(stratum: stratum, index: index)
        if let cached = cache[id] { return cached }
        let row = try database.withStatement("SELECT filled, hashes FROM tree_tiles WHERE id = ?") { statement in
            try statement.bind([.integer(id)])
            return try statement.step() ? (statement.integer(0), statement.blob(1)) : nil
        }
        guard let (filled, slots) = row else { return nil }
        guard slots.count == TreeTile.byteCount else {
            throw LedgerError(
                .verificationFailed, "tree tile \(stratum)/\(index) has \(slots.count) bytes, not \(TreeTile.byteCount)"
            )
        }
        let tile = TreeTile(stratum: stratum, index: index, filled: Int(filled), slots: slots)
        if cache.count > 64 { cache.removeAll(keepingCapacity: true) }
        cache[id] = tile
        return tile
    }
}

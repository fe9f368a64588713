internal import Foundation
internal import AssentCrypto
public import AssentLog
internal import AssentStorage

/// Proof tiles: a snapshot's leaves in groups of 256 in leaf order (`snapshot_tiles`, keyed by each
/// tile's first commitment) and the hashes of every complete subtree over the tiles (`snapshot_trees`).
/// A membership or non-membership proof then reads one or two tiles and O(log n) stored hashes
/// instead of re-hashing the whole snapshot. The tiles derive from the members and are checked by
/// every proof made from them (it must lead to the logged root); a snapshot cut before they existed
/// gets them on its first proof.
extension SnapshotStore {
    /// Leaves per tile; a tile's hash is the RFC 6962 root of its leaves, so the tree over the tiles
    /// has the snapshot's root.
    static let tileSize = 256

    /// Stores the proof tiles of a snapshot's member records (in leaf order), given their tiles' hashes.
    func saveTiles(seq: UInt64, records: [MemberRecord], tileHashes: [UInt8], connection: Database) throws {
        let hasher = MerkleHasher()
        let tiles = (records.count + Self.tileSize - 1) / Self.tileSize
        var blob: [UInt8] = []
        blob.reserveCapacity(Self.tileSize * MemberTable.recordSize)
        for tile in 0..<tiles {
            let range = tile * Self.tileSize..<min(records.count, (tile + 1) * Self.tileSize)
            blob.removeAll(keepingCapacity: true)
            MemberTable.encode(records[range], into: &blob)
            try connection.run(
                "INSERT INTO snapshot_tiles (snapshot, first, tile, members) VALUES (?, ?, ?, ?)",
                [
                    .integer(Int64(seq)), .blob(records[range.lowerBound].commitment.bytes), .integer(Int64(tile)),
                    .blob(blob),
                ]
            )
        }
        try connection.run(
            "INSERT INTO snapshot_trees (snapshot, tiles, nodes) VALUES (?, ?, ?)",
            [
                .integer(Int64(seq)), .integer(Int64(tiles)),
                .blob(Self.completeSubtreeLevels(tileHashes, hasher: hasher)),
            ])
    }

    /// Every complete subtree hash over `level0` (32-byte hashes, concatenated): level 0 itself, then
    /// the hashes of each complete pair, and so on up; an odd last node has no parent at its level.
    static func completeSubtreeLevels(_ level0: [UInt8], hasher: MerkleHasher) -> [UInt8] {
        var all = level0
        var level = level0
        while level.count >= 64 {
            var next: [UInt8] = []
            next.reserveCapacity(level.count / 64 * 32)
            for pair in 0..<level.count / 64 {
                next += hasher.nodeHash(level[pair * 64..<pair * 64 + 32], level[pair * 64 + 32..<pair * 64 + 64])
            }
            all += next
            level = next
        }
        return all
    }

    /// The membership or non-membership proof of `commitment` in `snapshot`, from its proof tiles
    /// (built and stored first if the snapshot has none). The same document as ``SnapshotProof/make``
    /// over all members.
    /// - Throws: ``RecordsError`` `conflict` when the stored tiles do not lead to the snapshot's root
    ///   even after being rebuilt.
    public func prove(_ snapshot: Snapshot, commitment: [UInt8]) throws -> JSONObject {
        if try !hasTiles(snapshot) { try rebuildTiles(snapshot) }
        if let proof = try? proofFromTiles(snapshot, commitment: commitment),
            (try? SnapshotProof.verify(proof, root: snapshot.root, size: UInt64(snapshot.count))) != nil
        {
            return proof
        }
        // Tiles that do not lead to the root were damaged: rebuild them from the members, once.
        try rebuildTiles(snapshot)
        let proof = try proofFromTiles(snapshot, commitment: commitment)
        guard (try? SnapshotProof.verify(proof, root: snapshot.root, size: UInt64(snapshot.count))) != nil else {
            throw RecordsError(
                .conflict, "snapshot \(snapshot.id): its stored members do not lead to its root; run assent log verify")
        }
        return proof
    }

    /// Whether the snapshot's proof tiles are stored.
    func hasTiles(_ snapshot: Snapshot) throws -> Bool {
        try store.database.withStatement("SELECT 1 FROM snapshot_trees WHERE snapshot = ?") { statement in
            try statement.bind([.integer(Int64(snapshot.seq))])
            return try statement.step()
        }
    }

    /// Replaces a snapshot's proof tiles with ones computed from its stored members.
    private func rebuildTiles(_ snapshot: Snapshot) throws {
        var (table, shards) = try storedShards(snapshot)
        table.records = Self.merge(shards)
        let tileHashes = SnapshotContents.tileHashes(
            ofFlatLeafHashes: SnapshotContents.flatLeafHashes(table.records, table: table))
        let connection = store.database
        try connection.writeTransaction {
            try connection.run("DELETE FROM snapshot_tiles WHERE snapshot = ?", [.integer(Int64(snapshot.seq))])
            try connection.run("DELETE FROM snapshot_trees WHERE snapshot = ?", [.integer(Int64(snapshot.seq))])
            try saveTiles(seq: snapshot.seq, records: table.records, tileHashes: tileHashes, connection: connection)
        }
    }

    /// A tile's members, in leaf order.
    private struct Tile {
        var index: Int
        var members: [SnapshotMember]
    }

    /// The proof document, built from the tile that would hold `commitment` and its neighbour.
    private func proofFromTiles(_ snapshot: Snapshot, commitment: [UInt8]) throws -> JSONObject {
        let pairs = try self.pairs(of: snapshot)
        let (tileCount, nodes) = try store.database.withStatement(
            "SELECT tiles, nodes FROM snapshot_trees WHERE snapshot = ?"
        ) { statement -> (Int, [UInt8]) in
            try statement.bind([.integer(Int64(snapshot.seq))])
            guard try statement.step() else { throw RecordsError(.notFound, "snapshot \(snapshot.id) has no tiles") }
            return (Int(statement.integer(0)), statement.blob(1))
        }
        let upper = MerkleProofGenerator(source: StoredSubtreeHashes(nodes: nodes, leaves: UInt64(tileCount)))
        func tile(_ sql: String, _ values: [SQLValue]) throws -> Tile? {
            try store.database.withStatement(sql) { statement in
                try statement.bind(values)
                guard try statement.step() else { return nil }
                let index = Int(statement.integer(0))
                var members: [SnapshotMember] = []
                statement.withBlob(1) { blob in
                    var offset = 0
                    while offset + 36 <= blob.count {
                        let pair =
                            Int(blob[offset + 32]) | Int(blob[offset + 33]) << 8 | Int(blob[offset + 34]) << 16
                            | Int(blob[offset + 35]) << 24
                        let (consent, license) = pair < pairs.count ? pairs[pair] : (nil, "")
                        members.append(
                            SnapshotMember(
                                commitment: Array(blob[offset..<offset + 32]), consent: consent, license: license,
                                shard: 0))
                        offset += 36
                    }
                }
                return Tile(index: index, members: members)
            }
        }
        let seq = SQLValue.integer(Int64(snapshot.seq))
        let containing =
            try tile(
                "SELECT tile, members FROM snapshot_tiles WHERE snapshot = ? AND first <= ? ORDER BY first DESC LIMIT 1",
                [seq, .blob(commitment)])
            ?? tile("SELECT tile, members FROM snapshot_tiles WHERE snapshot = ? AND tile = 0", [seq])
        let size = snapshot.count
        var object = SnapshotProof.header(snapshot: snapshot, size: size, commitment: commitment)
        guard let containing else {
            guard size == 0 else { throw RecordsError(.conflict, "snapshot \(snapshot.id) has no tile 0") }
            object["member"] = .bool(false)
            return object
        }
        var loaded = [containing.index: containing]
        func leaf(_ index: Int) throws -> JSONValue {
            let number = index / Self.tileSize
            if loaded[number] == nil {
                loaded[number] = try tile(
                    "SELECT tile, members FROM snapshot_tiles WHERE snapshot = ? AND tile = ?",
                    [seq, .integer(Int64(number))])
            }
            let expected = min(Self.tileSize, size - number * Self.tileSize)
            guard let found = loaded[number], found.members.count == expected else {
                throw RecordsError(.conflict, "tile \(number) of \(snapshot.id) is missing or damaged")
            }
            let inner = SnapshotContents.flatLeafHashes(found.members)
            let path =
                MerkleHasher().inclusionProof(index: index % Self.tileSize, ofFlatLeafHashes: inner)
                + (try upper.inclusionProof(index: UInt64(number), size: UInt64(tileCount)))
            return .object(
                JSONObject([
                    ("index", .integer(Int64(index))),
                    ("leaf", .string(String(decoding: found.members[index % Self.tileSize].leaf, as: UTF8.self))),
                    ("proof", .array(path.map { .string(Hex.encode($0)) })),
                ]))
        }
        let members = containing.members
        let low = SnapshotProof.insertionPoint(of: commitment, in: members)
        let position = containing.index * Self.tileSize + low
        if low < members.count && members[low].commitment == commitment {
            object["member"] = .bool(true)
            object["leaf"] = try leaf(position)
            return object
        }
        object["member"] = .bool(false)
        if position > 0 { object["left"] = try leaf(position - 1) }
        if position < size { object["right"] = try leaf(position) }
        return object
    }
}

/// Complete-subtree hashes over a snapshot's tiles, as ``SnapshotStore/completeSubtreeLevels(_:hasher:)``
/// lays them out: level 0 (the tiles' hashes), then level 1, and so on.
private struct StoredSubtreeHashes: SubtreeHashSource {
    let nodes: [UInt8]
    let leaves: UInt64

    func hash(level: Int, index: UInt64) throws -> [UInt8] {
        var offset: UInt64 = 0
        for below in 0..<level { offset += leaves >> UInt64(below) }
        let start = Int((offset + index) * 32)
        guard index < leaves >> UInt64(level), start + 32 <= nodes.count else {
            throw RecordsError(.notFound, "no stored subtree hash at level \(level), index \(index)")
        }
        return Array(nodes[start..<start + 32])
    }
}

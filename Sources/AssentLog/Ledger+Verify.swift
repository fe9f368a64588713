internal import AssentStorage

/// What `assent log verify` checked.
public struct LedgerVerificationReport: Sendable {
    /// Entries whose bytes, chain and leaf hash were checked.
    public let entries: UInt64
    /// Checkpoints whose signature and root were checked.
    public let checkpoints: Int
    /// Tree tiles compared with the recomputed tree.
    public let tiles: Int
    /// The recomputed root of the whole log.
    public let root: [UInt8]
    /// The size of the trusted checkpoint found consistent, if one was given.
    public let trustedSize: UInt64?
}

extension Ledger {
    /// Recomputes the hash chain, the tree and every stored checkpoint from the entry bytes alone.
    ///
    /// Checks each entry's canonical form, `seq`, `prev` and leaf hash; every stored tile against the
    /// recomputed one; every checkpoint's signature and root; and, when given, that a checkpoint held
    /// outside the folder (signed by `trustedVerifier`) is a prefix of this log.
    /// - Parameter observe: called with each entry's index, type and parsed body once it checked out,
    ///   so that a caller can check what it derives from the log in the same pass.
    /// - Throws: ``LedgerError`` `verificationFailed` naming the first bad entry, tile or checkpoint.
    public func verify(
        trustedCheckpoint: String? = nil, trustedVerifier: NoteVerifier? = nil,
        progress: ((UInt64) -> Void)? = nil, observe: ((UInt64, String, JSONObject) throws -> Void)? = nil
    ) throws -> LedgerVerificationReport {
        try database.readTransaction {
            var trusted: Checkpoint? = nil
            if let trustedCheckpoint {
                do { trusted = try Checkpoint.open(trustedCheckpoint, verifier: trustedVerifier ?? verifier) } catch {
                    throw LedgerError(.verificationFailed, "trusted checkpoint: \(error)")
                }
            }
            let checkpoints = try loadCheckpoints()
            var pending = checkpoints[...]
            let reader = TileHashReader(database: database)
            let hasher = MerkleHasher()
            var edge = TreeEdge(size: 0, tiles: [])
            var previous = MerkleHasher.emptyRoot
            var tiles = 0
            func checkRoots() throws {
                while let next = pending.first, next.size == edge.size {
                    guard next.root == edge.root(hasher: hasher) else {
                        throw LedgerError(
                            .verificationFailed, "checkpoint at size \(next.size): its root does not match the entries")
                    }
                    pending = pending.dropFirst()
                }
                if let trustedCheckpoint = trusted, trustedCheckpoint.size == edge.size,
                    trustedCheckpoint.root != edge.root(hasher: hasher)
                {
                    throw LedgerError(
                        .verificationFailed,
                        "trusted checkpoint at size \(edge.size) is not consistent with this log: its root differs")
                }
            }
            func compare(_ tile: TreeTile) throws {
                tiles += 1
                guard let stored = try reader.tile(stratum: tile.stratum, index: tile.index) else {
                    throw LedgerError(.verificationFailed, "tree tile \(tile.stratum)/\(tile.index) is missing")
                }
                guard stored.filled == tile.filled, stored.slots == tile.slots else {
                    let first = tile.index << UInt64(8 * tile.stratum + 8)
                    throw LedgerError(
                        .verificationFailed,
                        "tree tile \(tile.stratum)/\(tile.index) (entries from \(first)) does not match the recomputed tree"
                    )
                }
            }
            try checkRoots()
            try forEachEntry { seq, type, bytes in
                guard seq == edge.size else { throw LedgerError(.verificationFailed, "entry \(edge.size) is missing") }
                let object = try checkEntry(seq: seq, type: type, bytes: bytes, previous: previous)
                let leaf = hasher.leafHash(bytes)
                let location = TreeTile.location(level: 0, index: seq)
                guard let stored = try reader.tile(stratum: 0, index: location.tile),
                    stored.hash(slot: location.slot) == leaf
                else {
                    throw LedgerError(.verificationFailed, "entry \(seq): its bytes do not match the stored leaf hash")
                }
                try edge.append(leafHash: leaf, hasher: hasher, onFullTile: compare)
                previous = leaf
                try checkRoots()
                try observe?(seq, type, object)
                if seq % 10_000 == 9_999 { progress?(seq + 1) }
            }
            for tile in edge.tiles { try compare(tile) }
            let storedTiles = Int(try database.scalarInteger("SELECT count(*) FROM tree_tiles") ?? 0)
            guard storedTiles == tiles else {
                throw LedgerError(
                    .verificationFailed, "the tree table holds \(storedTiles) tiles; the entries make \(tiles)")
            }
            if let extra = pending.first {
                throw LedgerError(
                    .verificationFailed, "checkpoint at size \(extra.size) is beyond the log's \(edge.size) entries")
            }
            guard checkpoints.last?.size == edge.size else {
                throw LedgerError(
                    .verificationFailed, "entries after \(checkpoints.last?.size ?? 0) have no checkpoint")
            }
            if let trusted, trusted.size > edge.size {
                throw LedgerError(
                    .verificationFailed,
                    "trusted checkpoint at size \(trusted.size) is beyond the log's \(edge.size) entries: the log was truncated or forked"
                )
            }
            return LedgerVerificationReport(
                entries: edge.size, checkpoints: checkpoints.count, tiles: tiles, root: edge.root(hasher: hasher),
                trustedSize: trusted?.size)
        }
    }

    private func loadCheckpoints() throws -> [Checkpoint] {
        var rows: [(UInt64, String)] = []
        try database.withStatement("SELECT size, note FROM checkpoints ORDER BY size") { statement in
            while try statement.step() { rows.append((UInt64(statement.integer(0)), statement.text(1))) }
        }
        return try rows.map { size, note in
            let checkpoint: Checkpoint
            do { checkpoint = try Checkpoint.open(note, verifier: verifier) } catch {
                throw LedgerError(.verificationFailed, "checkpoint at size \(size): \(error)")
            }
            guard checkpoint.size == size else {
                throw LedgerError(
                    .verificationFailed, "checkpoint at size \(size): its note says size \(checkpoint.size)")
            }
            return checkpoint
        }
    }

    @discardableResult
    private func checkEntry(seq: UInt64, type: String, bytes: [UInt8], previous: [UInt8]) throws -> JSONObject {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw LedgerError(.verificationFailed, "entry \(seq): not valid JSON (\(error))")
        }
        guard CanonicalJSON.encode(value) == bytes, let object = value.objectValue else {
            throw LedgerError(.verificationFailed, "entry \(seq): not in canonical JSON form")
        }
        guard object["v"]?.integerValue == EntryFormat.version else {
            throw LedgerError(.verificationFailed, "entry \(seq): unknown version v")
        }
        guard object["type"]?.stringValue == type else {
            throw LedgerError(.verificationFailed, "entry \(seq): type does not match its index")
        }
        guard object["seq"]?.integerValue == Int64(seq) else {
            throw LedgerError(.verificationFailed, "entry \(seq): its seq field is wrong")
        }
        guard object["prev"]?.stringValue == Base64.encode(previous) else {
            throw LedgerError(
                .verificationFailed,
                "entry \(seq): prev does not match the leaf hash of entry \(seq == 0 ? "-" : String(seq - 1)) (hash chain broken)"
            )
        }
        guard let at = object["at"]?.stringValue, UTCTime.parse(at) != nil else {
            throw LedgerError(.verificationFailed, "entry \(seq): at is not a UTC time")
        }
        return object
    }
}

package import AssentStorage

/// Appends entries inside one write transaction and signs the checkpoint for the new size at the end.
///
/// Obtained only through ``Ledger/write(_:)``, which holds `BEGIN IMMEDIATE` for its whole life, so
/// the size, the previous leaf hash and the tree edge it reads stay valid until COMMIT.
public final class LogWriter {
    private let database: Database
    private let signer: NoteSigner
    private let origin: String
    private let hasher = MerkleHasher()
    private var edge: TreeEdge
    private var previousLeafHash: [UInt8]
    private let startSize: UInt64
    private var appendedTypes: [String: Int64] = [:]
    /// The time written as `at` in every entry of this transaction.
    public let timestamp: String

    /// The log size including what this transaction appended so far.
    public var size: UInt64 { edge.size }

    /// The underlying connection, for tables that must change in the same transaction (the vault).
    package var connection: Database { database }

    init(database: Database, signer: NoteSigner, origin: String, timestamp: String) throws {
        self.database = database
        self.signer = signer
        self.origin = origin
        self.timestamp = timestamp
        // On PostgreSQL the tip row is locked here, for the whole transaction: writers on other
        // connections wait for it, so everything read below stays valid until COMMIT. The tip is the
        // latest checkpoint's size, and every transaction that appends ends with its checkpoint.
        let size = UInt64(
            try database.scalarInteger(
                database.isPostgres
                    ? "SELECT size FROM log_tip WHERE id = 0 FOR UPDATE"
                    : "SELECT coalesce(max(seq) + 1, 0) FROM entries")
                ?? 0)
        let reader = TileHashReader(database: database)
        var tiles: [TreeTile] = []
        for partial in TreeEdge.partialTiles(size: size) {
            guard let tile = try reader.tile(stratum: partial.stratum, index: partial.index),
                tile.filled == partial.filled
            else {
                throw LedgerError(
                    .verificationFailed,
                    "the stored tree edge does not match the log size \(size); run assent log verify")
            }
            tiles.append(tile)
        }
        self.edge = TreeEdge(size: size, tiles: tiles)
        self.previousLeafHash = size == 0 ? MerkleHasher.emptyRoot : try reader.hash(level: 0, index: size - 1)
        self.startSize = size
    }

    /// Appends one entry of `type` with the body `fields`, adding `v`, `type`, `seq`, `prev` and `at`.
    /// - Returns: the stored entry.
    /// - Throws: ``LedgerError`` with code `invalidInput` for a reserved field, a non-ASCII key, a bad
    ///   type name or an entry over 64 KiB; ``StorageError`` if the database refuses.
    @discardableResult
    public func append(type: String, fields: JSONObject) throws -> LogEntry {
        guard EntryFormat.isValidType(type) else { throw LedgerError(.invalidInput, "invalid entry type \"\(type)\"") }
        try EntryFormat.checkFields(fields)
        var object = fields
        for (key, value) in logFields(type: type) { object[key] = value }
        return try store(type: type, body: CanonicalJSON.encode(.object(object)))
    }

    /// Appends one entry of `type` whose fields were encoded beforehand, with `extra` fields known only
    /// now, adding `v`, `type`, `seq`, `prev` and `at`: the same bytes as ``append(type:fields:)`` with
    /// all the fields, and the same errors.
    @discardableResult
    public func append(type: String, encoded: EncodedFields, adding extra: JSONObject = JSONObject()) throws
        -> LogEntry
    {
        guard EntryFormat.isValidType(type) else { throw LedgerError(.invalidInput, "invalid entry type \"\(type)\"") }
        try EntryFormat.checkFields(extra)
        var others = extra
        for (key, value) in logFields(type: type) { others[key] = value }
        return try store(type: type, body: encoded.body(with: others))
    }

    /// The fields the log sets on the next entry.
    private func logFields(type: String) -> [(String, JSONValue)] {
        [
            ("v", .integer(EntryFormat.version)), ("type", .string(type)), ("seq", .integer(Int64(edge.size))),
            ("prev", .string(Base64.encode(previousLeafHash))), ("at", .string(timestamp)),
        ]
    }

    private func store(type: String, body bytes: [UInt8]) throws -> LogEntry {
        guard bytes.count <= EntryFormat.maximumSize else {
            throw LedgerError(
                .invalidInput, "an entry may hold at most \(EntryFormat.maximumSize) bytes; this one has \(bytes.count)"
            )
        }
        let seq = edge.size
        try database.enqueue(
            "INSERT OR FAIL INTO entries (seq, type, body) VALUES (?, ?, ?)",
            [.integer(Int64(seq)), .text(type), .blob(bytes)])
        let leaf = hasher.leafHash(bytes)
        try edge.append(leafHash: leaf, hasher: hasher) { try store($0) }
        previousLeafHash = leaf
        appendedTypes[type, default: 0] += 1
        return LogEntry(seq: seq, type: type, bytes: bytes, leafHash: leaf)
    }

    /// Stores the partial tiles and, if anything was appended, the signed checkpoint for the new size.
    /// - Returns: the signed checkpoint note, or nil when nothing was appended.
    @discardableResult
    func finish() throws -> String? {
        guard edge.size > startSize else { return nil }
        for tile in edge.tiles { try store(tile) }
        for (type, count) in appendedTypes.sorted(by: { $0.key < $1.key }) {
            try database.enqueue(
                "INSERT INTO entry_counts (type, count) VALUES (?, ?) ON CONFLICT (type) DO UPDATE SET count = entry_counts.count + excluded.count",
                [.text(type), .integer(count)])
        }
        let checkpoint = Checkpoint(origin: origin, size: edge.size, root: edge.root(hasher: hasher))
        let note = try SignedNote.sign(text: checkpoint.text, with: signer)
        try database.enqueue(
            "INSERT INTO checkpoints (size, note) VALUES (?, ?)", [.integer(Int64(edge.size)), .text(note)])
        return note
    }

    private func store(_ tile: TreeTile) throws {
        let sql = """
            INSERT INTO tree_tiles (id, filled, hashes) VALUES (?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET filled = excluded.filled, hashes = excluded.hashes
            """
        try database.enqueue(
            sql,
            [
                .integer(LedgerSchema.tileID(stratum: tile.stratum, index: tile.index)), .integer(Int64(tile.filled)),
                .blob(tile.slots),
            ])
    }
}

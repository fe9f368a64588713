internal import AssentStorage

extension Ledger {
    /// The number of committed entries (the size of the latest checkpoint).
    public func size() throws -> UInt64 {
        UInt64(try database.scalarInteger("SELECT max(size) FROM checkpoints") ?? 0)
    }

    /// The latest signed checkpoint note, verbatim, and its size.
    public func latestCheckpoint() throws -> (size: UInt64, note: String) {
        try database.withStatement("SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1") { statement in
            guard try statement.step() else { throw LedgerError(.notFound, "the ledger has no checkpoint") }
            return (UInt64(statement.integer(0)), statement.text(1))
        }
    }

    /// The signed checkpoint note for `size`.
    /// - Throws: ``LedgerError`` `notFound` when no checkpoint was signed at that size.
    public func checkpointNote(size: UInt64) throws -> String {
        let note = try database.withStatement("SELECT note FROM checkpoints WHERE size = ?") { statement in
            try statement.bind([.integer(Int64(size))])
            return try statement.step() ? statement.text(0) : nil
        }
        guard let note else {
            throw LedgerError(.notFound, "no checkpoint was signed at size \(size) (see assent log info for the sizes)")
        }
        return note
    }

    /// The number of entries of each type.
    public func entryCounts() throws -> [String: Int64] {
        try database.withStatement("SELECT type, count FROM entry_counts") { statement in
            var counts: [String: Int64] = [:]
            while try statement.step() { counts[statement.text(0)] = statement.integer(1) }
            return counts
        }
    }

    /// The number of checkpoints stored.
    public func checkpointCount() throws -> Int {
        Int(try database.scalarInteger("SELECT count(*) FROM checkpoints") ?? 0)
    }

    /// The entry at `seq`.
    /// - Throws: ``LedgerError`` `notFound` beyond the end of the log.
    public func entry(_ seq: UInt64) throws -> LogEntry {
        let found = try database.withStatement("SELECT type, body FROM entries WHERE seq = ?") { statement in
            try statement.bind([.integer(Int64(seq))])
            return try statement.step() ? (statement.text(0), statement.blob(1)) : nil
        }
        guard let (type, bytes) = found else {
            throw LedgerError(.notFound, "no entry \(seq): the log has \(try size()) entries")
        }
        return LogEntry(seq: seq, type: type, bytes: bytes, leafHash: MerkleHasher().leafHash(bytes))
    }

    /// Calls `body` with the type and bytes of every entry in [from, to), in order.
    public func forEachEntry(from: UInt64 = 0, to: UInt64 = .max, _ body: (UInt64, String, [UInt8]) throws -> Void)
        throws
    {
        try database.withStatement("SELECT seq, type, body FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq") {
            statement in
            try statement.bind([.integer(Int64(from)), .integer(Int64(clamping: to))])
            while try statement.step() {
                try body(UInt64(statement.integer(0)), statement.text(1), statement.blob(2))
            }
        }
    }

    /// Runs `body` so that every read inside it, by any layer, sees one snapshot of the ledger, as
    /// writers commit alongside (on PostgreSQL each statement would otherwise see its own).
    public func reading<T>(_ body: () throws -> T) throws -> T {
        try database.readTransaction(body)
    }

    /// The root of the first `size` entries, from stored tree hashes.
    public func root(size: UInt64) throws -> [UInt8] {
        try database.readTransaction {
            try MerkleProofGenerator(source: TileHashReader(database: database)).root(size: size)
        }
    }

    /// A `c2sp.org/tlog-proof@v1` for entry `index` against the checkpoint of `size` (the latest when nil).
    /// - Throws: ``LedgerError`` `notFound` for an index outside the tree or a size with no checkpoint.
    public func inclusionProof(index: UInt64, size: UInt64? = nil) throws -> TLogProof {
        try database.readTransaction {
            let (treeSize, note) = try size.map { ($0, try checkpointNote(size: $0)) } ?? latestCheckpoint()
            guard index < treeSize else {
                throw LedgerError(.notFound, "entry \(index) is not in the tree of size \(treeSize)")
            }
            let generator = MerkleProofGenerator(source: TileHashReader(database: database))
            return TLogProof(
                index: index, hashes: try generator.inclusionProof(index: index, size: treeSize), checkpoint: note)
        }
    }

    /// The consistency proof between the checkpoints of `oldSize` and `newSize`.
    /// - Throws: ``LedgerError`` `notFound` when either size has no checkpoint, `invalidInput` when old > new or old is 0.
    public func consistencyProof(oldSize: UInt64, newSize: UInt64) throws -> [[UInt8]] {
        try database.readTransaction {
            guard oldSize > 0, oldSize <= newSize else {
                throw LedgerError(
                    .invalidInput, "a consistency proof needs 0 < old size ≤ new size, not \(oldSize) and \(newSize)")
            }
            _ = try checkpointNote(size: oldSize)
            _ = try checkpointNote(size: newSize)
            return try MerkleProofGenerator(source: TileHashReader(database: database)).consistencyProof(
                oldSize: oldSize, newSize: newSize)
        }
    }

    /// Appends note entries, all in one transaction; only `note` and `note.*` types are accepted.
    /// - Throws: ``LedgerError`` `invalidInput`, naming the 1-based item, for any other type.
    @discardableResult
    public func appendNotes(_ notes: [(type: String, fields: JSONObject)]) throws -> [LogEntry] {
        for (offset, note) in notes.enumerated() where !EntryFormat.isNoteType(note.type) {
            throw LedgerError(
                .invalidInput,
                "item \(offset + 1): type \"\(note.type)\" is not a note type (note or note.*); record types cannot be appended raw"
            )
        }
        return try write { writer in try notes.map { try writer.append(type: $0.type, fields: $0.fields) } }
    }
}

extension Ledger {
    /// Copies every committed page from the write-ahead log into the database file and empties the WAL,
    /// so the file alone holds the ledger (before copying it, or after erasing data).
    /// PostgreSQL manages its own write-ahead log: nothing to do there.
    public func checkpointWriteAheadLog() throws {
        guard !database.isPostgres else { return }
        try database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    }
}

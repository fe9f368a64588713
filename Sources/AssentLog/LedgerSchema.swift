internal import AssentStorage

/// The SQL schema of the log tables, with the triggers that make the entry table append-only.
enum LedgerSchema {
    /// The schema version written to `meta`.
    static let version = "1"

    // The writer inserts with INSERT OR FAIL and the sequence trigger raises FAIL: with no ABORT
    // path, SQLite needs no statement journal per insert (a page copy each), and a failed
    // insert still fails the whole write transaction, which the writer then rolls back.
    static let statements = """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
        CREATE TABLE entries (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, body BLOB NOT NULL) STRICT;
        CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
            BEGIN SELECT RAISE(ABORT, 'the entry table is append-only: UPDATE refused'); END;
        CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
            BEGIN SELECT RAISE(ABORT, 'the entry table is append-only: DELETE refused'); END;
        CREATE TRIGGER entries_in_sequence BEFORE INSERT ON entries
            WHEN NEW.seq IS NOT (SELECT coalesce(max(seq) + 1, 0) FROM entries)
            BEGIN SELECT RAISE(FAIL, 'the entry table is append-only: seq must equal the current size'); END;
        CREATE TABLE tree_tiles (id INTEGER PRIMARY KEY, filled INTEGER NOT NULL, hashes BLOB NOT NULL) STRICT;
        CREATE TRIGGER tree_tiles_no_delete BEFORE DELETE ON tree_tiles
            BEGIN SELECT RAISE(ABORT, 'tree tiles are never deleted'); END;
        CREATE TRIGGER tree_tiles_grow_only BEFORE UPDATE ON tree_tiles
            WHEN OLD.filled >= 256 OR NEW.filled < OLD.filled OR NEW.id IS NOT OLD.id
            BEGIN SELECT RAISE(ABORT, 'a full tree tile is immutable and a partial one only grows'); END;
        CREATE TABLE entry_counts (type TEXT PRIMARY KEY, count INTEGER NOT NULL) STRICT;
        CREATE TABLE checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL) STRICT;
        CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
            BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only: UPDATE refused'); END;
        CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
            BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only: DELETE refused'); END;
        """

    /// The row id of a tile: the stratum in the top byte, the tile index below.
    static func tileID(stratum: Int, index: UInt64) -> Int64 { Int64(stratum) << 56 | Int64(index) }
}

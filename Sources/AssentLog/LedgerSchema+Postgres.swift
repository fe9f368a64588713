extension LedgerSchema {
    /// The log tables on PostgreSQL: the same tables and names as on SQLite, plus `log_tip`, the
    /// counter row that sequences every write.
    ///
    /// A write transaction locks `log_tip` first (`SELECT … FOR UPDATE`) and holds it until it ends, so
    /// concurrent writers from any number of processes and machines append one after another in one
    /// order, and a rolled-back transaction leaves no gap (a `SEQUENCE` would). Every statement that
    /// inserts entries is checked as a whole (trigger `entries_in_sequence`, on its transition table):
    /// its rows must continue the log without a gap, or the statement is refused. A transaction ends
    /// by inserting its signed checkpoint, which must be for the log's size at that moment; that
    /// insert advances the tip to it (trigger `checkpoint_advances_tip`), so the tip is always the
    /// latest checkpoint's size. The tip moves only through that trigger (a function owned by the
    /// schema's owner); `UPDATE`, `DELETE` and `TRUNCATE` are refused on `entries`, `checkpoints` and
    /// `log_tip`, tiles are never deleted and only grow. The grants in ``postgresWriterGrants`` let
    /// the ledger's role write without being able to drop or alter any of it.
    static let postgresStatements = """
        CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
        CREATE TABLE log_tip (id smallint PRIMARY KEY CHECK (id = 0), size bigint NOT NULL CHECK (size >= 0));
        INSERT INTO log_tip (id, size) VALUES (0, 0);
        CREATE TABLE entries (seq bigint PRIMARY KEY, type text NOT NULL, body bytea NOT NULL);
        CREATE TABLE tree_tiles (id bigint PRIMARY KEY, filled integer NOT NULL, hashes bytea NOT NULL);
        CREATE TABLE entry_counts (type text PRIMARY KEY, count bigint NOT NULL);
        CREATE TABLE checkpoints (size bigint PRIMARY KEY, note text NOT NULL);

        CREATE FUNCTION assent_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '%', TG_ARGV[0] || ': ' || TG_OP || ' refused' USING ERRCODE = 'P0001';
        END $$;
        CREATE FUNCTION assent_entries_in_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            first bigint;
            last bigint;
            added bigint;
        BEGIN
            SELECT min(seq), max(seq), count(*) INTO first, last, added FROM appended;
            IF added = 0 THEN
                RETURN NULL;
            END IF;
            -- The rows are new and distinct (primary key) and as many as their range, so they are
            -- first … last. The entry before them is first - 1: as the log held 0 … n - 1 without a gap
            -- (this check held for every earlier insert) and first is new, first = n.
            IF last - first + 1 <> added
                OR coalesce((SELECT max(seq) FROM entries WHERE seq < first), -1) <> first - 1 THEN
                RAISE EXCEPTION 'the entry table is append-only: seq must equal the current size'
                    USING ERRCODE = 'P0001';
            END IF;
            RETURN NULL;
        END $$;
        CREATE FUNCTION assent_checkpoint_advances_tip() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
            SET search_path FROM CURRENT AS $$
        BEGIN
            IF NEW.size <> coalesce((SELECT max(seq) + 1 FROM entries), 0) THEN
                RAISE EXCEPTION 'a checkpoint must be for the log''s current size' USING ERRCODE = 'P0001';
            END IF;
            IF NEW.size = 0 THEN
                RETURN NEW;  -- the empty log's checkpoint: the tip is already 0
            END IF;
            UPDATE log_tip SET size = NEW.size WHERE id = 0 AND size < NEW.size;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'a checkpoint must be for a size larger than the last one' USING ERRCODE = 'P0001';
            END IF;
            RETURN NEW;
        END $$;
        CREATE FUNCTION assent_tip_only_by_checkpoints() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF pg_trigger_depth() < 2 OR TG_OP <> 'UPDATE' OR NEW.size <= OLD.size THEN
                RAISE EXCEPTION 'the log tip moves only by checkpointing appended entries: % refused', TG_OP
                    USING ERRCODE = 'P0001';
            END IF;
            RETURN NEW;
        END $$;
        CREATE FUNCTION assent_tiles_grow_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.filled >= 256 OR NEW.filled < OLD.filled OR NEW.id <> OLD.id THEN
                RAISE EXCEPTION 'a full tree tile is immutable and a partial one only grows'
                    USING ERRCODE = 'P0001';
            END IF;
            RETURN NEW;
        END $$;

        CREATE TRIGGER entries_in_sequence AFTER INSERT ON entries REFERENCING NEW TABLE AS appended
            FOR EACH STATEMENT EXECUTE FUNCTION assent_entries_in_sequence();
        CREATE TRIGGER checkpoint_advances_tip BEFORE INSERT ON checkpoints
            FOR EACH ROW EXECUTE FUNCTION assent_checkpoint_advances_tip();
        CREATE TRIGGER entries_no_change BEFORE UPDATE OR DELETE ON entries
            FOR EACH ROW EXECUTE FUNCTION assent_refuse('the entry table is append-only');
        CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
            FOR EACH STATEMENT EXECUTE FUNCTION assent_refuse('the entry table is append-only');
        CREATE TRIGGER checkpoints_no_change BEFORE UPDATE OR DELETE ON checkpoints
            FOR EACH ROW EXECUTE FUNCTION assent_refuse('checkpoints are append-only');
        CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
            FOR EACH STATEMENT EXECUTE FUNCTION assent_refuse('checkpoints are append-only');
        CREATE TRIGGER log_tip_by_entries_only BEFORE UPDATE OR DELETE ON log_tip
            FOR EACH ROW EXECUTE FUNCTION assent_tip_only_by_checkpoints();
        CREATE TRIGGER log_tip_no_truncate BEFORE TRUNCATE ON log_tip
            FOR EACH STATEMENT EXECUTE FUNCTION assent_refuse('the log tip');
        CREATE TRIGGER tree_tiles_no_delete BEFORE DELETE ON tree_tiles
            FOR EACH ROW EXECUTE FUNCTION assent_refuse('tree tiles are never deleted');
        CREATE TRIGGER tree_tiles_no_truncate BEFORE TRUNCATE ON tree_tiles
            FOR EACH STATEMENT EXECUTE FUNCTION assent_refuse('tree tiles are never deleted');
        CREATE TRIGGER tree_tiles_grow_only BEFORE UPDATE ON tree_tiles
            FOR EACH ROW EXECUTE FUNCTION assent_tiles_grow_only();
        """

    /// The grants that let `role`, the ledger's writer, append and read but not alter, drop, truncate
    /// or disable the triggers of the log tables: the tables belong to another role (an owner may do
    /// all of that), and the writer gets only what the log needs. `UPDATE` on `log_tip` is there only
    /// so that a write transaction can lock the tip first (`SELECT … FOR UPDATE` needs it); its
    /// trigger refuses every update but the checkpoint trigger's, which runs with its owner's rights.
    /// The role also needs `USAGE` on the schema that holds the tables.
    static func postgresWriterGrants(role: String) -> String {
        """
        GRANT SELECT, INSERT ON meta, entries, checkpoints TO \(role);
        GRANT SELECT, UPDATE ON log_tip TO \(role);
        GRANT SELECT, INSERT, UPDATE ON tree_tiles, entry_counts TO \(role);
        """
    }
}

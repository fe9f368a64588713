extension LedgerSchema {
    /// The log tables on PostgreSQL: the same tables and names as on SQLite, plus `log_tip`, the
    /// counter row that sequences every write.
    ///
    /// Inserting entry `seq` advances `log_tip` from `seq` to `seq + 1` in the same statement (trigger
    /// `entries_in_sequence`); any other `seq` is refused. The row stays locked until the transaction
    /// ends, so concurrent writers from any number of processes and machines append one after another
    /// in one order, and a rolled-back transaction leaves no gap (a `SEQUENCE` would). The tip advances
    /// only through that trigger (a function owned by the schema's owner); `UPDATE`, `DELETE` and
    /// `TRUNCATE` are refused on `entries`, `checkpoints` and `log_tip`, tiles are never deleted and
    /// only grow. The grants in ``postgresWriterGrants`` let the ledger's role write without being
    /// able to drop or alter any of it.
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
        CREATE FUNCTION assent_entries_in_sequence() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
            SET search_path FROM CURRENT AS $$
        BEGIN
            UPDATE log_tip SET size = size + 1 WHERE id = 0 AND size = NEW.seq;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'the entry table is append-only: seq must equal the current size'
                    USING ERRCODE = 'P0001';
            END IF;
            RETURN NEW;
        END $$;
        CREATE FUNCTION assent_tip_only_by_entries() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF pg_trigger_depth() < 2 OR TG_OP <> 'UPDATE' OR NEW.size <> OLD.size + 1 THEN
                RAISE EXCEPTION 'the log tip moves only by appending an entry: % refused', TG_OP
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

        CREATE TRIGGER entries_in_sequence BEFORE INSERT ON entries
            FOR EACH ROW EXECUTE FUNCTION assent_entries_in_sequence();
        CREATE TRIGGER entries_no_change BEFORE UPDATE OR DELETE ON entries
            FOR EACH ROW EXECUTE FUNCTION assent_refuse('the entry table is append-only');
        CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
            FOR EACH STATEMENT EXECUTE FUNCTION assent_refuse('the entry table is append-only');
        CREATE TRIGGER checkpoints_no_change BEFORE UPDATE OR DELETE ON checkpoints
            FOR EACH ROW EXECUTE FUNCTION assent_refuse('checkpoints are append-only');
        CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
            FOR EACH STATEMENT EXECUTE FUNCTION assent_refuse('checkpoints are append-only');
        CREATE TRIGGER log_tip_by_entries_only BEFORE UPDATE OR DELETE ON log_tip
            FOR EACH ROW EXECUTE FUNCTION assent_tip_only_by_entries();
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
    /// trigger refuses every update but the sequencing trigger's, which runs with its owner's rights.
    /// The role also needs `USAGE` on the schema that holds the tables.
    static func postgresWriterGrants(role: String) -> String {
        """
        GRANT SELECT, INSERT ON meta, entries, checkpoints TO \(role);
        GRANT SELECT, UPDATE ON log_tip TO \(role);
        GRANT SELECT, INSERT, UPDATE ON tree_tiles, entry_counts TO \(role);
        """
    }
}

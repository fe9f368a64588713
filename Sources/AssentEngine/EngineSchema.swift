internal import AssentStorage

/// The engine's index tables: the model registry and its stale marks (both mirror the log).
enum EngineSchema {
    static let statements = """
        CREATE TABLE IF NOT EXISTS models (
            seq INTEGER PRIMARY KEY, id TEXT NOT NULL, snapshot INTEGER NOT NULL, trainer TEXT NOT NULL,
            config BLOB NOT NULL, seed INTEGER NOT NULL, folder TEXT NOT NULL, supersedes TEXT,
            deterministic INTEGER NOT NULL) STRICT;
        CREATE INDEX IF NOT EXISTS models_by_id ON models (id);
        CREATE INDEX IF NOT EXISTS models_by_snapshot ON models (snapshot);
        CREATE TABLE IF NOT EXISTS model_stale (
            model TEXT NOT NULL, seq INTEGER NOT NULL, cause TEXT NOT NULL, shards TEXT NOT NULL,
            PRIMARY KEY (model, seq)) WITHOUT ROWID;
        """

    static func prepare(_ database: Database) throws {
        guard try !database.tableExists("model_stale") else { return }
        try database.writeTransaction { try database.execute(statements) }
    }
}

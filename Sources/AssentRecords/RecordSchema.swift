internal import AssentStorage

/// The records layer's tables, in the ledger's own database so one transaction covers log and vault.
///
/// Index tables (`samples`, `sample_sources`, `consents`) are derived from the log and answer lookups
/// without scanning it. Rows are keyed by the sample entry's log index, so new samples append at the
/// end of every table; only the commitment and the content digest are random-keyed indexes. Vault tables (`vault_*`) hold what must never reach the log and can be erased:
/// content, nonces, plain digests, attribution text, real subject ids, source URLs, consent evidence.
enum RecordSchema {
    static let statements = """
        CREATE TABLE IF NOT EXISTS samples (
            seq INTEGER PRIMARY KEY, commitment BLOB NOT NULL UNIQUE, subject TEXT, consent TEXT,
            media_type TEXT NOT NULL, size INTEGER NOT NULL) STRICT;
        CREATE INDEX IF NOT EXISTS samples_by_subject ON samples (subject) WHERE subject IS NOT NULL;
        CREATE INDEX IF NOT EXISTS samples_by_consent ON samples (consent) WHERE consent IS NOT NULL;
        CREATE TABLE IF NOT EXISTS sample_sources (
            sample INTEGER NOT NULL, source TEXT NOT NULL, seq INTEGER NOT NULL, metadata BLOB NOT NULL,
            license TEXT NOT NULL, opt_out TEXT NOT NULL, PRIMARY KEY (sample, source)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS sample_sources_by_source ON sample_sources (source);
        CREATE TABLE IF NOT EXISTS consents (
            consent TEXT PRIMARY KEY, subject TEXT NOT NULL, seq INTEGER NOT NULL, purposes TEXT NOT NULL,
            legal_basis TEXT NOT NULL, granted_at TEXT NOT NULL, expires_at TEXT) STRICT;
        CREATE INDEX IF NOT EXISTS consents_by_subject ON consents (subject);
        CREATE TABLE IF NOT EXISTS consent_renewals (
            seq INTEGER PRIMARY KEY, consent TEXT NOT NULL, renewed_at TEXT NOT NULL, expires_at TEXT) STRICT;
        CREATE TABLE IF NOT EXISTS vault_content (
            sample INTEGER PRIMARY KEY, digest BLOB NOT NULL UNIQUE, nonce BLOB NOT NULL, content BLOB, file TEXT) STRICT;
        CREATE TABLE IF NOT EXISTS vault_sources (
            sample INTEGER NOT NULL, source TEXT NOT NULL, attribution TEXT, source_uri TEXT,
            PRIMARY KEY (sample, source)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS vault_subjects (pseudonym TEXT PRIMARY KEY, subject TEXT NOT NULL UNIQUE) STRICT;
        CREATE TABLE IF NOT EXISTS revocations (
            seq INTEGER PRIMARY KEY, revocation TEXT NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL,
            reason TEXT NOT NULL, effective_at TEXT NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS revocation_checks (seq INTEGER PRIMARY KEY) STRICT;
        CREATE TABLE IF NOT EXISTS sample_revocations (
            commitment BLOB NOT NULL, seq INTEGER NOT NULL, effective_at TEXT NOT NULL,
            PRIMARY KEY (commitment, seq)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS consent_withdrawals (
            consent TEXT NOT NULL, seq INTEGER NOT NULL, effective_at TEXT NOT NULL, PRIMARY KEY (consent, seq)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS snapshots (
            seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, base_height INTEGER NOT NULL,
            revocation_height INTEGER NOT NULL, as_of TEXT NOT NULL, evaluated_at TEXT NOT NULL,
            policy_digest TEXT NOT NULL, policy BLOB NOT NULL, shards INTEGER NOT NULL, count INTEGER NOT NULL,
            root BLOB NOT NULL, pairs BLOB NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS snapshot_shards (
            snapshot INTEGER NOT NULL, shard INTEGER NOT NULL, count INTEGER NOT NULL, root BLOB NOT NULL,
            members BLOB NOT NULL, PRIMARY KEY (snapshot, shard)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS vault_tombstones (keyed_digest BLOB PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS vault_evidence (digest BLOB PRIMARY KEY, bytes BLOB NOT NULL) WITHOUT ROWID;
        """

    /// Tables added after the first release, created on ledgers that lack them. `snapshot_tiles` is a
    /// rowid table: a WITHOUT ROWID row of a tile's size (9 KiB) would spill into an overflow page of
    /// its own for every row.
    static let additions = """
        CREATE TABLE IF NOT EXISTS vault_consent_evidence (
            consent TEXT NOT NULL, digest TEXT NOT NULL, salt BLOB NOT NULL, bytes BLOB NOT NULL) STRICT;
        CREATE INDEX IF NOT EXISTS vault_consent_evidence_by_consent ON vault_consent_evidence (consent);
        CREATE INDEX IF NOT EXISTS entries_by_type ON entries (type);
        CREATE TABLE IF NOT EXISTS snapshot_tiles (
            snapshot INTEGER NOT NULL, tile INTEGER NOT NULL, first BLOB NOT NULL, members BLOB NOT NULL,
            PRIMARY KEY (snapshot, tile));
        CREATE INDEX IF NOT EXISTS snapshot_tiles_by_first ON snapshot_tiles (snapshot, first);
        CREATE TABLE IF NOT EXISTS snapshot_trees (
            snapshot INTEGER PRIMARY KEY, tiles INTEGER NOT NULL, nodes BLOB NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS snapshot_shard_links (
            snapshot INTEGER NOT NULL, shard INTEGER NOT NULL, stored_in INTEGER NOT NULL,
            PRIMARY KEY (snapshot, shard)) WITHOUT ROWID;
        """

    /// Creates the tables if this ledger does not have them yet.
    static func prepare(_ database: Database) throws {
        // Each later addition is created last in its release: a ledger that has these has every table.
        guard try !["snapshot_trees", "snapshot_shard_links"].allSatisfy(database.tableExists) else { return }
        try database.writeTransaction { try database.execute(statements + additions) }
    }
}

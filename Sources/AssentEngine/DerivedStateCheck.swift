internal import AssentCrypto
public import AssentLog
public import AssentRecords
internal import AssentStorage

/// Rebuilds the index tables from the log and compares them with what the database holds.
///
/// The tables that decide membership and staleness (`revocations`, `sample_revocations`,
/// `consent_withdrawals`, `consents`, `consent_renewals`, `models`, `model_stale`, `snapshots`) and, in
/// the full check, `samples` and `sample_sources`, are derived from the log alone. Deleting or editing
/// their rows (making a stale model current, letting a revoked sample be trained on) passes every
/// hash check of the log, so this check recomputes each row from its entry and compares, in log order,
/// naming the first disagreement. `assent log verify` runs the full check; `train` and `snapshot` run the
/// quick one (every table but the per-sample ones) before they use the tables.
public struct DerivedStateCheck {
    /// The store whose tables are checked.
    public let store: RecordStore

    /// A check over `store`; creates the engine's tables first if the ledger has none yet (a write, so
    /// done here, before the check's read transaction).
    public init(store: RecordStore) throws {
        self.store = store
        try EngineSchema.prepare(store.database)
    }

    /// A check fed entry by entry, for a caller's own pass over the log. Open it and make that pass
    /// inside one ``Ledger/reading(_:)``, so the tables and the entries come from one snapshot.
    public func session(includingSamples: Bool = true) throws -> Session {
        try Session(store: store, includingSamples: includingSamples)
    }

    /// Compares the tables with the log, reading the entries itself.
    /// - Parameter includingSamples: also check `samples` and `sample_sources` (one row per sample).
    /// - Returns: the number of rows compared.
    /// - Throws: ``LedgerError`` `verificationFailed` naming the table, the entry and the row.
    @discardableResult
    public func run(includingSamples: Bool = true) throws -> Int {
        // One snapshot for the tables and the entries: a commit between the reads is not an edit.
        try store.ledger.reading { try compare(includingSamples: includingSamples) }
    }

    private func compare(includingSamples: Bool) throws -> Int {
        let session = try Session(store: store, includingSamples: includingSamples)
        let types = session.types.sorted().map { "'\($0)'" }.joined(separator: ", ")
        // The full check reads nearly every entry: scan in log order. The quick one reads a few types
        // through their index (and sorts those few by seq).
        let entries = try store.database.makeStatement(
            includingSamples
                ? "SELECT seq, type, body FROM entries ORDER BY seq"
                : "SELECT seq, type, body FROM entries WHERE type IN (\(types)) ORDER BY seq")
        while try entries.step() {
            let type = entries.text(1)
            guard session.types.contains(type), let object = try JSONParser.parse(entries.blob(2)).objectValue
            else { continue }
            try session.consume(seq: UInt64(entries.integer(0)), type: type, entry: object)
        }
        return try session.finish()
    }

    /// A check fed one entry at a time, in log order: what `assent log verify` runs inside its own pass
    /// over the entries, so each entry is parsed once.
    public final class Session {
        private let cursors: [TableCursor]
        private var byType: [String: [TableCursor]] = [:]
        private var withdrawn: Set<String> = []
        private var compared = 0

        /// The entry types the check reads.
        public var types: Set<String> { Set(byType.keys) }

        /// Opens a cursor on every checked table of `store`.
        fileprivate init(store: RecordStore, includingSamples: Bool) throws {
            cursors = try DerivedStateCheck.tables.filter { includingSamples || !$0.isPerSample }.map {
                try TableCursor(table: $0, database: store.database)
            }
            for cursor in cursors { for type in cursor.table.types { byType[type, default: []].append(cursor) } }
        }

        /// Compares the rows that entry `seq` implies with the tables' next rows.
        /// - Throws: ``LedgerError`` `verificationFailed` at the first disagreement.
        public func consume(seq: UInt64, type: String, entry: JSONObject) throws {
            for cursor in byType[type] ?? [] {
                for row in cursor.table.expected(seq, type, entry, &withdrawn) {
                    try cursor.expect(row, entry: seq)
                    compared += 1
                }
            }
        }

        /// Checks that no table holds rows beyond what the log implies.
        /// - Returns: the number of rows compared.
        public func finish() throws -> Int {
            for cursor in cursors { try cursor.finish() }
            return compared
        }
    }

    /// One derived table: how to read its rows in log order, and which rows an entry implies.
    struct Table {
        let name: String
        let sql: String
        let types: [String]
        let isPerSample: Bool
        let actual: (Statement) -> String
        let expected: (UInt64, String, JSONObject, inout Set<String>) -> [String]
    }

    /// Reads a table's rows in order and compares each with the next row the log implies.
    final class TableCursor {
        let table: Table
        private let statement: Statement
        private var pending: String?
        private var isAtEnd = false

        init(table: Table, database: Database) throws {
            self.table = table
            statement = try database.makeStatement(table.sql)
            try advance()
        }

        private func advance() throws {
            if try statement.step() { pending = table.actual(statement) } else { pending = nil; isAtEnd = true }
        }

        func expect(_ row: String, entry seq: UInt64) throws {
            guard let pending, pending == row else {
                throw LedgerError(
                    .verificationFailed,
                    "table \(table.name) disagrees with the log at entry \(seq): the log implies row [\(row)], the table has \(pending.map { "[\($0)]" } ?? "no more rows") (a derived table was edited; rebuild the ledger from the log)"
                )
            }
            try advance()
        }

        func finish() throws {
            if let pending {
                throw LedgerError(
                    .verificationFailed,
                    "table \(table.name) holds a row no entry implies: [\(pending)] (a derived table was edited)")
            }
        }
    }
}

extension DerivedStateCheck {
    static func text(_ value: JSONValue?) -> String {
        guard let value, value != .null else { return "-" }
        if let string = value.stringValue { return string }
        if let integer = value.integerValue { return String(integer) }
        return String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
    }

    static func optional(_ statement: Statement, _ column: Int32) -> String {
        statement.isNull(column) ? "-" : statement.text(column)
    }

    static func hex(_ commitment: JSONValue?) -> String { String((commitment?.stringValue ?? "").dropFirst(7)) }

    static var tables: [Table] {
        [
            Table(
                name: "samples",
                sql: "SELECT seq, commitment, subject, consent, media_type, size FROM samples ORDER BY seq",
                types: ["sample"], isPerSample: true,
                actual: {
                    "\($0.integer(0))|\(Hex.encode($0.blob(1)))|\(optional($0, 2))|\(optional($0, 3))|\($0.text(4))|\($0.integer(5))"
                },
                expected: { seq, _, entry, _ in
                    [
                        "\(seq)|\(hex(entry["commitment"]))|\(text(entry["subject"]))|\(text(entry["consent"]))|\(text(entry["media_type"]))|\(text(entry["size"]))"
                    ]
                }),
            Table(
                name: "sample_sources",
                sql:
                    "SELECT ss.seq, s.commitment, ss.source, ss.license, ss.opt_out FROM sample_sources ss JOIN samples s ON s.seq = ss.sample ORDER BY ss.seq",
                types: ["sample", "sample.source"], isPerSample: true,
                actual: { "\($0.integer(0))|\(Hex.encode($0.blob(1)))|\($0.text(2))|\($0.text(3))|\($0.text(4))" },
                expected: { seq, _, entry, _ in
                    [
                        "\(seq)|\(hex(entry["commitment"]))|\(text(entry["source"]))|\(text(entry["license_concluded"]))|\(text(entry["opt_out"]?.objectValue?["status"]))"
                    ]
                }),
            Table(
                name: "consents",
                sql:
                    "SELECT seq, consent, subject, purposes, legal_basis, granted_at, expires_at FROM consents ORDER BY seq",
                types: ["consent.grant"], isPerSample: false,
                actual: {
                    "\($0.integer(0))|\($0.text(1))|\($0.text(2))|\($0.text(3))|\($0.text(4))|\($0.text(5))|\(optional($0, 6))"
                },
                expected: { seq, _, entry, _ in
                    let purposes = (entry["purposes"]?.arrayValue ?? []).compactMap(\.stringValue).joined(
                        separator: " ")
                    return [
                        "\(seq)|\(text(entry["consent"]))|\(text(entry["subject"]))|\(purposes)|\(text(entry["legal_basis"]))|\(text(entry["granted_at"]))|\(text(entry["expires_at"]))"
                    ]
                }),
            Table(
                name: "consent_renewals",
                sql: "SELECT seq, consent, renewed_at, expires_at FROM consent_renewals ORDER BY seq",
                types: ["consent.renew"], isPerSample: false,
                actual: { "\($0.integer(0))|\($0.text(1))|\($0.text(2))|\(optional($0, 3))" },
                expected: { seq, _, entry, _ in
                    [
                        "\(seq)|\(text(entry["consent"]))|\(text(entry["renewed_at"]))|\(text(entry["expires_at"]))"
                    ]
                }),
            Table(
                name: "revocations",
                sql: "SELECT seq, revocation, kind, target, reason, effective_at FROM revocations ORDER BY seq",
                types: ["revocation"], isPerSample: false,
                actual: {
                    "\($0.integer(0))|\($0.text(1))|\($0.text(2))|\($0.text(3))|\($0.text(4))|\($0.text(5))"
                },
                expected: { seq, _, entry, _ in
                    guard entry["part"]?.integerValue ?? 1 == 1 else { return [] }
                    let target = entry["target"] ?? .null
                    return [
                        "\(seq)|\(text(entry["revocation"]))|\(text(target.objectValue?["kind"]))|\(text(target))|\(text(entry["reason"]))|\(text(entry["effective_at"]))"
                    ]
                }),
            Table(
                name: "sample_revocations",
                sql: "SELECT seq, commitment, effective_at FROM sample_revocations ORDER BY seq, commitment",
                types: ["revocation"], isPerSample: false,
                actual: { "\($0.integer(0))|\(Hex.encode($0.blob(1)))|\($0.text(2))" },
                expected: { seq, _, entry, _ in
                    (entry["samples"]?.arrayValue ?? []).map { hex($0) }.sorted().map {
                        "\(seq)|\($0)|\(text(entry["effective_at"]))"
                    }
                }),
            Table(
                name: "consent_withdrawals",
                sql: "SELECT seq, consent, effective_at FROM consent_withdrawals ORDER BY seq, consent",
                types: ["revocation"], isPerSample: false,
                actual: { "\($0.integer(0))|\($0.text(1))|\($0.text(2))" },
                expected: { seq, _, entry, withdrawn in
                    guard entry["part"]?.integerValue ?? 1 == 1, let target = entry["target"]?.objectValue else {
                        return []
                    }
                    var consents = (target["consents"]?.arrayValue ?? []).compactMap(\.stringValue)
                    if let consent = target["consent"]?.stringValue { consents.append(consent) }
                    let new = Set(consents).subtracting(withdrawn)
                    withdrawn.formUnion(new)
                    return new.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map {
                        "\(seq)|\($0)|\(text(entry["effective_at"]))"
                    }
                }),
            Table(
                name: "models",
                sql: "SELECT seq, id, snapshot, trainer, supersedes, deterministic FROM models ORDER BY seq",
                types: ["model"], isPerSample: false,
                actual: {
                    "\($0.integer(0))|\($0.text(1))|\($0.integer(2))|\($0.text(3))|\(optional($0, 4))|\($0.integer(5) != 0)"
                },
                expected: { seq, _, entry, _ in
                    let snapshot = entry["snapshot"]?.stringValue.flatMap(Snapshot.seq(fromID:)).map(String.init) ?? "-"
                    return [
                        "\(seq)|\(text(entry["model"]))|\(snapshot)|\(text(entry["trainer"]))|\(text(entry["supersedes"]))|\(entry["deterministic"]?.boolValue == true)"
                    ]
                }),
            Table(
                name: "model_stale", sql: "SELECT seq, model, cause, shards FROM model_stale ORDER BY seq",
                types: ["stale"], isPerSample: false,
                actual: { "\($0.integer(0))|\($0.text(1))|\($0.text(2))|\($0.text(3))" },
                expected: { seq, _, entry, _ in
                    ["\(seq)|\(text(entry["model"]))|\(text(entry["cause"]))|\(text(entry["shards"]))"]
                }),
            Table(
                name: "snapshots",
                sql:
                    "SELECT seq, base_height, revocation_height, as_of, evaluated_at, shards, count, root FROM snapshots ORDER BY seq",
                types: ["snapshot"], isPerSample: false,
                actual: {
                    "\($0.integer(0))|\($0.integer(1))|\($0.integer(2))|\($0.text(3))|\($0.text(4))|\($0.integer(5))|\($0.integer(6))|\(Hex.encode($0.blob(7)))"
                },
                expected: { seq, _, entry, _ in
                    [
                        "\(seq)|\(text(entry["base_height"]))|\(text(entry["revocation_height"]))|\(text(entry["as_of"]))|\(text(entry["evaluated_at"]))|\(text(entry["shards"]))|\(text(entry["count"]))|\(hex(entry["root"]))"
                    ]
                }),
        ]
    }
}

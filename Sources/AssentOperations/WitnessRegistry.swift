internal import AssentCrypto
public import AssentLog
public import AssentRecords
internal import AssentStorage

/// One configured witness.
public struct WitnessRecord: Sendable, Equatable {
    /// Its verifier key (type 0x04).
    public let key: WitnessKey
    /// Its submission prefix; checkpoints go to `<url>/add-checkpoint`.
    public let url: String
    /// The largest size it has cosigned for this log, 0 before the first.
    public let size: UInt64
    /// Evidence of a fork (its 422 answer), once it has given one; publishing then stops.
    public let fork: String?

    /// The JSON `assent witness list --json` prints.
    public var json: JSONObject {
        JSONObject([
            ("name", .string(key.name)), ("vkey", .string(key.keyString)), ("url", .string(url)),
            ("size", .integer(Int64(size))), ("fork", fork.map(JSONValue.string) ?? .null),
        ])
    }
}

/// The ledger's witnesses, the quorum it asks of them, and the cosignatures they returned, in the
/// ledger's database so that every writer of a shared ledger publishes to the same witnesses.
public struct WitnessRegistry {
    private let database: Database
    private let ledger: Ledger

    /// The witnesses of `store`'s ledger (their tables are created on first use).
    public init(store: RecordStore) throws {
        database = store.database
        ledger = store.ledger
        guard try !database.tableExists("witness_cosignatures") else { return }
        try database.writeTransaction {
            try database.execute(
                """
                CREATE TABLE IF NOT EXISTS witnesses (name TEXT PRIMARY KEY, vkey TEXT NOT NULL, url TEXT NOT NULL,
                  size INTEGER NOT NULL, fork TEXT);
                CREATE TABLE IF NOT EXISTS witness_quorum (id INTEGER PRIMARY KEY CHECK (id = 0), quorum INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS witness_cosignatures (size INTEGER NOT NULL, witness TEXT NOT NULL,
                  line TEXT NOT NULL, PRIMARY KEY (size, witness))
                """)
        }
    }

    /// Adds a witness.
    /// - Throws: ``RecordsError`` `invalidInput` for a bad key or URL, `conflict` for a name in use.
    @discardableResult
    public func add(vkey: String, url: String) throws -> WitnessRecord {
        let key: WitnessKey
        do { key = try WitnessKey(vkey) } catch { throw RecordsError(.invalidInput, "vkey: \(error)") }
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), !url.contains(where: \.isWhitespace) else {
            throw RecordsError(.invalidInput, "url: an http:// or https:// submission prefix, not \(url)")
        }
        let prefix = url.hasSuffix("/") ? String(url.dropLast()) : url
        try database.writeTransaction {
            guard try !list().contains(where: { $0.key.name == key.name }) else {
                throw RecordsError(.conflict, "a witness named \(key.name) is already configured")
            }
            try database.run(
                "INSERT INTO witnesses (name, vkey, url, size) VALUES (?, ?, ?, 0)",
                [.text(key.name), .text(key.keyString), .text(prefix)])
        }
        return WitnessRecord(key: key, url: prefix, size: 0, fork: nil)
    }

    /// Removes witness `name` and its stored cosignatures; the quorum shrinks with it if need be.
    /// - Throws: ``RecordsError`` `notFound` for an unknown name.
    public func remove(_ name: String) throws {
        try database.writeTransaction {
            guard try list().contains(where: { $0.key.name == name }) else {
                throw RecordsError(.notFound, "no witness \(name) (assent witness list shows them)")
            }
            try database.run("DELETE FROM witnesses WHERE name = ?", [.text(name)])
            try database.run("DELETE FROM witness_cosignatures WHERE witness = ?", [.text(name)])
        }
    }

    /// The witnesses, by name.
    public func list() throws -> [WitnessRecord] {
        try database.withStatement("SELECT vkey, url, size, fork FROM witnesses ORDER BY name") { statement in
            var records: [WitnessRecord] = []
            while try statement.step() {
                guard let key = try? WitnessKey(statement.text(0)) else { continue }
                records.append(
                    WitnessRecord(
                        key: key, url: statement.text(1), size: UInt64(statement.integer(2)),
                        fork: statement.isNull(3) ? nil : statement.text(3)))
            }
            return records
        }
    }

    /// How many witnesses must cosign a checkpoint before it is published: the stored quorum, or all.
    public func quorum() throws -> Int {
        let count = try list().count
        let stored = try database.scalarInteger("SELECT quorum FROM witness_quorum WHERE id = 0").map(Int.init)
        return min(stored ?? count, count)
    }

    /// Sets the quorum.
    /// - Throws: ``RecordsError`` `invalidInput` for a quorum past the number of witnesses.
    public func setQuorum(_ quorum: Int) throws {
        let count = try list().count
        guard (0...count).contains(quorum) else {
            throw RecordsError(.invalidInput, "quorum: between 0 and the \(count) configured witnesses")
        }
        try database.writeTransaction {
            try database.run("DELETE FROM witness_quorum WHERE id = 0")
            try database.run("INSERT INTO witness_quorum (id, quorum) VALUES (0, ?)", [.integer(Int64(quorum))])
        }
    }

    /// The C2SP tlog-policy of this log: the log's key, each witness, one group of all of them with the
    /// quorum, and `quorum` naming it.
    public func policy() throws -> String {
        let witnesses = try list()
        var lines = ["log \(ledger.verifier.keyString)"]
        for witness in witnesses { lines.append("witness \(witness.key.name) \(witness.key.keyString) \(witness.url)") }
        if witnesses.isEmpty {
            lines.append("quorum none")
        } else {
            lines.append("group assent-witnesses \(try quorum()) " + witnesses.map(\.key.name).joined(separator: " "))
            lines.append("quorum assent-witnesses")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Records a witness's cosignature on the checkpoint of `size` and that it has seen that size.
    func record(cosignature line: String, size: UInt64, witness: String) throws {
        try database.writeTransaction {
            try database.run(
                "DELETE FROM witness_cosignatures WHERE size = ? AND witness = ?",
                [.integer(Int64(size)), .text(witness)])
            try database.run(
                "INSERT INTO witness_cosignatures (size, witness, line) VALUES (?, ?, ?)",
                [.integer(Int64(size)), .text(witness), .text(line)])
            try database.run(
                "UPDATE witnesses SET size = ? WHERE name = ? AND size < ?",
                [.integer(Int64(size)), .text(witness), .integer(Int64(size))])
        }
    }

    /// Records a witness's evidence that it saw another tree for this log: a fork alarm.
    func recordFork(_ evidence: String, witness: String) throws {
        try database.writeTransaction {
            try database.run("UPDATE witnesses SET fork = ? WHERE name = ?", [.text(evidence), .text(witness)])
        }
    }

    /// The checkpoint of `size` with every stored cosignature line added.
    public func cosigned(size: UInt64) throws -> (note: String, cosigners: Int) {
        var note = try ledger.checkpointNote(size: size)
        let lines = try database.withStatement("SELECT line FROM witness_cosignatures WHERE size = ? ORDER BY witness")
        {
            statement in
            try statement.bind([.integer(Int64(size))])
            var lines: [String] = []
            while try statement.step() { lines.append(statement.text(0)) }
            return lines
        }
        for line in lines { note = Cosignature.adding(line, to: note) }
        return (note, lines.count)
    }

    /// The latest checkpoint that meets the quorum, with its cosignatures (the latest checkpoint when
    /// no witness is configured, or the quorum is 0); nil when none does yet.
    public func publishable() throws -> (size: UInt64, note: String)? {
        let quorum = try quorum()
        guard quorum > 0 else {
            let latest = try ledger.latestCheckpoint()
            return (latest.size, try cosigned(size: latest.size).note)
        }
        let size = try database.scalarInteger(
            "SELECT size FROM witness_cosignatures GROUP BY size HAVING count(*) >= ? ORDER BY size DESC LIMIT 1",
            [.integer(Int64(quorum))])
        guard let size else { return nil }
        return (UInt64(size), try cosigned(size: UInt64(size)).note)
    }
}

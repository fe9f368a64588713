internal import AssentCrypto
public import AssentLog
public import AssentRecords
internal import AssentStorage

/// What a bearer token may do on the server.
public enum TokenRole: String, Sendable, CaseIterable {
    /// Everything.
    case admin
    /// Ingest manifests.
    case ingest
    /// Record consents and revoke.
    case revoke
    /// Cut snapshots, train and reproduce.
    case train
    /// Read only: status, snapshots, models, proofs.
    case audit
}

/// One issued token, without its secret.
public struct TokenRecord: Sendable, Equatable {
    /// The token's public id (`tok-<hex>`), the first part of the token.
    public let id: String
    /// What it may do.
    public let role: TokenRole
    /// The operator's note.
    public let note: String
    /// When it was issued, UTC.
    public let createdAt: String
    /// When it was revoked, UTC, or nil while it is valid.
    public let revokedAt: String?

    /// The JSON `assent tokens list --json` prints.
    public var json: JSONObject {
        JSONObject([
            ("id", .string(id)), ("role", .string(role.rawValue)), ("note", .string(note)),
            ("created_at", .string(createdAt)), ("revoked_at", revokedAt.map(JSONValue.string) ?? .null),
        ])
    }
}

/// The server's bearer tokens, kept in the ledger's database (so every server on a PostgreSQL ledger
/// honours the same tokens) as SHA-256 digests of their secrets: a token is `tok-<id>.<secret>`, shown
/// once when created. Tokens are access control, not records: they are not logged.
public struct TokenRegistry {
    private let database: Database

    /// The tokens of `store`'s ledger.
    public init(store: RecordStore) throws {
        database = store.database
        guard try !database.tableExists("api_tokens") else { return }
        try database.writeTransaction {
            try database.execute(
                """
                CREATE TABLE IF NOT EXISTS api_tokens (id TEXT PRIMARY KEY, role TEXT NOT NULL, note TEXT NOT NULL,
                  digest TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)
                """)
        }
    }

    /// Issues a token for `role`.
    /// - Returns: the token (the only time its secret exists outside the caller) and its record.
    /// - Throws: ``RecordsError`` `invalidInput` for a note over 200 characters.
    public func create(role: TokenRole, note: String = "") throws -> (token: String, record: TokenRecord) {
        guard note.count <= 200, !note.contains(where: \.isNewline) else {
            throw RecordsError(.invalidInput, "note: at most 200 characters on one line")
        }
        let id = "tok-" + Hex.encode(SecureRandom.bytes(count: 8))
        let secret = Base64.encodeURLSafe(SecureRandom.bytes(count: 32))
        let record = TokenRecord(id: id, role: role, note: note, createdAt: UTCTime.now(), revokedAt: nil)
        try database.writeTransaction {
            try database.run(
                "INSERT INTO api_tokens (id, role, note, digest, created_at) VALUES (?, ?, ?, ?, ?)",
                [.text(id), .text(role.rawValue), .text(note), .text(Self.digest(secret)), .text(record.createdAt)])
        }
        return ("\(id).\(secret)", record)
    }

    /// Every token, oldest first.
    public func list() throws -> [TokenRecord] {
        try database.withStatement(
            "SELECT id, role, note, created_at, revoked_at FROM api_tokens ORDER BY created_at, id"
        ) { statement in
            var records: [TokenRecord] = []
            while try statement.step() {
                records.append(
                    TokenRecord(
                        id: statement.text(0), role: TokenRole(rawValue: statement.text(1)) ?? .audit,
                        note: statement.text(2), createdAt: statement.text(3),
                        revokedAt: statement.isNull(4) ? nil : statement.text(4)))
            }
            return records
        }
    }

    /// Revokes token `id`; revoking it again changes nothing.
    /// - Throws: ``RecordsError`` `notFound` for an unknown id.
    @discardableResult
    public func revoke(_ id: String) throws -> TokenRecord {
        try database.writeTransaction {
            guard let record = try list().first(where: { $0.id == id }) else {
                throw RecordsError(.notFound, "no token \(id) (assent tokens list shows them)")
            }
            guard record.revokedAt == nil else { return record }
            let now = UTCTime.now()
            try database.run("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", [.text(now), .text(id)])
            return TokenRecord(
                id: record.id, role: record.role, note: record.note, createdAt: record.createdAt, revokedAt: now)
        }
    }

    /// The valid token that `presented` is, or nil: unknown, revoked, malformed or a wrong secret alike.
    /// The secret is compared by digest in constant time.
    public func authenticate(_ presented: String) throws -> TokenRecord? {
        let parts = presented.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0].hasPrefix("tok-"), parts[0].count == 20 else { return nil }
        let row = try database.withStatement(
            "SELECT role, note, digest, created_at FROM api_tokens WHERE id = ? AND revoked_at IS NULL"
        ) { statement in
            try statement.bind([.text(parts[0])])
            return try statement.step()
                ? (statement.text(0), statement.text(1), statement.text(2), statement.text(3)) : nil
        }
        let expected = row?.2 ?? String(repeating: "0", count: 64)
        let matches = Self.constantTimeEqual(Array(Self.digest(parts[1]).utf8), Array(expected.utf8))
        guard let row, matches, let role = TokenRole(rawValue: row.0) else { return nil }
        return TokenRecord(id: parts[0], role: role, note: row.1, createdAt: row.3, revokedAt: nil)
    }

    private static func digest(_ secret: String) -> String { Hex.encode(SHA256.hash(secret)) }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

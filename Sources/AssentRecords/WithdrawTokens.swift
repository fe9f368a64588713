internal import Foundation
internal import AssentCrypto
public import AssentLog
internal import AssentStorage

/// The secrets that let data subjects withdraw without an account: every consent receipt carries a new
/// `withdraw_token`; the vault keeps only its SHA-256 digest and the subject's pseudonym, and erasing
/// the subject deletes them, so the token then opens nothing.
public struct WithdrawTokens {
    private let store: RecordStore

    /// The tokens of `store`'s vault (their table is created on first use).
    public init(store: RecordStore) throws {
        self.store = store
        let database = store.database
        guard try !database.tableExists("vault_withdraw_tokens") else { return }
        try database.writeTransaction {
            try database.execute(
                """
                CREATE TABLE IF NOT EXISTS vault_withdraw_tokens (
                  digest TEXT PRIMARY KEY, pseudonym TEXT NOT NULL, issued_at TEXT NOT NULL)
                """)
        }
    }

    /// A new token for the subject with `pseudonym`, written inside the caller's transaction if any.
    func issue(pseudonym: String) throws -> String {
        let token = "wd-" + Base64.encodeURLSafe(SecureRandom.bytes(count: 32))
        try store.database.run(
            "INSERT INTO vault_withdraw_tokens (digest, pseudonym, issued_at) VALUES (?, ?, ?)",
            [.text(Self.digest(token)), .text(pseudonym), .text(UTCTime.now())])
        return token
    }

    /// The pseudonym of the subject whose token `token` is, or nil for a token the vault does not hold
    /// (never issued, malformed, or its subject erased). The lookup is by digest, so the time it takes
    /// does not depend on how much of the token is right.
    public func pseudonym(of token: String) throws -> String? {
        try store.database.withStatement("SELECT pseudonym FROM vault_withdraw_tokens WHERE digest = ?") {
            statement in
            try statement.bind([.text(Self.digest(token))])
            return try statement.step() ? statement.text(0) : nil
        }
    }

    /// The commitments of the subject's samples, in log order.
    public func samples(ofPseudonym pseudonym: String) throws -> [[UInt8]] {
        try store.database.withStatement("SELECT commitment FROM samples WHERE subject = ? ORDER BY seq") {
            statement in
            try statement.bind([.text(pseudonym)])
            var commitments: [[UInt8]] = []
            while try statement.step() { commitments.append(statement.blob(0)) }
            return commitments
        }
    }

    /// Deletes the tokens of `pseudonym` (erasure), inside the caller's transaction.
    static func erase(pseudonym: String, in database: Database) throws {
        guard try database.tableExists("vault_withdraw_tokens") else { return }
        try database.run("DELETE FROM vault_withdraw_tokens WHERE pseudonym = ?", [.text(pseudonym)])
    }

    private static func digest(_ token: String) -> String { Hex.encode(SHA256.hash(token)) }
}

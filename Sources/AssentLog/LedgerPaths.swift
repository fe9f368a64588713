public import Foundation

/// The files of a ledger folder.
public struct LedgerPaths: Sendable {
    /// The folder.
    public let folder: URL

    /// Paths inside `folder`.
    public init(folder: URL) { self.folder = folder }

    /// The SQLite database holding the log and the vault.
    public var database: URL { folder.appendingPathComponent("ledger.sqlite") }
    /// Present when the ledger lives on PostgreSQL: the libpq URL of its database (mode 0600, as the
    /// URL may carry a password; nothing prints it).
    public var databaseURL: URL { folder.appendingPathComponent("database.url") }
    /// The log's Ed25519 signer key, in Go's `PRIVATE+KEY+…` form, mode 0600.
    public var logPrivateKey: URL { folder.appendingPathComponent("log.key") }
    /// The log's verifier key string.
    public var logVerifierKey: URL { folder.appendingPathComponent("log.vkey") }
    /// The ECDSA P-256 signing key for model signatures and attestations, PKCS#8 PEM, mode 0600.
    public var signingPrivateKey: URL { folder.appendingPathComponent("signing-key.pem") }
    /// The public half of the signing key, SubjectPublicKeyInfo PEM.
    public var signingPublicKey: URL { folder.appendingPathComponent("signing-key.pub.pem") }
    /// Private scratch space (mode 0700) for sample copies made by ingest and external trainers.
    public var scratch: URL { folder.appendingPathComponent("tmp") }
    /// The largest checkpoint this folder ever saw signed, kept outside the database against rollback.
    public var checkpointWatermark: URL { folder.appendingPathComponent("checkpoint.latest") }
    /// Present when model folders live in a shared folder: its absolute path, one line.
    public var modelsLocation: URL { folder.appendingPathComponent("models.path") }
    /// Where model folders live unless ``modelsLocation`` names another folder.
    public var defaultModels: URL { folder.appendingPathComponent("models") }
    /// The key that keys tombstones and salts logged digests, mode 0600.
    public var vaultKey: URL { folder.appendingPathComponent("vault.key") }
    /// What a verifier needs to trust this ledger: origin, verifier key, signing public key.
    public var trust: URL { folder.appendingPathComponent("trust.json") }
}

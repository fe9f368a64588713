public import Foundation
public import AssentCrypto
package import AssentStorage

/// An Assent ledger folder: the SQLite database with the log, and the keys that sign it.
///
/// ```swift
/// let ledger = try Ledger.create(at: folder, origin: "example.org/ledger")
/// try ledger.write { writer in try writer.append(type: "note", fields: JSONObject([("text", .string("hi"))])) }
/// ```
public final class Ledger {
    /// The folder's files.
    public let paths: LedgerPaths
    /// Where model folders live: `models` in the ledger folder, or the shared folder `assent init
    /// --models` named.
    public let modelsFolder: URL
    /// The log's origin, the first line of every checkpoint.
    public let origin: String
    /// The verifier for this log's checkpoints.
    public let verifier: NoteVerifier
    /// The open database connection.
    package let database: Database
    /// Where the log and the vault are: the SQLite file, or the PostgreSQL URL without its password.
    public var databaseName: String { database.name }
    /// Supplies the `at` time of a write transaction; replaceable in tests.
    public var clock: @Sendable () -> String = { UTCTime.now() }
    private var cachedSigner: NoteSigner?

    /// Creates a new ledger in `folder` (created if missing; refused if it already holds one).
    /// - Parameters:
    ///   - folder: where the ledger lives: its keys, and its SQLite database unless `postgresURL` is given.
    ///   - origin: the log's origin; a unique `assent.local/<random>` name when nil.
    ///   - postgresURL: a libpq URL of an empty PostgreSQL database (or schema, through `options`) to
    ///     hold the log and the vault instead; recorded in the folder, so copies of the folder are further
    ///     writers of the same ledger.
    ///   - modelsFolder: a shared folder for model folders (created if missing), recorded in the folder
    ///     by its absolute path; `models` inside the ledger folder when nil.
    /// - Throws: ``LedgerError`` (`alreadyExists`, `invalidInput`, `key`) or ``StorageError``.
    public static func create(
        at folder: URL, origin: String? = nil, postgresURL: String? = nil, modelsFolder: URL? = nil
    ) throws -> Ledger {
        let paths = LedgerPaths(folder: folder)
        let manager = FileManager.default
        let origin = origin ?? "assent.local/" + Hex.encode(SecureRandom.bytes(count: 8))
        guard NoteKeyID.isValidName(origin) else {
            throw LedgerError(
                .invalidInput, "invalid origin \"\(origin)\": it must be non-empty, without spaces or '+'")
        }
        // A PostgreSQL database is checked first, so a wrong URL or password leaves no folder behind.
        let postgres = try postgresURL.map { url in
            guard PostgresURL.isPostgres(url) else {
                throw LedgerError(.invalidInput, "database: expected a postgresql:// URL")
            }
            let database = try Database(postgresURL: url)
            guard try !database.tableExists("entries") else {
                throw LedgerError(
                    .alreadyExists,
                    "\(database.name) already holds a ledger (or other tables named like a ledger's); use an empty database"
                )
            }
            return database
        }
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: folder.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw LedgerError(.alreadyExists, "\(folder.path) exists and is not a folder")
            }
            let existing = (try? manager.contentsOfDirectory(atPath: folder.path)) ?? []
            if existing.contains("ledger.sqlite") || existing.contains("log.key") || existing.contains("database.url") {
                throw LedgerError(.alreadyExists, "\(folder.path) already holds a ledger; refusing to overwrite it")
            }
            guard existing.isEmpty else {
                throw LedgerError(.alreadyExists, "\(folder.path) is not empty; choose a new folder")
            }
            guard chmod(folder.path, 0o700) == 0 else {
                throw LedgerError(.invalidInput, "cannot make \(folder.path) private (mode 0700)")
            }
        } else {
            do {
                try manager.createDirectory(
                    at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw LedgerError(.invalidInput, "cannot create \(folder.path): \(error.localizedDescription)")
            }
        }
        if let modelsFolder {
            do {
                try manager.createDirectory(at: modelsFolder, withIntermediateDirectories: true)
            } catch {
                throw LedgerError(
                    .invalidInput, "models: cannot create \(modelsFolder.path): \(error.localizedDescription)")
            }
            try KeyFiles.writePublic(modelsFolder.standardizedFileURL.path + "\n", to: paths.modelsLocation)
        }
        let signer = try NoteSigner(name: origin, privateKey: .generate())
        try KeyFiles.writePrivate(signer.keyString + "\n", to: paths.logPrivateKey)
        try KeyFiles.writePublic(signer.verifier.keyString + "\n", to: paths.logVerifierKey)
        let signingKey = try P256PrivateKey.generate()
        try KeyFiles.writePrivate(try signingKey.pemRepresentation, to: paths.signingPrivateKey)
        try KeyFiles.writePublic(try signingKey.publicKey.pemRepresentation, to: paths.signingPublicKey)
        let trust = JSONObject([
            ("origin", .string(origin)), ("log_key", .string(signer.verifier.keyString)),
            ("signing_key", .string(try signingKey.publicKey.pemRepresentation)),
        ])
        try KeyFiles.writePublic(
            String(decoding: CanonicalJSON.encode(.object(trust)), as: UTF8.self) + "\n", to: paths.trust)
        let database: Database
        if let postgres {
            database = postgres
            try KeyFiles.writePrivate(postgresURL! + "\n", to: paths.databaseURL)
        } else {
            // The database holds the vault: create it 0600 before SQLite does (its WAL and shared-memory
            // files take the same mode).
            let created = open(paths.database.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard created >= 0 else {
                throw LedgerError(
                    .invalidInput, "cannot create \(paths.database.path): \(String(cString: strerror(errno)))")
            }
            close(created)
            database = try Database(path: paths.database.path)
        }
        try database.writeTransaction {
            try database.execute(database.isPostgres ? LedgerSchema.postgresStatements : LedgerSchema.statements)
            try database.run(
                "INSERT INTO meta (key, value) VALUES ('format', 'assent-ledger'), ('schema', ?), ('origin', ?)",
                [.text(LedgerSchema.version), .text(origin)])
            let empty = Checkpoint(origin: origin, size: 0, root: MerkleHasher.emptyRoot)
            try database.run(
                "INSERT INTO checkpoints (size, note) VALUES (0, ?)",
                [.text(try SignedNote.sign(text: empty.text, with: signer))])
        }
        return try Ledger(opening: folder)
    }

    /// Opens the ledger in `folder`.
    /// - Throws: ``LedgerError`` with code `notALedger` when the folder holds no Assent ledger.
    public init(opening folder: URL) throws {
        let paths = LedgerPaths(folder: folder)
        let onPostgres = FileManager.default.fileExists(atPath: paths.databaseURL.path)
        guard onPostgres || FileManager.default.fileExists(atPath: paths.database.path) else {
            throw LedgerError(.notALedger, "no Assent ledger in \(folder.path) (run assent init, or pass --ledger)")
        }
        for file in [paths.database, paths.vaultKey, paths.databaseURL] {
            var info = stat()
            if stat(file.path, &info) == 0 { try KeyFiles.refuseIfShared(file, mode: UInt32(info.st_mode)) }
        }
        let database =
            onPostgres
            ? try Database(postgresURL: try KeyFiles.readPrivate(paths.databaseURL).trimmingSuffixNewline())
            : try Database(path: paths.database.path, create: false)
        let format: String?
        do {
            format = try database.withStatement("SELECT value FROM meta WHERE key = 'format'") { statement in
                try statement.step() ? statement.text(0) : nil
            }
        } catch {
            throw LedgerError(.notALedger, "\(database.name) is not an Assent ledger database")
        }
        guard format == "assent-ledger" else {
            throw LedgerError(.notALedger, "\(database.name) is not an Assent ledger database")
        }
        let schema = try database.withStatement("SELECT value FROM meta WHERE key = 'schema'") { statement in
            try statement.step() ? statement.text(0) : nil
        }
        guard schema == LedgerSchema.version else {
            throw LedgerError(
                .notALedger,
                "\(database.name) holds a ledger of schema version \(schema ?? "none"); this assent reads version \(LedgerSchema.version)"
            )
        }
        let storedOrigin = try database.withStatement("SELECT value FROM meta WHERE key = 'origin'") { statement in
            try statement.step() ? statement.text(0) : nil
        }
        guard let origin = storedOrigin else { throw LedgerError(.notALedger, "the ledger has no origin") }
        let keyText = try KeyFiles.readText(paths.logVerifierKey).trimmingSuffixNewline()
        let verifier: NoteVerifier
        do { verifier = try NoteVerifier(keyText) } catch {
            throw LedgerError(.key, "\(paths.logVerifierKey.path): \(error.message)")
        }
        guard verifier.name == origin else {
            throw LedgerError(
                .key, "\(paths.logVerifierKey.path) is for \"\(verifier.name)\", not this ledger's origin \"\(origin)\""
            )
        }
        self.paths = paths
        modelsFolder =
            FileManager.default.fileExists(atPath: paths.modelsLocation.path)
            ? URL(fileURLWithPath: try KeyFiles.readText(paths.modelsLocation).trimmingSuffixNewline())
            : paths.defaultModels
        self.origin = origin
        self.verifier = verifier
        self.database = database
        try checkWatermark()
    }

    /// The log's signer, read from `log.key` on first use (which must be mode 0600).
    func signer() throws -> NoteSigner {
        if let cachedSigner { return cachedSigner }
        let text = try KeyFiles.readPrivate(paths.logPrivateKey)
        let signer: NoteSigner
        do { signer = try NoteSigner(keyString: text) } catch {
            throw LedgerError(.key, "\(paths.logPrivateKey.path): \(error.message)")
        }
        guard signer.verifier == verifier else {
            throw LedgerError(.key, "\(paths.logPrivateKey.path) does not match \(paths.logVerifierKey.path)")
        }
        cachedSigner = signer
        return signer
    }

    /// Runs `body` in one write transaction and commits it with a signed checkpoint for the new size.
    ///
    /// If `body` throws, nothing it appended is kept. Everything `body` reads through the writer is
    /// read under the write lock.
    /// - Throws: what `body` throws, ``LedgerError`` or ``StorageError``.
    public func write<T>(_ body: (LogWriter) throws -> T) throws -> T {
        let signer = try self.signer()
        var signed: String? = nil
        let result = try database.writeTransaction {
            let writer = try LogWriter(database: database, signer: signer, origin: origin, timestamp: clock())
            let result = try body(writer)
            signed = try writer.finish()
            return result
        }
        if let signed { recordWatermark(signed) }
        return result
    }
}

extension Ledger {
    /// The ECDSA P-256 signing key for model signatures and attestations (`signing-key.pem`, mode 0600).
    public func signingKey() throws -> P256PrivateKey {
        let text = try KeyFiles.readPrivate(paths.signingPrivateKey)
        do { return try P256PrivateKey(pemRepresentation: text) } catch {
            throw LedgerError(.key, "\(paths.signingPrivateKey.path): \(error)")
        }
    }

    /// The public half, as published in `signing-key.pub.pem` and `trust.json`.
    public func signingPublicKeyPEM() throws -> String { try KeyFiles.readText(paths.signingPublicKey) }
}

import ArgumentParser
import AssentLog
import Foundation

extension AssentCommand {
    /// `assent init`: creates a ledger folder with its keys.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a new ledger: the database, the log's Ed25519 key and the ECDSA P-256 signing key.",
            discussion: """
                Private keys are written with mode 0600. An existing ledger is never overwritten.

                By default the ledger's database is SQLite, in the ledger folder. With --database it is an \
                empty PostgreSQL database (or schema): the folder then holds the keys and the database's URL \
                (mode 0600), and a copy of the folder on another machine is a further writer of the same \
                ledger. A password comes from the URL, PGPASSWORD or ~/.pgpass, as libpq finds it; it is \
                never printed. With --models the model folders go to a shared folder (a network mount, say) \
                that every copy of the ledger folder names; a command that needs a model folder this machine \
                lacks says which and where it looked.

                  assent init --origin example.org/training --database postgresql://assent@db.internal:5432/ledger
                """)

        @OptionGroup var global: GlobalOptions

        @Option(help: "The log's origin, the first line of every checkpoint (default: assent.local/<random>).")
        var origin: String?

        @Option(
            help: ArgumentHelp(
                "Keep the log and the vault in this empty PostgreSQL database instead of SQLite.",
                valueName: "postgresql://USER@HOST:PORT/DB"))
        var database: String?

        @Option(
            help: ArgumentHelp(
                "Keep model folders in this shared folder (created if missing) instead of models/ in the ledger folder.",
                valueName: "dir"))
        var models: String?

        func run() throws {
            try reportingErrors {
                let ledger = try Ledger.create(
                    at: global.ledgerFolder, origin: origin, postgresURL: database,
                    modelsFolder: models.map { URL(fileURLWithPath: $0) })
                let location = ledger.databaseName
                if global.json {
                    Console.json(
                        JSONObject([
                            ("ledger", .string(ledger.paths.folder.path)), ("origin", .string(ledger.origin)),
                            ("log_key", .string(ledger.verifier.keyString)), ("database", .string(location)),
                            ("models", .string(ledger.modelsFolder.path)),
                        ]))
                } else {
                    Console.line("Created ledger \(ledger.paths.folder.path)")
                    Console.line("  database:     \(location)")
                    Console.line("  models:       \(ledger.modelsFolder.path)")
                    Console.line("  origin:       \(ledger.origin)")
                    Console.line("  verifier key: \(ledger.verifier.keyString)")
                    Console.line("  publish:      \(ledger.paths.trust.path)")
                }
            }
        }
    }
}

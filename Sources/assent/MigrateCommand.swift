import ArgumentParser
import AssentLog
import Foundation

/// `assent migrate`: moves an SQLite ledger to PostgreSQL.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy an SQLite ledger into an empty PostgreSQL database, verify the copy and switch to it.",
        discussion: """
            Everything (the log, its checkpoints and tiles, the vault and the derived tables) is copied in \
            one PostgreSQL transaction, read back and compared with the original: every table's row count, \
            all entries, every checkpoint and the tree root. Only then does the folder switch: it records the \
            database's URL (database.url, mode 0600) and the SQLite file is renamed ledger.sqlite.migrated, \
            so no command writes to it again; keep it as a backup or delete it. Last, the migrated ledger is \
            verified as assent log verify does. If anything fails before the switch, the folder is as it was \
            and the database is left empty.

            Content files kept beside the database (samples over the inline limit) stay in the folder; \
            copy them along with the folder to further writers.

              assent migrate --ledger ./.assent --to postgresql://assent@db.internal:5432/ledger
            """)

    @OptionGroup var global: GlobalOptions

    @Option(
        help: ArgumentHelp(
            "An empty PostgreSQL database (or schema) to move the ledger to.",
            valueName: "postgresql://USER@HOST:PORT/DB"))
    var to: String

    func run() throws {
        try reportingErrors {
            let progress = global.makeProgress()
            defer { progress.finish() }
            let report = try global.openLedger().migrate(to: to) { copied in
                progress.update("copying rows", done: copied, total: nil)
            }
            let (verified, derived) = try verifyWithDerivedTables(try global.openLedger(), progress: progress)
            progress.finish()
            let rows = report.rows.values.reduce(0, +)
            if global.json {
                Console.json(
                    JSONObject([
                        ("database", .string(report.database)), ("entries", .integer(Int64(report.entries))),
                        ("checkpoints", .integer(Int64(report.checkpoints))), ("rows", .integer(Int64(rows))),
                        ("root", .string(Base64.encode(verified.root))), ("derived_rows", .integer(Int64(derived))),
                        ("retired", .string(report.retiredDatabase)),
                    ]))
            } else {
                Console.line("migrated to \(report.database)")
                Console.line(
                    "ok: \(rows) rows in \(report.rows.count) tables copied and compared (\(report.entries) entries, \(report.checkpoints) checkpoints)"
                )
                Console.line(
                    "ok: log verified on PostgreSQL, root \(Base64.encode(verified.root)); \(derived) derived rows")
                Console.line("the SQLite file is now \(report.retiredDatabase) (a backup; no command uses it)")
            }
        }
    }
}

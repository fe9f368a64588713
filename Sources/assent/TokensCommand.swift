import ArgumentParser
import AssentLog
import AssentOperations
import AssentRecords

/// `assent tokens`: the bearer tokens `assent serve` accepts.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Issue, list and revoke the bearer tokens of assent serve.",
        discussion: """
            Roles: admin (everything), ingest (POST /v1/ingest), revoke (consents and revocations), train \
            (snapshots, training, reproduction), audit (read only). Every role can read. Only a SHA-256 digest \
            of a token is stored, in the ledger's database, so every server of a shared ledger honours it.
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    /// `assent tokens create`.
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a token; its first word on stdout is the token, shown this once.",
            discussion: "Example: TOKEN=$(assent tokens create --role ingest --note pipeline-a | cut -d' ' -f1)")
        @OptionGroup var global: GlobalOptions
        @Option(help: "admin, ingest, revoke, train or audit.")
        var role: String
        @Option(help: "What the token is for (shown by list).")
        var note = ""

        func validate() throws {
            guard TokenRole(rawValue: role) != nil else {
                throw ValidationError(
                    "--role must be one of \(TokenRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() throws {
            try reportingErrors {
                let registry = try TokenRegistry(store: try RecordStore(ledger: try global.openLedger()))
                let (token, record) = try registry.create(role: TokenRole(rawValue: role)!, note: note)
                if global.json {
                    var object = record.json
                    object["token"] = .string(token)
                    Console.json(object)
                } else {
                    Console.line("\(token)  (id \(record.id), role \(record.role.rawValue); shown once: store it now)")
                }
            }
        }
    }

    /// `assent tokens list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try reportingErrors {
                let records = try TokenRegistry(store: try RecordStore(ledger: try global.openLedger())).list()
                if global.json {
                    Console.json(JSONObject([("tokens", .array(records.map { .object($0.json) }))]))
                    return
                }
                if records.isEmpty { Console.line("no tokens (assent tokens create --role ROLE issues one)") }
                for record in records {
                    let state = record.revokedAt.map { "revoked \($0)" } ?? "valid"
                    Console.line("\(record.id)  \(record.role.rawValue)  \(record.createdAt)  \(state)  \(record.note)")
                }
            }
        }
    }

    /// `assent tokens revoke`.
    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token; the server refuses it at once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The token's id (tok-…).")
        var id: String

        func run() throws {
            try reportingErrors {
                let record = try TokenRegistry(store: try RecordStore(ledger: try global.openLedger())).revoke(id)
                if global.json { Console.json(record.json) } else { Console.line("revoked \(record.id)") }
            }
        }
    }
}

import ArgumentParser
import AssentLog
import Foundation

extension AssentCommand {
    /// `assent init`: creates a ledger folder with its keys.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a new ledger: the database, the log's Ed25519 key and the ECDSA P-256 signing key.",
            discussion: "Private keys are written with mode 0600. An existing ledger is never overwritten.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "The log's origin, the first line of every checkpoint (default: assent.local/<random>).")
        var origin: String?

        func run() throws {
            try reportingErrors {
                let ledger = try Ledger.create(at: global.ledgerFolder, origin: origin)
                if global.json {
                    Console.json(
                        JSONObject([
                            ("ledger", .string(ledger.paths.folder.path)), ("origin", .string(ledger.origin)),
                            ("log_key", .string(ledger.verifier.keyString)),
                        ]))
                } else {
                    Console.line("Created ledger \(ledger.paths.folder.path)")
                    Console.line("  origin:       \(ledger.origin)")
                    Console.line("  verifier key: \(ledger.verifier.keyString)")
                    Console.line("  publish:      \(ledger.paths.trust.path)")
                }
            }
        }
    }
}

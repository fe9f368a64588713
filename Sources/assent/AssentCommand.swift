import ArgumentParser
import AssentLog
import Dispatch
import Foundation

/// The `assent` command: a training-data provenance and consent ledger.
@main
struct AssentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assent",
        abstract: "Record licence and consent for training data in a verifiable, append-only ledger.",
        discussion: """
            Licence and consent for every sample live in an append-only RFC 6962 Merkle log in SQLite, \
            committed to by signed C2SP checkpoints; content and identities live in an erasable vault \
            beside it. Every command takes --ledger DIR (default: $ASSENT_LEDGER, else ./.assent).

            Ingest:   assent init; assent consent grant --subject ID --purpose ai-training; assent ingest data.jsonl
            Train:    assent train --trainer logistic --shards 4
            Revoke:   assent revoke --subject ID --reproduce   (dependent models turn stale at once)
            Verify:   assent prove MODEL --out-dir proof/; assent verify proof/ --model DIR --trust trust.json
            Audit:    assent log verify; assent log checkpoint; assent log prove N
            Try it:   assent demo
            """,
        version: "0.1.0",
        subcommands: [
            Init.self, IngestCommand.self, ConsentCommand.self, RevokeCommand.self, EraseCommand.self,
            SnapshotCommand.self,
            StatusCommand.self,
            TrainCommand.self, EvaluateCommand.self, ModelsCommand.self, ModelCommand.self, ReproduceCommand.self,
            SweepCommand.self, MigrateCommand.self,
            ProveCommand.self, VerifyCommand.self, KeysCommand.self, LicenseCommand.self, LogCommand.self,
            ProofCommand.self, TokensCommand.self, ServeCommand.self, WitnessCommand.self, SourceCommand.self,
            ExportCommand.self, LineageCommand.self,

            DemoCommand.self,
        ]
    )

    /// Runs the command, first making sure that an interrupted run leaves no sample copies behind.
    static func main() {
        // `assent serve …` becomes the server binary, before any parsing (its --help is the server's)
        // and before signal handling is installed (an ignored signal would stay ignored across exec).
        if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "serve" {
            ServeCommand.execServer(Array(CommandLine.arguments.dropFirst(2)))
        }
        SignalCleanup.install()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

/// On SIGINT, SIGTERM or SIGHUP: kill the external jobs this process started, delete its work
/// folders (they hold copies of samples), then die of the same signal. SIGKILL cannot be caught; the
/// next run sweeps what a killed one left (``WorkFolder/sweepLeftovers(in:)``).
enum SignalCleanup {
    /// The signal sources; created once, kept for the life of the process.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// Installs the handlers.
    static func install() {
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                CleanupRegistry.shared.cleanUpAfterSignal()
                signal(number, SIG_DFL)
                kill(getpid(), number)
            }
            source.resume()
            sources.append(source)
        }
    }
}

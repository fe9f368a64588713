import ArgumentParser

/// The `assent` command: a training-data provenance and consent ledger.
@main
struct AssentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assent",
        abstract: "Record licence and consent for training data in a verifiable, append-only ledger.",
        discussion: """
            The ledger is an RFC 6962 Merkle log in SQLite, committed to by signed C2SP checkpoints. \
            Every command takes --ledger DIR (default: $ASSENT_LEDGER, else ./.assent).

            Start with:  assent init   then   assent log append --type note --json '{"text":"hello"}'
            Audit with:  assent log verify, assent log checkpoint, assent log prove N
            """,
        version: "0.1.0",
        subcommands: [
            Init.self, IngestCommand.self, ConsentCommand.self, RevokeCommand.self, EraseCommand.self,
            SnapshotCommand.self,
            StatusCommand.self,
            TrainCommand.self, EvaluateCommand.self, ModelsCommand.self, ModelCommand.self, ReproduceCommand.self,
            SweepCommand.self,
            ProveCommand.self, VerifyCommand.self, KeysCommand.self, LicenseCommand.self, LogCommand.self,
            ProofCommand.self,
            DemoCommand.self,
        ]
    )
}

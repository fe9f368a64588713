internal import AssentLog
internal import AssentOperations
internal import AssentStorage
internal import Foundation

/// Runs the ledger's blocking work (SQLite or libpq calls) one job at a time on a thread of its own,
/// so request handlers await it instead of blocking the server's threads. One connection, one writer:
/// the database serialises writers anyway, and a single queue keeps the connection's state simple.
///
/// The validation phase of an ingest, which only reads, runs on a second connection to the same ledger
/// and a thread of its own, so it goes on while the writer waits for a commit to reach the disk; token
/// checks run on a third. On SQLite one more connection checkpoints the write-ahead log beside the
/// writer (``CheckpointScheduler``). Withdrawals of consent go before the writer's waiting jobs.
final class LedgerWorker: Sendable {
    private let writer: JobQueue
    /// The second connection's queue, or nil when it could not be opened (the writer's thread then reads
    /// too).
    private let reader: JobQueue?
    /// A connection of its own for token checks, so they never wait for a validation (on PostgreSQL a
    /// group's validation takes long enough to matter); nil when it could not be opened.
    private let tokens: JobQueue?

    /// A worker over `operations`, which only it touches from now on.
    init(operations: Operations) {
        let folder = operations.ledger.paths.folder
        let database = operations.ledger.database
        // Checkpoints beside the writer on SQLite; if their connection cannot be opened, SQLite's own stay on.
        let checkpoints =
            database.isPostgres
            ? nil : try? CheckpointScheduler(path: operations.ledger.paths.database.path, writer: database)
        writer = JobQueue(label: "assent.ledger", operations: operations) {
            checkpoints?.afterWrite(on: $0.ledger.database)
        }
        func connection(_ label: String) -> JobQueue? {
            (try? Operations(ledger: Ledger(opening: folder))).map { JobQueue(label: label, operations: $0) }
        }
        reader = connection("assent.ledger.reader")
        tokens = connection("assent.ledger.tokens")
    }

    /// Runs `body`, a token check (which must not write), on the token connection, or first on another.
    func checkToken<T: Sendable>(_ body: @escaping @Sendable (Operations) throws -> T) async throws -> T {
        try await (tokens ?? reader ?? writer).run(urgent: true, body)
    }

    /// How many jobs wait for the writer's thread (not counting the one under way).
    var waitingJobs: Int { writer.waitingJobs }

    /// Queues `body` on the worker's thread without waiting for it.
    func enqueue(_ body: @escaping @Sendable (Operations) -> Void) {
        writer.submit(urgent: false, body)
    }

    /// Runs `body` on the worker's thread and returns what it returns. An `urgent` job (a withdrawal of
    /// consent) goes before every job still waiting, so it waits for the job under way at most.
    func run<T: Sendable>(urgent: Bool = false, _ body: @escaping @Sendable (Operations) throws -> T)
        async throws -> T
    {
        try await writer.run(urgent: urgent, body)
    }

    /// Queues `body`, which must not write, on the reading thread without waiting for it.
    func enqueueRead(_ body: @escaping @Sendable (Operations) -> Void) {
        (reader ?? writer).submit(urgent: false, body)
    }
}

internal import AssentLog
internal import AssentOperations
internal import AssentStorage
internal import Foundation
internal import Synchronization

/// Runs the ledger's blocking work (SQLite or libpq calls) one job at a time on a thread of its own,
/// so request handlers await it instead of blocking the server's threads. One connection, one writer:
/// the database serialises writers anyway, and a single queue keeps the connection's state simple.
///
/// Work that only reads (token checks, the validation phase of an ingest) runs on a second connection
/// to the same ledger and a thread of its own, so it goes on while the writer waits for a commit to
/// reach the disk. On SQLite a third connection checkpoints the write-ahead log beside the writer
/// (``CheckpointScheduler``).
final class LedgerWorker: @unchecked Sendable {
    private let queue = DispatchQueue(label: "assent.ledger")
    private let readQueue = DispatchQueue(label: "assent.ledger.reader")
    private let operations: Operations
    /// The second connection, or nil when it could not be opened (the writer's thread then reads too).
    private let reader: Operations?
    /// Checkpoints on SQLite; nil on PostgreSQL (or when its connection could not be opened: SQLite's
    /// own checkpoints then stay on).
    let checkpoints: CheckpointScheduler?

    /// A worker over `operations`, which only it touches from now on.
    init(operations: Operations) {
        self.operations = operations
        reader = try? Operations(ledger: Ledger(opening: operations.ledger.paths.folder))
        let writer = operations.ledger.database
        checkpoints =
            writer.isPostgres
            ? nil : try? CheckpointScheduler(path: operations.ledger.paths.database.path, writer: writer)
    }

    /// Queues `body` on the worker's thread without waiting for it.
    func enqueue(_ body: @escaping @Sendable (Operations) -> Void) {
        submit(body, urgent: false)
    }

    /// Runs `body` on the worker's thread and returns what it returns. An `urgent` job (a withdrawal of
    /// consent) goes before every job still waiting, so it waits for the job under way at most.
    func run<T: Sendable>(urgent: Bool = false, _ body: @escaping @Sendable (Operations) throws -> T)
        async throws -> T
    {
        try await withCheckedThrowingContinuation { continuation in
            submit({ operations in continuation.resume(with: Result { try body(operations) }) }, urgent: urgent)
        }
    }

    /// Jobs waiting for the worker's thread, urgent ones first. Each block queued on `queue` runs the
    /// first waiting job, so every job runs exactly once.
    private struct Waiting {
        var urgent: [@Sendable (Operations) -> Void] = []
        var other: [@Sendable (Operations) -> Void] = []
    }
    private let waiting = Mutex(Waiting())

    /// How many jobs wait for the worker's thread (not counting the one under way).
    var waitingJobs: Int { waiting.withLock { $0.urgent.count + $0.other.count } }

    private func submit(_ job: @escaping @Sendable (Operations) -> Void, urgent: Bool) {
        waiting.withLock { urgent ? $0.urgent.append(job) : $0.other.append(job) }
        queue.async {
            let next = self.waiting.withLock { $0.urgent.isEmpty ? $0.other.removeFirst() : $0.urgent.removeFirst() }
            next(self.operations)
            self.checkpoints?.afterWrite(on: self.operations.ledger.database)
        }
    }

    /// Queues `body`, which must not write, on the reading thread without waiting for it.
    func enqueueRead(_ body: @escaping @Sendable (Operations) -> Void) {
        guard reader != nil else { return enqueue(body) }
        readQueue.async { body(self.reader!) }
    }

    /// Runs `body`, which must not write, on the reading thread and returns what it returns.
    func read<T: Sendable>(_ body: @escaping @Sendable (Operations) throws -> T) async throws -> T {
        guard reader != nil else { return try await run(body) }
        return try await withCheckedThrowingContinuation { continuation in
            readQueue.async { continuation.resume(with: Result { try body(self.reader!) }) }
        }
    }
}

internal import AssentOperations
internal import Foundation

/// Runs the ledger's blocking work (SQLite or libpq calls) one job at a time on a thread of its own,
/// so request handlers await it instead of blocking the server's threads. One connection, one writer:
/// the database serialises writers anyway, and a single queue keeps the connection's state simple.
final class LedgerWorker: @unchecked Sendable {
    private let queue = DispatchQueue(label: "assent.ledger")
    private let operations: Operations

    /// A worker over `operations`, which only it touches from now on.
    init(operations: Operations) { self.operations = operations }

    /// Queues `body` on the worker's thread without waiting for it.
    func enqueue(_ body: @escaping @Sendable (Operations) -> Void) {
        queue.async { body(self.operations) }
    }

    /// Runs `body` on the worker's thread and returns what it returns.
    func run<T: Sendable>(_ body: @escaping @Sendable (Operations) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self.operations) }) }
        }
    }
}

internal import AssentOperations
internal import Foundation
internal import Synchronization

/// One connection's jobs, run one at a time on a thread of their own, urgent ones before every job still
/// waiting (so an urgent job waits at most for the one under way). Each block queued on the dispatch
/// queue runs the first waiting job, so every job runs exactly once.
final class JobQueue: @unchecked Sendable {
    private struct Waiting {
        var urgent: [@Sendable (Operations) -> Void] = []
        var other: [@Sendable (Operations) -> Void] = []
    }

    private let queue: DispatchQueue
    private let operations: Operations
    private let afterEach: (@Sendable (Operations) -> Void)?
    private let waiting = Mutex(Waiting())

    /// A queue running jobs on `operations`, which only it touches from now on, calling `afterEach`
    /// (on the same thread) after every job.
    init(label: String, operations: Operations, afterEach: (@Sendable (Operations) -> Void)? = nil) {
        queue = DispatchQueue(label: label)
        self.operations = operations
        self.afterEach = afterEach
    }

    /// How many jobs wait (not counting the one under way).
    var waitingJobs: Int { waiting.withLock { $0.urgent.count + $0.other.count } }

    /// Queues `job`, before the jobs waiting if it is `urgent`.
    func submit(urgent: Bool, _ job: @escaping @Sendable (Operations) -> Void) {
        waiting.withLock { urgent ? $0.urgent.append(job) : $0.other.append(job) }
        queue.async {
            let next = self.waiting.withLock { $0.urgent.isEmpty ? $0.other.removeFirst() : $0.urgent.removeFirst() }
            next(self.operations)
            self.afterEach?(self.operations)
        }
    }

    /// Runs `body` as a job and returns what it returns.
    func run<T: Sendable>(urgent: Bool, _ body: @escaping @Sendable (Operations) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit(urgent: urgent) { operations in continuation.resume(with: Result { try body(operations) }) }
        }
    }
}

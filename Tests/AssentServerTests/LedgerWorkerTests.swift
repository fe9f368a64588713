import AssentOperations
@testable import AssentServer
import Foundation
import Synchronization
import Testing

/// What the jobs did, in order.
final class JobLog: Sendable {
    private let entries = Mutex<[String]>([])
    func append(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

/// The writer's queue: a withdrawal goes before the jobs waiting, never before the one under way.
@Suite struct LedgerWorkerTests {
    @Test func anUrgentJobOvertakesWaitingJobs() async throws {
        let fixture = try ServerFixture()
        defer { fixture.cleanUp() }
        let worker = LedgerWorker(operations: fixture.operations)
        let order = JobLog()
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        worker.enqueue { _ in
            started.signal()
            release.wait()
            order.append("under way")
        }
        started.wait()
        worker.enqueue { _ in order.append("waiting 1") }
        worker.enqueue { _ in order.append("waiting 2") }
        async let urgent: Void = worker.run(urgent: true) { _ in order.append("urgent") }
        async let last: Void = worker.run { _ in order.append("waiting 3") }
        // Let both reach the queue while the first job still holds the thread.
        while worker.waitingJobs < 4 { try await Task.sleep(nanoseconds: 1_000_000) }
        release.signal()
        _ = try await (urgent, last)
        #expect(order.all == ["under way", "urgent", "waiting 1", "waiting 2", "waiting 3"])
    }
}

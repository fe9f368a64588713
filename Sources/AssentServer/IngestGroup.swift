internal import AssentLog
internal import AssentOperations
internal import AssentRecords
internal import Synchronization

/// Group commit for `POST /v1/ingest`. The reading thread validates requests as they arrive (phase 1
/// of an ingest, in memory: it only reads); validated requests wait for the worker, which commits all
/// that are waiting in one write transaction (one fsync and one signed checkpoint for all of them)
/// while the reader goes on validating the next arrivals. Each request still gets its own report or
/// error; a request is answered only after the transaction holding it committed.
final class IngestGroup: Sendable {
    /// One waiting request.
    struct Request: Sendable {
        let body: [UInt8]
        let defaults: JSONObject
        let skipInvalid: Bool
    }

    private typealias Reply = CheckedContinuation<JSONObject, any Error>

    /// A validated request waiting for the worker. `@unchecked Sendable`: the reading thread hands it to
    /// the worker and keeps no copy.
    private struct Validated: @unchecked Sendable {
        let prepared: Result<PreparedIngest, any Error>
        let reply: Reply
    }

    /// Requests waiting for validation, and validated requests waiting for the worker.
    private struct Queues {
        var arriving: [(request: Request, reply: Reply)] = []
        var validated: [Validated] = []
    }

    private let worker: LedgerWorker
    private let queues = Mutex(Queues())

    init(worker: LedgerWorker) { self.worker = worker }

    /// Ingests `request` with whatever else is waiting; returns its report (with the log's size).
    func submit(_ request: Request) async throws -> JSONObject {
        try await withCheckedThrowingContinuation { reply in
            let isFirst = queues.withLock { queues in
                queues.arriving.append((request, reply))
                return queues.arriving.count == 1
            }
            // The first arrival schedules a validation; the rest join it until it starts.
            if isFirst { worker.enqueueRead { self.validateArriving($0) } }
        }
    }

    private func validateArriving(_ reader: Operations) {
        let arrived = queues.withLock { queues in
            defer { queues.arriving.removeAll() }
            return queues.arriving
        }
        let manifests = arrived.enumerated().map { index, item in
            var options = IngestOptions()
            options.readsFiles = false
            options.skipInvalid = item.request.skipInvalid
            return (
                source: ManifestSource.memory(name: "request \(index)", jsonl: item.request.body),
                defaults: IngestDefaults(fields: item.request.defaults), options: options
            )
        }
        let prepared = reader.prepareIngests(manifests)
        let isFirst = queues.withLock { queues in
            queues.validated += zip(prepared, arrived).map { Validated(prepared: $0, reply: $1.reply) }
            return queues.validated.count == arrived.count
        }
        // The first validated requests schedule a commit; the rest join them until it starts.
        if isFirst { worker.enqueue { self.commitValidated($0) } }
    }

    private func commitValidated(_ operations: Operations) {
        let group = queues.withLock { queues in
            defer { queues.validated.removeAll() }
            return queues.validated
        }
        let (results, _) = operations.commitPrepared(group.map(\.prepared))
        do {
            let size = try operations.ledger.size()
            for (item, result) in zip(group, results) {
                item.reply.resume(
                    with: result.map { report in
                        var answer = report.json
                        answer["log_size"] = .integer(Int64(size))
                        return answer
                    })
            }
        } catch {
            for item in group { item.reply.resume(throwing: error) }
        }
    }
}

internal import AssentLog
internal import AssentOperations
internal import AssentRecords
internal import Foundation
internal import Synchronization

/// Group commit for `POST /v1/ingest`: requests that arrive while the worker is busy wait together, and
/// the worker then validates each on its own and commits the valid ones in one write transaction (one
/// fsync and one signed checkpoint for all of them). Each request still gets its own report or error;
/// a request is answered only after the transaction holding it committed.
final class IngestGroup: Sendable {
    /// One waiting request.
    struct Request: Sendable {
        let body: [UInt8]
        let defaults: JSONObject
        let skipInvalid: Bool
    }

    private typealias Waiting = (request: Request, reply: CheckedContinuation<JSONObject, any Error>)
    private let worker: LedgerWorker
    private let waiting = Mutex<[Waiting]>([])

    init(worker: LedgerWorker) { self.worker = worker }

    /// Ingests `request` with whatever else is waiting; returns its report (with the log's size).
    func submit(_ request: Request) async throws -> JSONObject {
        try await withCheckedThrowingContinuation { reply in
            let isFirst = waiting.withLock { waiting in
                waiting.append((request, reply))
                return waiting.count == 1
            }
            // The first request of a group schedules its commit; the rest join it until it starts.
            if isFirst { worker.enqueue { self.commitWaiting($0) } }
        }
    }

    private func commitWaiting(_ operations: Operations) {
        let group = waiting.withLock { waiting in
            defer { waiting.removeAll() }
            return waiting
        }
        do {
            let folder = try WorkFolder(ledger: operations.ledger.paths, prefix: "http-ingest", inMemory: true)
            defer { folder.remove() }
            var manifests: [(source: ManifestSource, defaults: IngestDefaults, options: IngestOptions)] = []
            for (index, item) in group.enumerated() {
                let manifest = folder.url.appendingPathComponent("request-\(index).jsonl")
                try HTTPBody.write(item.request.body, to: manifest)
                var options = IngestOptions()
                options.readsFiles = false
                options.skipInvalid = item.request.skipInvalid
                manifests.append((.jsonl(manifest), IngestDefaults(fields: item.request.defaults), options))
            }
            let (results, _) = operations.ingestTogether(manifests)
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

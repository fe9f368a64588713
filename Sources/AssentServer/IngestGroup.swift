internal import AssentLog
internal import AssentOperations
internal import AssentRecords
internal import Foundation
internal import Synchronization

/// Group commit for `POST /v1/ingest`: requests that arrive together wait together; the reading
/// thread validates each on its own, and the worker then commits the valid ones in one write
/// transaction (one fsync and one signed checkpoint for all of them). While the worker commits one
/// group, the next is validated. Each request still gets its own report or error; a request is
/// answered only after the transaction holding it committed.
final class IngestGroup: Sendable {
    /// One waiting request.
    struct Request: Sendable {
        let body: [UInt8]
        let defaults: JSONObject
        let skipInvalid: Bool
    }

    private typealias Waiting = (request: Request, reply: CheckedContinuation<JSONObject, any Error>)

    /// A validated group on its way from the reading thread to the worker, with the scratch folder
    /// its manifests are in. `@unchecked Sendable`: one thread hands it to the next and keeps no copy.
    private struct Validated: @unchecked Sendable {
        let folder: WorkFolder
        let prepared: [Result<PreparedIngest, any Error>]
    }

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
            // The first request of a group schedules its validation; the rest join it until it starts.
            if isFirst { worker.enqueueRead { self.validateWaiting($0) } }
        }
    }

    private func validateWaiting(_ reader: Operations) {
        let group = waiting.withLock { waiting in
            defer { waiting.removeAll() }
            return waiting
        }
        do {
            let folder = try WorkFolder(ledger: reader.ledger.paths, prefix: "http-ingest", inMemory: true)
            var manifests: [(source: ManifestSource, defaults: IngestDefaults, options: IngestOptions)] = []
            do {
                for (index, item) in group.enumerated() {
                    let manifest = folder.url.appendingPathComponent("request-\(index).jsonl")
                    try HTTPBody.write(item.request.body, to: manifest)
                    var options = IngestOptions()
                    options.readsFiles = false
                    options.skipInvalid = item.request.skipInvalid
                    manifests.append((.jsonl(manifest), IngestDefaults(fields: item.request.defaults), options))
                }
            } catch {
                folder.remove()
                throw error
            }
            let validated = Validated(folder: folder, prepared: reader.prepareIngests(manifests))
            worker.enqueue { self.commit(validated, group: group, operations: $0) }
        } catch {
            for item in group { item.reply.resume(throwing: error) }
        }
    }

    private func commit(_ validated: Validated, group: [Waiting], operations: Operations) {
        defer { validated.folder.remove() }
        let (results, _) = operations.commitPrepared(validated.prepared)
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

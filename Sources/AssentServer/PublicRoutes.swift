internal import AssentLog
internal import AssentOperations
public import Hummingbird

/// The routes anyone may call, without a token: health, metrics, and the log as C2SP tlog-tiles
/// (`/checkpoint`, `/tile/<L>/<N>[.p/<W>]`, `/tile/entries/<N>[.p/<W>]`), the same bytes
/// `assent log export-tiles` writes.
enum PublicRoutes {
    static func add(to router: Router<BasicRequestContext>, worker: LedgerWorker, metrics: ServerMetrics) {
        router.get("/healthz") { _, _ -> Response in
            let size = try await worker.run { try $0.ledger.size() }
            return HTTPBody.json(JSONObject([("status", .string("ok")), ("log_size", .integer(Int64(size)))]))
        }
        router.get("/metrics") { _, _ -> Response in
            let size = try await worker.run { try $0.ledger.size() }
            return HTTPBody.bytes(metrics.exposition(logSize: size), type: "text/plain; version=0.0.4")
        }
        router.get("/openapi.json") { _, _ -> Response in
            HTTPBody.bytes(Array(OpenAPIDocument.json.utf8), type: "application/json")
        }
        router.get("/checkpoint") { _, _ -> Response in
            // With witnesses, the latest checkpoint that meets their quorum, with its cosignature lines.
            let note = try await worker.run { try WitnessRegistry(store: $0.store).publishable()?.note }
            guard let note else {
                throw APIError(
                    .serviceUnavailable, "no-quorum", "no checkpoint has the witness quorum's cosignatures yet")
            }
            return HTTPBody.bytes(Array(note.utf8), type: "text/plain; charset=utf-8", cacheControl: "max-age=5")
        }
        router.get("/tile/**") { request, _ -> Response in
            let path = String(request.uri.path.dropFirst())
            guard let tile = TLogTiles.parse(path) else {
                throw APIError(
                    .badRequest, "malformed",
                    "\(path) is not a tile path (tile/<L>/<N>[.p/<W>], N in x-prefixed groups of 3 digits)")
            }
            let bytes = try await worker.run { operations in
                let ledger = operations.ledger
                return try ledger.tileContents(tile, size: try ledger.latestCheckpoint().size)
            }
            // A tile of a given index and width never changes; a checkpoint names which to fetch.
            return HTTPBody.bytes(
                bytes, type: "application/octet-stream", cacheControl: "public, max-age=31536000, immutable")
        }
    }
}

internal import AssentEngine
internal import AssentLog
internal import AssentOperations
internal import AssentProofs
internal import AssentRecords
public import Hummingbird
internal import Foundation
internal import Prometheus

/// The `/v1` routes: JSON in and out (NDJSON for manifests), each calling one operation, each behind a
/// bearer token of a role allowed to do it. The answers are what the CLI's `--json` prints.
enum APIRoutes {
    static func add(
        to router: Router<BasicRequestContext>, worker: LedgerWorker, metrics: ServerMetrics, bodyLimit: Int
    ) {
        let ingests = IngestGroup(worker: worker)
        router.get("/v1/status") { request, _ -> Response in
            try await Authorization.require(Authorization.readers, for: request, worker: worker)
            return HTTPBody.json(try await worker.run { try $0.store.status() })
        }
        router.post("/v1/ingest") { request, _ -> Response in
            try await Authorization.require([.ingest], for: request, worker: worker)
            let body = try await HTTPBody.collect(request, limit: bodyLimit)
            let query = request.uri.queryParameters
            var defaults = JSONObject()
            for name in ["license", "source", "attribution", "collected_at", "media_type", "opt_out"] {
                if let value = query.get(name) { defaults[name] = .string(value) }
            }
            let skipInvalid = query.get("skip_invalid").map { $0 == "1" || $0 == "true" } ?? false
            let answer = try await ingests.submit(
                IngestGroup.Request(body: body, defaults: defaults, skipInvalid: skipInvalid))
            metrics.ingestedSamples.increment(by: answer["added"]?.integerValue ?? 0)
            return HTTPBody.json(answer)
        }
        router.post("/v1/consents") { request, _ -> Response in
            try await Authorization.require([.revoke], for: request, worker: worker)
            let body = try await HTTPBody.object(request, limit: bodyLimit)
            try body.onlyFields(["subject", "purposes", "legal_basis", "expires_at", "granted_at", "id"])
            guard let subject = try body.string("subject") else {
                throw APIError(.badRequest, "invalid-input", "subject: required")
            }
            let purposes = try body.strings("purposes") ?? []
            let (legalBasis, expires, granted, id) = (
                try body.string("legal_basis") ?? "consent", try body.string("expires_at"),
                try body.string("granted_at"), try body.string("id")
            )
            let answer = try await worker.run { operations in
                let (consent, _) = try operations.grantConsent(
                    subject: subject, purposes: purposes, legalBasis: legalBasis, grantedAt: granted,
                    expiresAt: expires, id: id)
                let receipt = try ConsentRegistry(store: operations.store).receipt(subject: subject)
                return JSONObject([
                    ("consent", .string(consent.id)), ("record", .object(consent.json)), ("receipt", .object(receipt)),
                ])
            }
            return HTTPBody.json(answer, status: .created)
        }
        router.post("/v1/revocations") { request, _ -> Response in
            try await Authorization.require([.revoke], for: request, worker: worker)
            let body = try await HTTPBody.object(request, limit: bodyLimit)
            try body.onlyFields(["consent", "subject", "samples", "source", "reason", "effective", "reproduce"])
            let targets: [RevocationTarget] = [
                try body.string("consent").map { .consent($0) }, try body.string("subject").map { .subject($0) },
                try body.strings("samples").map { .samples($0) }, try body.string("source").map { .source($0) },
            ].compactMap { $0 }
            guard targets.count == 1, let target = targets.first else {
                throw APIError(
                    .badRequest, "invalid-input", "target: give exactly one of consent, subject, samples or source")
            }
            let (reason, effective, reproduce) = (
                try body.string("reason") ?? "withdrawn", try body.string("effective"), try body.flag("reproduce")
            )
            // A withdrawal goes before the ingests waiting for the writer.
            let outcome = try await worker.run(urgent: true) { operations in
                try operations.revoke(target, reason: reason, effective: effective, reproduce: reproduce).json
            }
            if outcome["revocation"] != .null { metrics.revocations.increment() }
            return HTTPBody.json(outcome)
        }
        router.get("/v1/snapshots/:id") { request, context -> Response in
            try await Authorization.require(Authorization.readers, for: request, worker: worker)
            let id = try context.parameters.require("id")
            return HTTPBody.json(try await worker.run { try SnapshotStore(store: $0.store).load(id).statement })
        }
        router.get("/v1/snapshots/:id/proof") { request, context -> Response in
            try await Authorization.require(Authorization.readers, for: request, worker: worker)
            let id = try context.parameters.require("id")
            let sample = try sampleCommitment(request.uri.queryParameters.get("sample"))
            return HTTPBody.json(
                try await worker.run { operations in
                    let snapshots = SnapshotStore(store: operations.store)
                    return try snapshots.prove(try snapshots.load(id), commitment: sample)
                })
        }
        router.get("/v1/models") { request, _ -> Response in
            try await Authorization.require(Authorization.readers, for: request, worker: worker)
            let staleOnly = request.uri.queryParameters.get("stale").map { $0 == "1" || $0 == "true" } ?? false
            let models = try await worker.run {
                try $0.engine.models(staleOnly: staleOnly).map { JSONValue.object($0.json) }
            }
            return HTTPBody.json(JSONObject([("models", .array(models))]))
        }
        router.get("/v1/models/:id") { request, context -> Response in
            try await Authorization.require(Authorization.readers, for: request, worker: worker)
            let id = try context.parameters.require("id")
            return HTTPBody.json(
                try await worker.run { operations in
                    let record = try operations.engine.model(id)
                    var object = record.json
                    object["snapshot_statement"] = .object(
                        try SnapshotStore(store: operations.store).load(record.snapshot).statement)
                    return object
                })
        }
        router.get("/v1/models/:id/proof") { request, context -> Response in
            try await Authorization.require(Authorization.readers, for: request, worker: worker)
            let id = try context.parameters.require("id")
            let query = request.uri.queryParameters
            let sample = try query.get("sample").map { try sampleCommitment($0) }
            let validity = Int64(query.get("valid_for") ?? "3600") ?? -1
            guard (1...30 * 86_400).contains(validity) else {
                throw APIError(.badRequest, "invalid-input", "valid_for: seconds between 1 and 2592000")
            }
            let bundle = try await worker.run { operations in
                ProofBuilder.bundle(try operations.proof(model: id, sample: sample, validity: validity))
            }
            return HTTPBody.bytes(bundle, type: "application/json")
        }
    }

    /// A sample id `sha256:<hex>` (or bare hex) as its 32 bytes.
    static func sampleCommitment(_ text: String?) throws -> [UInt8] {
        guard let text else { throw APIError(.badRequest, "invalid-input", "sample: required (sha256:<hex>)") }
        let hex = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
        guard let bytes = Hex.decode(hex), bytes.count == 32 else {
            throw APIError(.badRequest, "invalid-input", "sample: expected sha256:<64 hex digits>, not \(text)")
        }
        return bytes
    }
}

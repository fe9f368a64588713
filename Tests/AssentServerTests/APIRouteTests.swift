import AssentEngine
import AssentLog
import AssentOperations
import AssentProofs
import AssentRecords
import AssentServer
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The `/v1` API: tokens and roles, ingest with the CLI's validation, consents, revocations that turn
/// models stale in their own transaction, models and proofs that `assent verify` accepts.
@Suite struct APIRouteTests {
    @Test func refusedRequestsChangeNothing() async throws {
        let fixture = try ServerFixture()
        defer { fixture.cleanUp() }
        let manifest = ByteBuffer(string: #"{"text":"a","license":"MIT","source":"s"}"# + "\n")
        let registry = try TokenRegistry(store: fixture.operations.store)
        let (revoked, record) = try registry.create(role: .ingest)
        try registry.revoke(record.id)
        try await fixture.application().test(.router) { client in
            let refusals: [(HTTPFields, HTTPResponse.Status)] = [
                ([:], .unauthorized), ([.authorization: "Bearer tok-0123456789abcdef.wrong"], .unauthorized),
                ([.authorization: "Basic abc"], .unauthorized), ([.authorization: "Bearer \(revoked)"], .unauthorized),
                (fixture.headers(.audit), .forbidden), (fixture.headers(.revoke), .forbidden),
            ]
            for (headers, status) in refusals {
                try await client.execute(uri: "/v1/ingest", method: .post, headers: headers, body: manifest) {
                    response in
                    #expect(response.status == status)
                    #expect(
                        errorObject(response)["code"] == .string(status == .forbidden ? "forbidden" : "unauthorized"))
                }
            }
            #expect(try fixture.operations.ledger.size() == 0, "a refused request logs nothing")
            try await client.execute(
                uri: "/v1/ingest", method: .post, headers: fixture.headers(.ingest), body: manifest
            ) {
                response in
                #expect(response.status == .ok)
                #expect(object(response)["added"] == .integer(1))
            }
            try await client.execute(uri: "/v1/status", method: .get, headers: fixture.headers(.audit)) { response in
                #expect(object(response)["samples"] == .integer(1))
            }
        }
    }

    @Test func badManifestsAreNamedAndLeaveTheLedgerAsItWas() async throws {
        let fixture = try ServerFixture()
        defer { fixture.cleanUp() }
        let good = #"{"text":"a","license":"MIT","source":"s"}"#
        try await fixture.application(bodyLimit: 4096).test(.router) { client in
            let cases: [(String, HTTPResponse.Status, String?, Int64?)] = [
                (
                    good + "\n" + good.replacingOccurrences(of: "MIT", with: "Not-A-Licence") + "\n", .badRequest,
                    "license", 2
                ),
                (good + "\n{oops\n", .badRequest, nil, 2),
                (#"{"path":"lock","license":"MIT","source":"s"}"#, .badRequest, "path", 1),
                (String(repeating: good + "\n", count: 200), .contentTooLarge, nil, nil),
            ]
            for (body, status, field, line) in cases {
                try await client.execute(
                    uri: "/v1/ingest", method: .post, headers: fixture.headers(.admin), body: ByteBuffer(string: body)
                ) { response in
                    #expect(response.status == status, "\(body.prefix(60))")
                    let error = errorObject(response)
                    if let field { #expect(error["field"] == .string(field), "\(error)") }
                    if let line { #expect(error["line"] == .integer(line), "\(error)") }
                }
            }
            #expect(try fixture.operations.ledger.size() == 0)
            try await client.execute(
                uri: "/v1/revocations", method: .post, headers: fixture.headers(.revoke),
                body: ByteBuffer(string: #"{"subject":"nobody","colour":"red"}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(errorObject(response)["field"] == .string("colour"))
            }
            try await client.execute(
                uri: "/v1/revocations", method: .post, headers: fixture.headers(.revoke),
                body: ByteBuffer(string: #"{"subject":"nobody"}"#)
            ) { response in
                #expect(response.status == .notFound)
            }
            #expect(try fixture.operations.ledger.size() == 0)
        }
    }

    @Test func aWithdrawalOverHTTPStalesTheModelAndItsProofSaysSo() async throws {
        let fixture = try ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.application().test(.router) { client in
            let consent = try await client.execute(
                uri: "/v1/consents", method: .post, headers: fixture.headers(.revoke),
                body: ByteBuffer(string: #"{"subject":"alice@example.org","purposes":["ai-training"],"id":"c-alice"}"#)
            ) { response in
                #expect(response.status == .created)
                let answer = object(response)
                #expect(answer["receipt"]?.objectValue != nil)
                return answer["consent"]?.stringValue
            }
            #expect(consent == "c-alice")
            let manifest = try ServerFixture.digitsManifest(count: 60, subject: "alice@example.org", consent: "c-alice")
            try await client.execute(
                uri: "/v1/ingest", method: .post, headers: fixture.headers(.ingest), body: manifest
            ) {
                response in
                #expect(object(response)["added"] == .integer(60))
            }
            let trained = try fixture.operations.train(
                .builtIn(trainer: "naive-bayes", config: TrainerConfig()), shards: 2)
            let model = trained.result.model.id
            try await client.execute(
                uri: "/v1/revocations", method: .post, headers: fixture.headers(.revoke),
                body: ByteBuffer(string: #"{"subject":"alice@example.org"}"#)
            ) { response in
                let answer = object(response)
                #expect(answer["stale_models"] == .array([.string(model)]))
                #expect(answer["affected_samples"]?.arrayValue?.count == 30)
            }
            try await client.execute(uri: "/v1/models?stale=1", method: .get, headers: fixture.headers(.audit)) {
                response in
                let models = object(response)["models"]?.arrayValue ?? []
                #expect(models.compactMap { $0.objectValue?["model"] } == [.string(model)])
            }
            let bundle = try await client.execute(
                uri: "/v1/models/\(model)/proof", method: .get, headers: fixture.headers(.audit)
            ) { response in
                #expect(response.status == .ok)
                return Array(response.body.readableBytesView)
            }
            let file = fixture.folder.appendingPathComponent("proof.json")
            try Data(bundle).write(to: file)
            // What assent verify does with the bundle: a stale model passes only when allowed.
            let files = try ProofBuilder.read(file)
            let folder = fixture.operations.engine.folder(of: trained.result.model)
            for allowStale in [true, false] {
                var verifier = ProofVerifier()
                verifier.allowStale = allowStale
                let outcome = try VerificationOutcome(verifying: files, model: folder, with: verifier)
                if allowStale {
                    #expect(outcome.failure == nil, "\(String(describing: outcome.failure))")
                    #expect(outcome.steps.contains { $0.name == "status" && $0.detail.contains("stale") })
                } else {
                    #expect(outcome.failure?.step == "status")
                }
            }
        }
    }

    @Test func aRealSocketAnswersTheSame() async throws {
        let fixture = try ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.application().test(.live) { client in
            try await client.execute(
                uri: "/v1/ingest", method: .post, headers: fixture.headers(.ingest),
                body: ByteBuffer(string: #"{"text":"over a socket","license":"MIT","source":"s"}"# + "\n")
            ) { response in
                #expect(object(response)["added"] == .integer(1))
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(object(response)["log_size"] == .integer(1))
            }
        }
    }
}

import AssentEngine
import AssentLog
import AssentOperations
import AssentRecords
import AssentServer
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A data subject with only their receipt: proofs about their samples, a withdrawal, and a token that
/// stops working once they are erased.
@Suite struct SubjectRouteTests {
    @Test func theReceiptsTokenProvesWithdrawsAndDiesWithErasure() async throws {
        let fixture = try ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.application().test(.router) { client in
            let receipt = try await client.execute(
                uri: "/v1/consents", method: .post, headers: fixture.headers(.revoke),
                body: ByteBuffer(string: #"{"subject":"bob@example.org","purposes":["ai-training"],"id":"c-bob"}"#)
            ) { response in object(response)["receipt"]?.objectValue ?? JSONObject() }
            let token = try #require(receipt["withdraw_token"]?.stringValue)
            #expect(token.hasPrefix("wd-") && token.count == 46)
            let manifest = try ServerFixture.digitsManifest(count: 40, subject: "bob@example.org", consent: "c-bob")
            try await client.execute(
                uri: "/v1/ingest", method: .post, headers: fixture.headers(.ingest), body: manifest)
            let model = try fixture.operations.train(
                .builtIn(trainer: "naive-bayes", config: TrainerConfig()), shards: 2
            )
            .result.model

            let wrong = ByteBuffer(string: #"{"token":"wd-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#)
            let size = try fixture.operations.ledger.size()
            for route in ["/v1/subject/proofs", "/v1/subject/withdraw"] {
                try await client.execute(uri: route, method: .post, body: wrong) { response in
                    #expect(response.status == .forbidden)
                    #expect(errorObject(response)["field"] == .string("token"))
                }
            }
            #expect(try fixture.operations.ledger.size() == size, "a wrong token logs nothing")

            let right = ByteBuffer(string: #"{"token":"\#(token)"}"#)
            try await client.execute(uri: "/v1/subject/proofs", method: .post, body: right) { response in
                let models = object(response)["models"]?.arrayValue ?? []
                #expect(models.count == 1)
                let entry = models.first?.objectValue ?? JSONObject()
                #expect(entry["model"] == .string(model.id))
                let samples = entry["samples"]?.arrayValue ?? []
                #expect(samples.count == 20)
                let snapshot = try SnapshotStore(store: fixture.operations.store).load(model.snapshot)
                for sample in samples {
                    let proof = sample.objectValue?["proof"]?.objectValue ?? JSONObject()
                    #expect(try SnapshotProof.verify(proof, root: snapshot.root, size: UInt64(snapshot.count)))
                }
            }
            try await client.execute(uri: "/v1/subject/withdraw", method: .post, body: right) { response in
                #expect(response.status == .ok)
                #expect(object(response)["stale_models"] == .array([.string(model.id)]))
            }
            try await client.execute(uri: "/v1/subject/proofs", method: .post, body: right) { response in
                #expect(object(response)["models"] == .array([]), "the only model is stale now")
            }
            _ = try fixture.operations.erase(.subject("bob@example.org"))
            try await client.execute(uri: "/v1/subject/withdraw", method: .post, body: right) { response in
                #expect(response.status == .forbidden, "erasure invalidates the token")
            }
        }
    }
}

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

/// The explorer's pages: who may see them, what they say about stale models, the data subject's
/// page and withdrawal, proof verification step by step, and bad input.
@Suite struct ExplorerRouteTests {
    /// A ledger with a subject's samples (one of them from a source whose name is markup), a model
    /// trained on them, and the subject's withdraw token.
    static func prepared(_ fixture: ServerFixture) throws -> (model: ModelRecord, token: String) {
        _ = try fixture.operations.grantConsent(subject: "eve@example.org", purposes: ["ai-training"], id: "c-eve")
        let receipt = try ConsentRegistry(store: fixture.operations.store).receipt(subject: "eve@example.org")
        let token = try #require(receipt["withdraw_token"]?.stringValue)
        var manifest = String(
            buffer: try ServerFixture.digitsManifest(count: 30, subject: "eve@example.org", consent: "c-eve"))
        let features = (0..<64).map { String($0 % 17) }.joined(separator: ",")
        manifest +=
            #"{"text":"{\"features\":[\#(features)],\"label\":1}","license":"MIT","source":"<script>alert(1)</script>","attribution":"<b>x</b>"}"#
            + "\n"
        let path = fixture.folder.appendingPathComponent("m.jsonl")
        try Data(manifest.utf8).write(to: path)
        _ = try fixture.operations.ingest(.jsonl(path))
        let model = try fixture.operations.train(.builtIn(trainer: "naive-bayes", config: TrainerConfig()), shards: 2)
            .result.model
        return (model, token)
    }

    static func html(_ response: TestResponse) -> String { String(buffer: response.body) }

    @Test func pagesNeedAReaderTokenUnlessPublicAndABrowserCanSignInWithBasic() async throws {
        let fixture = try ServerFixture()
        defer { fixture.cleanUp() }
        _ = try Self.prepared(fixture)
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Basic realm=") == true)
                #expect(Self.html(response).contains("<!doctype html>"), "a browser gets a page, not JSON")
            }
            let basic = "Basic " + Base64.encode(Array("auditor:\(fixture.tokens[.audit]!)".utf8))
            try await client.execute(uri: "/", method: .get, headers: [.authorization: basic]) { response in
                #expect(response.status == .ok)
                #expect(Self.html(response).contains("Ledger overview"))
            }
            try await client.execute(uri: "/v1/explorer/overview", method: .get, headers: fixture.headers(.audit)) {
                response in
                #expect(object(response)["counts"]?.objectValue?["models"] == .integer(1))
            }
            try await client.execute(uri: "/subject", method: .get) { response in
                #expect(response.status == .ok, "a data subject needs no account")
            }
        }
        try await Application(router: AssentServer.router(operations: fixture.operations, publicExplorer: true)).test(
            .router
        ) {
            client in
            for path in ["/", "/log", "/log/0", "/models", "/models?stale=1", "/verify"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path) with --public-explorer")
                }
            }
        }
    }

    @Test func unknownThingsAre404PagesThatSayWhatAndMarkupIsEscaped() async throws {
        let fixture = try ServerFixture()
        defer { fixture.cleanUp() }
        let (model, _) = try Self.prepared(fixture)
        try await Application(router: AssentServer.router(operations: fixture.operations, publicExplorer: true)).test(
            .router
        ) {
            client in
            for (path, status, says) in [
                ("/log/99999", HTTPResponse.Status.notFound, "entry 99999 does not exist"),
                ("/log?page=99", .notFound, "page 99 of the log does not exist"),
                ("/models/sha256:" + String(repeating: "0", count: 64), .notFound, "no model"),
                ("/log/abc", .badRequest, "index: an entry index"), ("/log?page=0", .badRequest, "page:"),
            ] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == status, "\(path)")
                    #expect(Self.html(response).contains(says), "\(path): \(Self.html(response))")
                }
            }
            try await client.execute(uri: "/models/\(model.id)/export/spdx", method: .get) { response in
                #expect(response.status == .conflict, "an export over unclassified sources is refused")
                #expect(errorObject(response)["message"]?.stringValue?.contains("assent source set") == true)
            }
            try await client.execute(uri: "/models/\(model.id)/export/pdf", method: .get) { response in
                #expect(response.status == .notFound)
            }
            let size = try fixture.operations.ledger.size()
            for path in ["/log/\(size - 3)", "/models/\(model.id)", "/"] {
                try await client.execute(uri: path, method: .get) { response in
                    let page = Self.html(response)
                    #expect(!page.contains("<script>alert") && !page.contains("<b>x</b>"), "\(path) escapes markup")
                }
            }
            try await client.execute(uri: "/models/\(model.id)", method: .get) { response in
                #expect(
                    Self.html(response).contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                    "the source is shown, escaped")
                #expect(
                    Self.html(response).contains("<svg")
                        && Self.html(response).contains("data-node=\"model:\(model.id)\""))
            }
        }
    }

    @Test func aWithdrawalOnTheSubjectPageTurnsTheModelStaleWhichThePagesSay() async throws {
        let fixture = try ServerFixture()
        defer { fixture.cleanUp() }
        let (model, token) = try Self.prepared(fixture)
        try await Application(router: AssentServer.router(operations: fixture.operations, publicExplorer: true)).test(
            .router
        ) {
            client in
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let size = try fixture.operations.ledger.size()
            try await client.execute(
                uri: "/subject", method: .post, headers: form, body: ByteBuffer(string: "token=wd-wrong")
            ) {
                response in
                #expect(response.status == .forbidden)
                #expect(Self.html(response).contains("not a withdraw token of this ledger"))
            }
            try await client.execute(
                uri: "/subject", method: .post, headers: form, body: ByteBuffer(string: "token=\(token)")
            ) {
                response in
                #expect(response.status == .ok)
                #expect(
                    Self.html(response).contains("<strong>used</strong>")
                        && Self.html(response).contains("Withdraw my consent"))
            }
            try await client.execute(
                uri: "/subject/withdraw", method: .post, headers: form, body: ByteBuffer(string: "token=\(token)")
            ) { response in
                #expect(response.status == .badRequest, "the withdrawal asks for confirmation")
            }
            #expect(try fixture.operations.ledger.size() == size, "nothing was logged yet")
            try await client.execute(
                uri: "/subject/withdraw", method: .post, headers: form,
                body: ByteBuffer(string: "token=\(token)&confirm=yes")
            ) { response in
                #expect(response.status == .ok)
                #expect(Self.html(response).contains(model.id) && Self.html(response).contains("STALE"))
            }
            try await client.execute(uri: "/models?stale=1", method: .get) { response in
                let page = Self.html(response)
                #expect(page.contains(String(model.id.prefix(19))) && page.contains("not reproduced yet"))
                #expect(page.contains("class=\"stale\">STALE<"), "marked in words, in the stale colour")
            }
        }
    }

    @Test func theVerifyPageChecksABundleStepByStepAndNamesTheFailedStep() async throws {
        let fixture = try ServerFixture()
        defer { fixture.cleanUp() }
        let (model, _) = try Self.prepared(fixture)
        let bundle = ProofBuilder.bundle(try fixture.operations.proof(model: model.id))
        var files = try ProofBuilder.files(inBundle: bundle)
        files["checkpoint"] = Array(
            String(decoding: files["checkpoint"]!, as: UTF8.self).replacingOccurrences(
                of: "\n", with: "\n\n", options: [], range: nil
            ).utf8)
        let tampered = ProofBuilder.bundle(files)
        try await Application(router: AssentServer.router(operations: fixture.operations, publicExplorer: true)).test(
            .router
        ) {
            client in
            // The user's own copy of the model, as a digest manifest (sha256sum run in the folder).
            let resources = try ModelDigest(folder: fixture.operations.engine.folder(of: model)).resources
            let manifest = resources.map { "\(Hex.encode($0.digest))  ./\($0.name)" }.joined(separator: "\n") + "\n"
            let wrong = "0000" + manifest.dropFirst(4)
            for (bytes, digests, expected) in [
                (bundle, nil, "id=\"verdict\">verified<"), (tampered, nil, "verification failed at step checkpoint"),
                (bundle, manifest, "id=\"verdict\">verified<"),
                (bundle, wrong, "verification failed at step model-signature"),
            ] {
                var body =
                    "--XyZ\r\nContent-Disposition: form-data; name=\"bundle\"; filename=\"b.json\"\r\nContent-Type: application/json\r\n\r\n"
                body += String(decoding: bytes, as: UTF8.self) + "\r\n"
                if let digests {
                    body +=
                        "--XyZ\r\nContent-Disposition: form-data; name=\"manifest\"; filename=\"m.txt\"\r\n\r\n\(digests)\r\n"
                }
                body += "--XyZ--\r\n"
                try await client.execute(
                    uri: "/verify", method: .post, headers: [.contentType: "multipart/form-data; boundary=XyZ"],
                    body: ByteBuffer(string: body)
                ) { response in
                    #expect(response.status == .ok)
                    #expect(Self.html(response).contains(expected), "\(Self.html(response))")
                    if digests != nil, expected.contains("verified") {
                        #expect(Self.html(response).contains("files of the digest manifest"))
                    }
                }
            }
            try await client.execute(
                uri: "/v1/explorer/verify", method: .post, body: ByteBuffer(string: "not a bundle")
            ) {
                response in
                #expect(object(response)["failed_step"] == .string("input"))
            }
        }
    }
}

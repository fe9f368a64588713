internal import AssentEngine
internal import AssentExplorer
internal import AssentLog
internal import AssentOperations
internal import AssentProofs
public import Hummingbird
internal import Foundation

/// The explorer's forms: `/verify` (a proof bundle uploaded and checked step by step against this
/// ledger's keys and model files) and `/subject` (a data subject's token in a form body: their
/// samples, the proofs, and a withdrawal that asks for confirmation).
enum ExplorerForms {
    static func add(
        to router: Router<BasicRequestContext>, worker: LedgerWorker, isPublic: Bool, bodyLimit: Int,
        page: @escaping @Sendable (Request, @escaping @Sendable (Operations) throws -> String) async -> Response
    ) {
        router.get("/verify") { request, _ in await page(request) { _ in ExplorerPages.verifyForm() } }
        router.post("/verify") { request, _ in
            await ExplorerRoutes.html(request) {
                if !isPublic { try await ExplorerRoutes.readerToken(request, worker: worker) }
                let body = try await HTTPBody.collect(request, limit: bodyLimit)
                let type = request.headers[.contentType] ?? ""
                let bundle = try FormBody.file(named: "bundle", in: body, contentType: type) ?? []
                let manifest = try FormBody.file(named: "manifest", in: body, contentType: type, required: false)
                return ExplorerPages.verifyResult(
                    try await worker.run { try verify(bundle: bundle, manifest: manifest, operations: $0).json })
            }
        }
        router.post("/v1/explorer/verify") { request, _ -> Response in
            if !isPublic { try await ExplorerRoutes.readerToken(request, worker: worker) }
            let bundle = try await HTTPBody.collect(request, limit: bodyLimit)
            return HTTPBody.json(try await worker.run { try verify(bundle: bundle, operations: $0).json })
        }
        router.get("/subject") { request, _ in await ExplorerRoutes.html(request) { ExplorerPages.subjectForm() } }
        router.post("/subject") { request, _ in
            await subjectPage(request) { token in
                guard let proofs = try await worker.run({ try $0.subjectProofs(token: token) }) else { return nil }
                return ExplorerPages.subjectResult(proofs, token: token)
            }
        }
        router.post("/subject/withdraw") { request, _ in
            await subjectPage(request) { token in
                guard let outcome = try await worker.run(urgent: true, { try $0.withdraw(token: token)?.json }) else {
                    return nil
                }
                return ExplorerPages.withdrawn(outcome)
            }
        }
    }

    /// Verifies an uploaded bundle as `assent verify` does, pinned to this ledger's own keys, against
    /// the uploaded digest manifest of the model folder (`sha256sum` in it) when one is given, else
    /// against the server's copy of the model folder the bundle names.
    static func verify(bundle: [UInt8], manifest: [UInt8]? = nil, operations: Operations) throws -> VerificationOutcome
    {
        var verifier = ProofVerifier()
        verifier.allowStale = false
        verifier.trust = try TrustAnchor(json: Array(try Data(contentsOf: operations.ledger.paths.trust)))
        do {
            let files = try ProofBuilder.files(inBundle: bundle)
            let modelEntry = files.keys.sorted().filter { $0.hasPrefix("entries/") && $0.hasSuffix(".entry") }.lazy
                .compactMap { try? JSONParser.parse(files[$0]!).objectValue }.first {
                    $0["type"]?.stringValue == "model"
                }
            guard let id = modelEntry?["model"]?.stringValue else {
                throw ProofError("input", "the bundle holds no model entry")
            }
            if let manifest, !manifest.isEmpty {
                let digests = try ModelFiles.digests(sha256sum: String(decoding: manifest, as: UTF8.self))
                return try VerificationOutcome(verifying: files, modelFiles: digests, with: verifier)
            }
            guard let model = try? operations.engine.model(id) else {
                throw ProofError("model", "this ledger has no model \(id)")
            }
            return try VerificationOutcome(verifying: files, model: operations.engine.folder(of: model), with: verifier)
        } catch let error as ProofError {
            return VerificationOutcome(steps: [], failure: error, isAnchored: true)
        }
    }

    /// A subject page from the form's token: 403 with the API's refusal for a wrong token, answered
    /// no sooner than the API answers, so the timing does not tell a guessed token from a real one.
    static func subjectPage(_ request: Request, _ body: @escaping (String) async throws -> String?) async -> Response {
        let deadline = ContinuousClock.now + SubjectRoutes.answerFloor
        let response = await ExplorerRoutes.html(request) {
            let fields = FormBody.fields(try await HTTPBody.collect(request, limit: 8192))
            guard let token = fields["token"], !token.isEmpty else {
                throw APIError(.badRequest, "invalid-input", "token: required")
            }
            if request.uri.path.hasSuffix("/withdraw"), fields["confirm"] != "yes" {
                throw APIError(.badRequest, "invalid-input", "confirm: tick the box to confirm the withdrawal")
            }
            guard let page = try await body(token) else { throw SubjectRoutes.refusal }
            return page
        }
        try? await Task.sleep(until: deadline, clock: .continuous)
        return response
    }
}

/// HTML form bodies: `application/x-www-form-urlencoded` fields and `multipart/form-data` files.
enum FormBody {
    /// The fields of a URL-encoded body (`+` is a space, `%XX` a byte); a later duplicate wins.
    static func fields(_ body: [UInt8]) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            fields[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return fields
    }

    /// The bytes of the file field `name` of a multipart body (nil when it is absent and not `required`).
    /// - Throws: ``APIError`` 400 when the body is not multipart or lacks a required field.
    static func file(named name: String, in body: [UInt8], contentType: String, required: Bool = true) throws
        -> [UInt8]?
    {
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
            let range = contentType.range(of: "boundary=")
        else {
            throw APIError(.badRequest, "invalid-input", "bundle: upload the file with the form (multipart/form-data)")
        }
        let boundary = Array(
            ("--" + contentType[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "\" "))).utf8)
        var parts: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index + boundary.count <= body.count {
            if body[index] == boundary[0], Array(body[index..<index + boundary.count]) == boundary {
                if index > start { parts.append(body[start..<index]) }
                index += boundary.count
                start = index
            } else {
                index += 1
            }
        }
        for part in parts {
            let bytes = Array(part)
            guard
                let split = (0..<max(0, bytes.count - 3)).first(where: {
                    bytes[$0..<$0 + 4].elementsEqual([13, 10, 13, 10])
                })
            else {
                continue
            }
            let headers = String(decoding: bytes[..<split], as: UTF8.self)
            guard headers.contains("name=\"\(name)\"") else { continue }
            var content = Array(bytes[(split + 4)...])
            if content.suffix(2) == [13, 10] { content.removeLast(2) }
            return content
        }
        guard !required else { throw APIError(.badRequest, "invalid-input", "\(name): the form has no file \(name)") }
        return nil
    }
}

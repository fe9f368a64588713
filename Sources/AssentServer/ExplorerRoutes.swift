internal import AssentEngine
internal import AssentExplorer
internal import AssentExports
internal import AssentLog
internal import AssentOperations
internal import AssentProofs
public import Hummingbird
internal import Foundation

/// The explorer: read-only HTML pages under `/` with their JSON twins under `/v1/explorer`, for the
/// audit role (a bearer token, or the token as the password of HTTP Basic so a browser can sign in)
/// or for anyone with `--public-explorer`; and the data subject's pages, which take the receipt's
/// token in a form body and need no account.
enum ExplorerRoutes {
    static func add(to router: Router<BasicRequestContext>, worker: LedgerWorker, isPublic: Bool, bodyLimit: Int) {
        @Sendable func page(_ request: Request, _ body: @escaping @Sendable (Operations) throws -> String) async
            -> Response
        {
            await html(request) {
                if !isPublic { try await readerToken(request, worker: worker) }
                return try await worker.run(body)
            }
        }
        @Sendable func json(_ request: Request, _ body: @escaping @Sendable (Operations) throws -> JSONObject)
            async throws -> Response
        {
            if !isPublic { try await readerToken(request, worker: worker) }
            return HTTPBody.json(try await worker.run(body))
        }
        router.get("/") { request, _ in
            await page(request) { ExplorerPages.overview(try ExplorerData(operations: $0).overview()) }
        }
        router.get("/v1/explorer/overview") { request, _ in
            try await json(request) { try ExplorerData(operations: $0).overview() }
        }
        router.get("/log") { request, _ in
            await html(request) {
                let number = try pageNumber(request)
                if !isPublic { try await readerToken(request, worker: worker) }
                return try await worker.run { ExplorerPages.log(try ExplorerData(operations: $0).logPage(number)) }
            }
        }
        router.get("/v1/explorer/log") { request, _ in
            let number = try pageNumber(request)
            return try await json(request) { try ExplorerData(operations: $0).logPage(number) }
        }
        router.get("/log/:index") { request, context in
            await html(request) {
                let index = try entryIndex(context)
                if !isPublic { try await readerToken(request, worker: worker) }
                return try await worker.run { ExplorerPages.entry(try ExplorerData(operations: $0).entry(index).json) }
            }
        }
        router.get("/v1/explorer/log/:index") { request, context in
            let index = try entryIndex(context)
            return try await json(request) { try ExplorerData(operations: $0).entry(index).json }
        }
        router.get("/log/:index/proof") { request, context -> Response in
            let index = try entryIndex(context)
            if !isPublic { try await readerToken(request, worker: worker) }
            let text = try await worker.run { try ExplorerData(operations: $0).entry(index).proof.text }
            return download(Array(text.utf8), type: "text/plain; charset=utf-8", name: "\(index).tlog-proof")
        }
        router.get("/models") { request, _ in
            let staleOnly = request.uri.queryParameters.get("stale").map { $0 == "1" || $0 == "true" } ?? false
            return await page(request) {
                ExplorerPages.models(try $0.engine.models(staleOnly: staleOnly), staleOnly: staleOnly)
            }
        }
        router.get("/models/:id") { request, context in
            let id = try context.parameters.require("id")
            return await page(request) { operations in
                ExplorerPages.model(
                    try operations.engine.model(id),
                    lineage: try LineageGraph.build(model: id, engine: operations.engine))
            }
        }
        router.get("/v1/explorer/models/:id/lineage") { request, context in
            let id = try context.parameters.require("id")
            return try await json(request) {
                LineageRenderer.json(try LineageGraph.build(model: id, engine: $0.engine))
            }
        }
        router.get("/models/:id/proof") { request, context -> Response in
            let id = try context.parameters.require("id")
            if !isPublic { try await readerToken(request, worker: worker) }
            let bundle = try await worker.run { ProofBuilder.bundle(try $0.proof(model: id)) }
            return download(bundle, type: "application/json", name: "proof-bundle.json")
        }
        router.get("/models/:id/export/:format") { request, context -> Response in
            let (id, format) = (try context.parameters.require("id"), try context.parameters.require("format"))
            guard ["spdx", "cyclonedx"].contains(format) else {
                throw APIError(.notFound, "not-found", "no export \(format): spdx or cyclonedx")
            }
            if !isPublic { try await readerToken(request, worker: worker) }
            let document = try await worker.run { operations in
                let exporter = Exporter(engine: operations.engine)
                return format == "spdx"
                    ? try exporter.spdx(model: id, license: "NOASSERTION")
                    : try exporter.cycloneDX(model: id, specVersion: "1.6")
            }
            return download(Array(PrettyJSON.encode(document).utf8), type: "application/json", name: "\(format).json")
        }
        ExplorerForms.add(to: router, worker: worker, isPublic: isPublic, bodyLimit: bodyLimit, page: page)
    }

    /// Requires a valid token of any role, as a bearer token or as HTTP Basic's password.
    static func readerToken(_ request: Request, worker: LedgerWorker) async throws {
        if let header = request.headers[.authorization], header.hasPrefix("Basic "),
            let decoded = Base64.decode(String(header.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
            let colon = decoded.firstIndex(of: ":")
        {
            try await Authorization.require(
                Authorization.readers, presented: String(decoded[decoded.index(after: colon)...]), worker: worker)
        } else {
            try await Authorization.require(Authorization.readers, for: request, worker: worker)
        }
    }

    /// An HTML answer from `body`, or a page saying what went wrong with the matching status.
    static func html(_ request: Request, _ body: () async throws -> String) async -> Response {
        do {
            return HTTPBody.bytes(Array(try await body().utf8), type: "text/html; charset=utf-8")
        } catch let error as ExplorerData.NotFound {
            return HTTPBody.bytes(
                Array(ExplorerPages.problem("Not found", error.message).utf8), type: "text/html; charset=utf-8",
                status: .notFound)
        } catch {
            let answer = APIError.from(error)
            var response = HTTPBody.bytes(
                Array(ExplorerPages.problem(answer.status.reasonPhrase, answer.message).utf8),
                type: "text/html; charset=utf-8",
                status: answer.status)
            if answer.status == .unauthorized {
                response.headers[.wwwAuthenticate] =
                    "Basic realm=\"assent explorer: any user name, a token as the password\""
            }
            return response
        }
    }

    static func download(_ bytes: [UInt8], type: String, name: String) -> Response {
        var response = HTTPBody.bytes(bytes, type: type)
        response.headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        return response
    }

    static func pageNumber(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters.get("page") else { return 1 }
        guard let number = Int(text), number >= 1 else {
            throw APIError(.badRequest, "invalid-input", "page: a page number from 1, not \(text)")
        }
        return number
    }

    static func entryIndex(_ context: BasicRequestContext) throws -> UInt64 {
        let text = try context.parameters.require("index")
        guard let index = UInt64(text) else {
            throw APIError(.badRequest, "invalid-input", "index: an entry index from 0, not \(text)")
        }
        return index
    }
}

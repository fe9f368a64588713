internal import AssentLog
internal import AssentOperations
public import Hummingbird
internal import Prometheus

/// The data subject's routes, without an account: the `withdraw_token` of a consent receipt, sent in
/// the body (never in the URL), withdraws every consent of its subject or fetches proofs about their
/// samples. A wrong token is 403 and changes nothing. Right or wrong, the answer comes no sooner than
/// ``answerFloor`` after the request, so its timing does not tell a guessed token from a real one.
enum SubjectRoutes {
    /// The least time any answer of these routes takes.
    static let answerFloor = Duration.milliseconds(250)

    static func add(to router: Router<BasicRequestContext>, worker: LedgerWorker, metrics: ServerMetrics) {
        router.post("/v1/subject/withdraw") { request, _ -> Response in
            try await answeringNoSooner {
                let token = try await Self.token(request)
                guard let outcome = try await worker.run(urgent: true, { try $0.withdraw(token: token)?.json }) else {
                    throw refusal
                }
                if outcome["revocation"] != .null { metrics.revocations.increment() }
                return HTTPBody.json(outcome)
            }
        }
        router.post("/v1/subject/proofs") { request, _ -> Response in
            try await answeringNoSooner {
                let token = try await Self.token(request)
                guard let proofs = try await worker.run({ try $0.subjectProofs(token: token) }) else { throw refusal }
                return HTTPBody.json(proofs)
            }
        }
    }

    static let refusal = APIError(
        .forbidden, "forbidden", "token: not a withdraw token of this ledger (or its subject was erased)")

    private static func token(_ request: Request) async throws -> String {
        let body = try await HTTPBody.object(request, limit: 4096)
        try body.onlyFields(["token"])
        guard let token = try body.string("token") else {
            throw APIError(.badRequest, "invalid-input", "token: required")
        }
        return token
    }

    private static func answeringNoSooner(_ body: () async throws -> Response) async throws -> Response {
        let deadline = ContinuousClock.now + answerFloor
        let result: Result<Response, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        try? await Task.sleep(until: deadline, clock: .continuous)
        return try result.get()
    }
}

public import Hummingbird
internal import Logging

/// Turns every error into a JSON answer, logs each request as one structured line (never its
/// Authorization header) and counts it in the metrics.
struct RequestMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = ContinuousClock.now
        var response: Response
        do { response = try await next(request, context) } catch {
            var answer = APIError.from(error)
            if answer.code == "no-route" {
                answer = APIError(
                    answer.status, "no-route", "no route \(request.method.rawValue) \(request.uri.path)")
            }
            response = try answer.response(from: request, context: context)
        }
        let elapsed = ContinuousClock.now - started
        let route = context.endpointPath ?? "unmatched"
        metrics.record(route: route, status: response.status.code, duration: elapsed)
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "route": "\(route)",
                "status": "\(response.status.code)",
                "ms": "\(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)",
            ])
        return response
    }
}

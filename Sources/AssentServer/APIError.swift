internal import AssentEngine
internal import AssentExports
internal import AssentLog
internal import AssentProofs
internal import AssentRecords
internal import AssentStorage
public import Hummingbird
internal import NIOCore

/// An error answer: `{"error": {"code", "message", "field"?, "line"?}}` with the CLI's wording.
struct APIError: HTTPResponseError {
    /// The HTTP status.
    let status: HTTPResponse.Status
    /// A stable, machine-readable code (`invalid-input`, `not-found`, `unauthorized`, …).
    let code: String
    /// What went wrong, as the CLI words it.
    let message: String

    /// The answer's headers.
    var headers: HTTPFields { [.contentType: "application/json"] }

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// The field (and manifest line) the message names first: "line 3: license: …" or "subject: …".
    var location: (field: String?, line: Int?) {
        var rest = Substring(message)
        var line: Int? = nil
        if rest.hasPrefix("line "), let colon = rest.firstIndex(of: ":"),
            let number = Int(rest[rest.index(rest.startIndex, offsetBy: 5)..<colon])
        {
            line = number
            rest = rest[rest.index(after: colon)...].drop { $0 == " " }
        }
        if rest.hasPrefix("field ") { rest = rest.dropFirst(6) }
        guard let colon = rest.firstIndex(of: ":"), rest[..<colon].allSatisfy({ $0.isLetter || $0 == "_" }),
            !rest[..<colon].isEmpty, rest[..<colon].first!.isLowercase
        else { return (nil, line) }
        return (String(rest[..<colon]), line)
    }

    /// The JSON body.
    var body: [UInt8] {
        var error = JSONObject([("code", .string(code)), ("message", .string(message))])
        let (field, line) = location
        if let field { error["field"] = .string(field) }
        if let line { error["line"] = .integer(Int64(line)) }
        return CanonicalJSON.encode(.object(JSONObject([("error", .object(error))]))) + [0x0A]
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The answer for an error a handler threw.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as RecordsError: return APIError(status(error.code.rawValue), error.code.rawValue, error.message)
        case let error as LedgerError: return APIError(status(error.code.rawValue), error.code.rawValue, error.message)
        case let error as EngineError:
            let code = error.code.rawValue.replacing(/[A-Z]/) { "-" + $0.output.lowercased() }
            return APIError(status(code), code, error.message)
        case let error as ProofError: return APIError(.unprocessableContent, "proof-" + error.step, error.message)
        case let error as ExportError:
            return error.isNotFound
                ? APIError(.notFound, "not-found", error.message) : APIError(.conflict, "export-refused", error.message)
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, "body-too-large", "the request body is over the server's limit")
        case let error as HTTPError:
            let code = error.status == .notFound ? "no-route" : "http-\(error.status.code)"
            return APIError(error.status, code, error.body ?? error.status.reasonPhrase)
        case let error as StorageError: return APIError(.serviceUnavailable, "storage", "\(error)")
        default: return APIError(.internalServerError, "internal", "\(error)")
        }
    }

    private static func status(_ code: String) -> HTTPResponse.Status {
        switch code {
        case "invalid-input", "malformed": return .badRequest
        case "not-found", "not-a-ledger": return .notFound
        case "conflict", "already-exists": return .conflict
        case "refused": return .forbidden
        case "verification-failed": return .unprocessableContent
        default: return .internalServerError
        }
    }
}

internal import AssentLog
public import Hummingbird
internal import NIOCore

/// Answers and request bodies in the server's formats.
enum HTTPBody {
    /// A JSON answer: canonical JSON and a newline.
    static func json(_ object: JSONObject, status: HTTPResponse.Status = .ok) -> Response {
        bytes(CanonicalJSON.encode(.object(object)) + [0x0A], type: "application/json", status: status)
    }

    /// An answer of `bytes` with content type `type`.
    static func bytes(
        _ bytes: [UInt8], type: String, status: HTTPResponse.Status = .ok, cacheControl: String? = nil
    ) -> Response {
        var headers: HTTPFields = [.contentType: type]
        if let cacheControl { headers[.cacheControl] = cacheControl }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The request's body, at most `limit` bytes (413 past it).
    static func collect(_ request: Request, limit: Int) async throws -> [UInt8] {
        Array(try await request.body.collect(upTo: limit).readableBytesView)
    }

    /// The request's body as one JSON object.
    /// - Throws: ``APIError`` 400 naming the fault when it is not JSON or not an object.
    static func object(_ request: Request, limit: Int) async throws -> JSONObject {
        let bytes = try await collect(request, limit: limit)
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw APIError(.badRequest, "malformed", "the body is not valid JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw APIError(.badRequest, "malformed", "the body must be a JSON object")
        }
        return object
    }
}

extension JSONObject {
    /// The string field `name`, or nil when absent.
    /// - Throws: ``APIError`` 400 when it is present but not a string.
    func string(_ name: String) throws -> String? {
        guard let value = self[name], value != .null else { return nil }
        guard let text = value.stringValue else {
            throw APIError(.badRequest, "invalid-input", "\(name): must be a string")
        }
        return text
    }

    /// The array-of-strings field `name`, or nil when absent.
    func strings(_ name: String) throws -> [String]? {
        guard let value = self[name], value != .null else { return nil }
        guard let items = value.arrayValue?.map(\.stringValue), !items.contains(nil) else {
            throw APIError(.badRequest, "invalid-input", "\(name): must be an array of strings")
        }
        return items.compactMap { $0 }
    }

    /// The boolean field `name`, `false` when absent.
    func flag(_ name: String) throws -> Bool {
        guard let value = self[name], value != .null else { return false }
        guard case .bool(let flag) = value else {
            throw APIError(.badRequest, "invalid-input", "\(name): must be true or false")
        }
        return flag
    }

    /// Refuses fields other than `known`, naming the first.
    func onlyFields(_ known: Set<String>) throws {
        if let unknown = keys.first(where: { !known.contains($0) }) {
            throw APIError(
                .badRequest, "invalid-input",
                "\(unknown): unknown field (expected \(known.sorted().joined(separator: ", ")))")
        }
    }
}

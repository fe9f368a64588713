import AssentLog
import AssentOperations
import AssentServer
import AssentTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A ledger (SQLite, or PostgreSQL under ASSENT_TEST_BACKEND=postgresql) with a token per role, and the
/// server's application over it.
struct ServerFixture {
    let folder: URL
    let operations: Operations
    let tokens: [TokenRole: String]
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("assent-server-\(UUID().uuidString)")
        let ledger = try Ledger.create(
            at: folder.appendingPathComponent("ledger"), origin: "example.org/server",
            postgresURL: try TestBackend.freshPostgresDatabase())
        operations = try Operations(ledger: ledger)
        let registry = try TokenRegistry(store: operations.store)
        var tokens: [TokenRole: String] = [:]
        for role in TokenRole.allCases { tokens[role] = try registry.create(role: role, note: "test").token }
        self.tokens = tokens
    }

    /// The application, with request bodies limited to `bodyLimit` bytes.
    func application(bodyLimit: Int = 1 << 20) -> some ApplicationProtocol {
        Application(router: AssentServer.router(operations: operations, bodyLimit: bodyLimit))
    }

    /// Headers carrying `role`'s token.
    func headers(_ role: TokenRole?, _ extra: HTTPFields = [:]) -> HTTPFields {
        var fields = extra
        if let role { fields[.authorization] = "Bearer \(tokens[role]!)" }
        return fields
    }

    /// NDJSON of the first `count` digits samples, half of them belonging to `subject` under `consent`.
    static func digitsManifest(count: Int, subject: String, consent: String) throws -> ByteBuffer {
        let lines = try String(
            contentsOf: root.appendingPathComponent("Tools/datasets/digits/digits-train.jsonl"), encoding: .utf8
        ).split(separator: "\n").prefix(count)
        var manifest = ""
        for (index, line) in lines.enumerated() {
            var fields = JSONObject([
                ("text", .string(String(line))), ("license", .string("CC-BY-4.0")), ("source", .string("digits")),
            ])
            if index % 2 == 0 {
                fields["subject"] = .string(subject)
                fields["consent"] = .string(consent)
            }
            manifest += String(decoding: CanonicalJSON.encode(.object(fields)), as: UTF8.self) + "\n"
        }
        return ByteBuffer(string: manifest)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: folder) }
}

/// The JSON object of an answer (empty, with a recorded issue, when it is not one).
func object(_ response: TestResponse) -> JSONObject {
    guard let object = (try? JSONParser.parse(Array(response.body.readableBytesView)))?.objectValue else {
        Issue.record("the answer is not a JSON object: \(String(buffer: response.body))")
        return JSONObject()
    }
    return object
}

/// The `error` member of an error answer.
func errorObject(_ response: TestResponse) -> JSONObject {
    object(response)["error"]?.objectValue ?? JSONObject()
}

// The tests touch the ledger only between awaited requests, never while the server's worker does.
extension ServerFixture: @unchecked Sendable {}

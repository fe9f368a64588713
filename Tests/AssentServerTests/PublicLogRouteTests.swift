import AssentLog
import AssentOperations
import AssentServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The routes without a token: health, metrics and the log as C2SP tlog-tiles, byte for byte what the
/// ledger (and `assent log export-tiles`) holds.
@Suite struct PublicLogRouteTests {
    @Test func theTiledLogServesTheLedgersBytes() async throws {
        let fixture = try ServerFixture()
        defer { fixture.cleanUp() }
        _ = try fixture.operations.ledger.appendNotes(
            (0..<300).map { ("note", JSONObject([("text", .string("note \($0)"))])) })
        let (size, note) = try fixture.operations.ledger.latestCheckpoint()
        let tile = try fixture.operations.ledger.tileContents(
            TLogTiles.Tile(level: 0, index: 0, width: 256), size: size)
        let bundle = try fixture.operations.ledger.tileContents(
            TLogTiles.Tile(level: nil, index: 1, width: 44), size: size)
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/checkpoint", method: .get) { response in
                #expect(response.status == .ok && String(buffer: response.body) == note)
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            }
            try await client.execute(uri: "/tile/0/000", method: .get) { response in
                #expect(response.status == .ok && Array(response.body.readableBytesView) == tile)
                #expect(response.headers[.cacheControl]?.contains("immutable") == true)
            }
            try await client.execute(uri: "/tile/entries/001.p/44", method: .get) { response in
                #expect(Array(response.body.readableBytesView) == bundle)
            }
            // An earlier checkpoint's partial tile is still there; one past the log is not.
            try await client.execute(uri: "/tile/0/001.p/40", method: .get) { response in
                #expect(response.status == .ok && response.body.readableBytes == 40 * 32)
            }
            try await client.execute(uri: "/tile/0/001.p/45", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(errorObject(response)["code"] == .string("not-found"))
            }
            for malformed in ["/tile/0/1", "/tile/0/x000/001", "/tile/0/001.p/256", "/tile/99/000"] {
                try await client.execute(uri: malformed, method: .get) { response in
                    #expect(response.status == .badRequest, "\(malformed)")
                    #expect(errorObject(response)["code"] == .string("malformed"))
                }
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(object(response)["log_size"] == .integer(300))
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("assent_log_size 300"))
                #expect(text.contains("assent_http_requests_total{route=\"/tile/**\",status=\"200\"}"))
            }
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                let paths = object(response)["paths"]?.objectValue?.keys ?? []
                for route in ["/v1/ingest", "/v1/revocations", "/v1/subject/withdraw", "/checkpoint", "/tile/{tile}"] {
                    #expect(paths.contains(route), "\(route) is documented")
                }
            }
            try await client.execute(uri: "/no/such/route", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(errorObject(response)["message"] == .string("no route GET /no/such/route"))
            }
        }
    }

    @Test func anAddressOffThisMachineNeedsTLSOrConsentToPlainHTTP() throws {
        #expect(try ServerConfiguration(listen: "127.0.0.1:8080").isLoopback)
        #expect(try ServerConfiguration(listen: "[::1]:0").isLoopback)
        #expect(throws: ServerError.self) { try ServerConfiguration(listen: "0.0.0.0:8080").check() }
        var insecure = try ServerConfiguration(listen: "0.0.0.0:8080")
        insecure.allowsInsecureHTTP = true
        try insecure.check()
        var tls = try ServerConfiguration(listen: "192.0.2.1:443")
        tls.tls = ("cert.pem", "key.pem")
        try tls.check()
        for bad in ["8080", "host:", "host:99999", ":80"] {
            #expect(throws: ServerError.self, "\(bad)") { try ServerConfiguration(listen: bad) }
        }
    }
}

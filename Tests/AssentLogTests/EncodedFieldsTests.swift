import Foundation
import Testing

@testable import AssentLog

/// Fields encoded ahead of the write transaction give exactly the bytes of encoding them in it.
@Suite struct EncodedFieldsTests {
    /// Field sets whose keys fall before, between and after the log's own (`at`, `prev`, `seq`,
    /// `type`, `v`) and the added ones, with escapes, non-ASCII text and nested values.
    static let fieldSets: [JSONObject] = [
        JSONObject(),
        JSONObject([("a", .integer(1))]),
        JSONObject([("zz", .string("last")), ("aa", .null), ("q", .bool(true))]),
        JSONObject([
            ("source", .string("web \"quoted\" \\ back\nslash")), ("license_concluded", .string("MIT OR Apache-2.0")),
            ("opt_out", .object(JSONObject([("status", .string("none")), ("ai", .array([.integer(-3), .null]))]))),
            ("commitment", .string("sha256:00ff")), ("size", .integer(1_024)), ("consent", .null),
            ("media_type", .string("text/plain; charset=utf-8")), ("language", .string("de-CH")),
            ("attribution", .string("Zoë – ü \u{1F600}")), ("subjects", .string("between seq and type")),
            ("u", .string("\u{01}\u{1F}")), ("w", .integer(Int64.min)),
        ]),
    ]

    static let additions: [JSONObject] = [
        JSONObject(), JSONObject([("subject", .null)]), JSONObject([("subject", .string("p-1234"))]),
        JSONObject([("b", .string("new")), ("zz", .string("replaces"))]),
    ]

    @Test(arguments: fieldSets)
    func theSplicedBodyIsTheCanonicalEncodingOfAllTheFields(_ fields: JSONObject) throws {
        let encoded = try EncodedFields(fields)
        for extra in Self.additions {
            var all = fields
            for member in extra.members { all[member.key] = member.value }
            #expect(encoded.body(with: extra) == CanonicalJSON.encode(.object(all)), "\(extra.keys)")
        }
    }

    @Test func bothAppendsWriteTheSameEntries() throws {
        var bodies: [[[UInt8]]] = []
        for useEncoded in [false, true] {
            let folder = temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let ledger = try Ledger.create(at: folder, origin: "example.org/encoded")
            ledger.clock = { "2026-12-07T00:00:00Z" }
            let entries = try ledger.write { writer in
                try Self.fieldSets.map { fields in
                    let extra = JSONObject([("subject", .string("p-9"))])
                    if useEncoded {
                        return try writer.append(type: "sample", encoded: EncodedFields(fields), adding: extra)
                    }
                    var all = fields
                    all["subject"] = .string("p-9")
                    return try writer.append(type: "sample", fields: all)
                }
            }
            bodies.append(entries.map(\.bytes))
            #expect(try ledger.verify().entries == UInt64(Self.fieldSets.count))
        }
        #expect(bodies[0] == bodies[1])
    }

    @Test func reservedAndNonASCIIKeysAreRefusedAsByTheOtherAppend() throws {
        #expect(throws: LedgerError.self) { try EncodedFields(JSONObject([("seq", .integer(3))])) }
        #expect(throws: LedgerError.self) { try EncodedFields(JSONObject([("clé", .integer(3))])) }
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try Ledger.create(at: folder, origin: "example.org/encoded")
        #expect(throws: LedgerError.self) {
            try ledger.write { writer in
                try writer.append(
                    type: "sample", encoded: EncodedFields(JSONObject()), adding: JSONObject([("at", .string("x"))]))
            }
        }
        #expect(try ledger.size() == 0)
    }
}

import AssentLog
import Testing

// Canonical JSON (RFC 8785 escaping, keys in bytewise order, integers only) and the strict parser's
// treatment of strings that Swift would consider equal.
@Suite struct CanonicalJSONTests {
    @Test func keysDifferingOnlyInNormalisationAreDistinctMembers() throws {
        // "é" precomposed (C3 A9) and decomposed (65 CC 81): different bytes, so different keys.
        let value = try JSONParser.parse(#"{"\u00e9":1,"e\u0301":2}"#)
        let object = try #require(value.objectValue)
        #expect(object.members.count == 2)
        #expect(object["\u{e9}"] == .integer(1))
        #expect(object["e\u{301}"] == .integer(2))
        #expect(String(decoding: CanonicalJSON.encode(value), as: UTF8.self) == "{\"e\u{301}\":2,\"\u{e9}\":1}")
    }

    @Test func stringsCompareByBytes() {
        #expect(JSONValue.string("\u{e9}") != JSONValue.string("e\u{301}"))
        #expect(JSONValue.string("\u{e9}") == JSONValue.string("\u{e9}"))
        let precomposed = JSONObject([("k", .string("\u{e9}"))])
        let decomposed = JSONObject([("k", .string("e\u{301}"))])
        #expect(precomposed != decomposed)
    }

    @Test func encodingIsAFixedPoint() throws {
        let input = #"{ "b" : [1, -2, "\u0007\n\"\\/"], "a": {"z": null, "y": true}, "\u007f": false }"#
        let canonical = CanonicalJSON.encode(try JSONParser.parse(input))
        #expect(
            String(decoding: canonical, as: UTF8.self)
                == #"{"a":{"y":true,"z":null},"b":[1,-2,"\u0007\n\"\\/"],""# + "\u{7f}" + #"":false}"#)
        #expect(CanonicalJSON.encode(try JSONParser.parse(canonical)) == canonical)
    }

    @Test(arguments: [
        #"{"a":1,"a":2}"#, "[1.5]", "[1e3]", "[9223372036854775808]", #"["\ud800"]"#, "[01]", "[1,]",
        String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
    ])
    func refusesWhatCanonicalEntriesCannotHold(input: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(input) }
    }
}

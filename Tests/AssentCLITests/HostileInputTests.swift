import Foundation
import Testing

/// One malformed input: the command, the file it reads, and the error it must give.
struct HostileCase: Sendable, CustomTestStringConvertible {
    let name: String
    let file: String
    let content: String
    let arguments: [String]
    let status: Int32
    let message: String
    var testDescription: String { name }
}

/// The hostile-input corpus: malformed manifests, licence expressions, proofs, keys, policies and
/// trust files. Each must fail with a clear message and the right exit code, and leave the ledger as it was.
enum HostileCorpus {
    static let valid = #"{"text":"ok","license":"MIT","source":"s"}"#

    static func manifest(_ name: String, _ line: String, _ message: String) -> HostileCase {
        HostileCase(
            name: "manifest: \(name)", file: "m.jsonl", content: valid + "\n" + line + "\n",
            arguments: ["ingest", "m.jsonl"], status: 1, message: message)
    }

    static let manifests: [HostileCase] = [
        manifest("not JSON", "{oops", "line 2: not valid JSON"),
        manifest("array", "[1,2]", "line 2: expected a JSON object"),
        manifest("number", "42", "line 2: expected a JSON object"),
        manifest("unterminated string", #"{"text":"x"#, "line 2: not valid JSON"),
        manifest("trailing comma", #"{"text":"x","license":"MIT","source":"s",}"#, "line 2: not valid JSON"),
        manifest("duplicate key", #"{"text":"x","text":"y","license":"MIT","source":"s"}"#, "duplicate key"),
        manifest("float", #"{"text":"x","license":"MIT","source":"s","size":1.5}"#, "floating-point"),
        manifest("unknown field", #"{"txt":"x","license":"MIT","source":"s"}"#, #"did you mean "text""#),
        manifest("unknown field 2", #"{"text":"x","licence":"MIT","source":"s"}"#, #"did you mean "license""#),
        manifest("no content", #"{"license":"MIT","source":"s"}"#, "exactly one of path, text, content_base64 or json"),
        manifest(
            "two contents", #"{"text":"x","content_base64":"AA==","license":"MIT","source":"s"}"#, "exactly one of"),
        manifest("bad base64", #"{"content_base64":"@@@","license":"MIT","source":"s"}"#, "field content_base64"),
        manifest("missing file", #"{"path":"nope.bin","license":"MIT","source":"s"}"#, "field path: cannot read"),
        manifest("no licence", #"{"text":"x","source":"s"}"#, "field license: missing"),
        manifest("licence not a string", #"{"text":"x","license":5,"source":"s"}"#, "field license: expected a string"),
        manifest("unknown licence", #"{"text":"x","license":"Foo-1.0","source":"s"}"#, "unknown licence id"),
        manifest("mixed-case operator", #"{"text":"x","license":"MIT And ISC","source":"s"}"#, "'And' at column 5"),
        manifest(
            "dangling AND", #"{"text":"x","license":"MIT AND","source":"s"}"#, "expected a licence after this operator"),
        manifest("unbalanced paren", #"{"text":"x","license":"(MIT OR ISC","source":"s"}"#, "missing ')'"),
        manifest("extra paren", #"{"text":"x","license":"MIT)","source":"s"}"#, "unmatched ')'"),
        manifest(
            "licence as exception", #"{"text":"x","license":"MIT WITH Apache-2.0","source":"s"}"#,
            "a licence is not an exception"),
        manifest("NONE in OR", #"{"text":"x","license":"NONE OR MIT","source":"s"}"#, "NONE and NOASSERTION"),
        manifest("lowercase licenseref", #"{"text":"x","license":"licenseref-x","source":"s"}"#, "LicenseRef-"),
        manifest(
            "unknown hf tag", #"{"text":"x","license":"hf:nonsense","source":"s"}"#, "unknown Hugging Face licence tag"),
        manifest("no source", #"{"text":"x","license":"MIT"}"#, "field source: missing"),
        manifest("empty source", #"{"text":"x","license":"MIT","source":""}"#, "field source"),
        manifest("control char in source", #"{"text":"x","license":"MIT","source":"a\u0001b"}"#, "field source"),
        manifest(
            "bad time", #"{"text":"x","license":"MIT","source":"s","collected_at":"yesterday"}"#, "field collected_at"),
        manifest(
            "time with offset",
            #"{"text":"x","license":"MIT","source":"s","collected_at":"2024-01-01T00:00:00+02:00"}"#,
            "field collected_at"),
        manifest(
            "impossible date", #"{"text":"x","license":"MIT","source":"s","collected_at":"2024-02-31T00:00:00Z"}"#,
            "field collected_at"),
        manifest(
            "bad media type", #"{"text":"x","license":"MIT","source":"s","media_type":"text"}"#, "field media_type"),
        manifest(
            "unknown consent", #"{"text":"x","license":"MIT","source":"s","consent":"c-none"}"#,
            "no consent c-none exists"),
        manifest("bad consent id", #"{"text":"x","license":"MIT","source":"s","consent":"a b"}"#, "invalid consent id"),
        manifest("bad opt-out", #"{"text":"x","license":"MIT","source":"s","opt_out":"maybe"}"#, "field opt_out"),
        manifest(
            "opt-out mechanism",
            #"{"text":"x","license":"MIT","source":"s","opt_out":{"signals":[{"mechanism":"pigeon","value":"1"}]}}"#,
            "unknown mechanism"),
        manifest(
            "opt-out disagreement",
            #"{"text":"x","license":"MIT","source":"s","opt_out":{"status":"notReserved","signals":[{"mechanism":"robots","value":"disallow"}]}}"#,
            "disagrees with its signals"),
        manifest(
            "opt-out extra key", #"{"text":"x","license":"MIT","source":"s","opt_out":{"stat":"reserved"}}"#,
            "unknown key"),
        manifest(
            "same content other metadata", #"{"text":"ok","license":"Apache-2.0","source":"s"}"#,
            "as line 1, with different metadata"),
        manifest(
            "deep nesting", String(repeating: "[", count: 80) + String(repeating: "]", count: 80),
            "nesting deeper than 64"),
        manifest("lone surrogate", #"{"text":"\ud800","license":"MIT","source":"s"}"#, "lone surrogate"),
        manifest(
            "huge integer", #"{"text":"x","license":"MIT","source":"s","n":99999999999999999999}"#,
            "outside the 64-bit range"),
        manifest("leading zero", #"{"text":"x","license":"MIT","source":"s","n":012}"#, "leading zero"),
        HostileCase(
            name: "csv: wrong width", file: "m.csv", content: "text,license,source\nok,MIT,s\na,b\n",
            arguments: ["ingest", "m.csv"], status: 1, message: "line 3: 2 columns"),
        HostileCase(
            name: "csv: open quote", file: "m.csv", content: "text,license,source\n\"open,MIT,s\n",
            arguments: ["ingest", "m.csv"], status: 1, message: "quoted CSV cell is not closed"),
        HostileCase(
            name: "csv: unknown column", file: "m.csv", content: "text,licence,source\nok,MIT,s\n",
            arguments: ["ingest", "m.csv"], status: 1, message: "unknown field \"licence\""),
        HostileCase(
            name: "manifest: missing file", file: "m.jsonl", content: valid,
            arguments: ["ingest", "missing-manifest.jsonl"], status: 1, message: "cannot read"),
    ]

    static func expression(_ text: String, _ message: String) -> HostileCase {
        HostileCase(
            name: "licence: \(text)", file: "none", content: "", arguments: ["license", text], status: 1,
            message: message)
    }

    static let expressions: [HostileCase] = [
        expression("", "empty licence expression"), expression("AND", "expected a licence"),
        expression("MIT AND AND ISC", "expected a licence"),
        expression("MIT OR", "expected a licence after this operator"),
        expression("(", "expected a licence after this operator"),
        expression("()", "expected a licence"), expression("MIT ISC", "expected AND, OR or WITH"),
        expression("MIT+ +", "expected AND, OR or WITH"),
        expression("GPL-2.0 WITH", "expected an exception after WITH"),
        expression("GPL-2.0 WITH WITH", "expected an exception"),
        expression("GPL-2.0 WITH Foo-exception", "unknown licence exception"),
        expression("Classpath-exception-2.0", "an exception must follow WITH"),
        expression("MIT oR ISC", "all upper or all lower case"),
        expression("MIT aNd ISC", "all upper or all lower case"),
        expression("MIT WiTh x", "all upper or all lower case"), expression("M!T", "invalid character"),
        expression("MIT/ISC", "invalid character"),
        expression("DocumentRef-:LicenseRef-x", "LicenseRef-"), expression("LicenseRef-", "LicenseRef-"),
        expression("NOASSERTION OR MIT", "NONE and NOASSERTION"),
        expression("(MIT) WITH Classpath-exception-2.0", "WITH must follow a single licence"),
        expression("Apache2", "unknown licence id"),
        expression("MIT AND (ISC", "missing ')'"), expression("MIT))", "unmatched ')'"),
        expression("GPL-2.0+ WITH Apache-2.0", "a licence is not an exception"),
    ]

    static let proofText = "c2sp.org/tlog-proof@v1\nindex 0\n\n"

    static func proof(_ name: String, _ content: String, _ message: String) -> HostileCase {
        HostileCase(
            name: "tlog-proof: \(name)", file: "p.proof", content: content,
            arguments: ["proof", "verify-inclusion", "--key", "log.vkey", "--entry", "entry", "p.proof"], status: 2,
            message: message)
    }

    static let proofs: [HostileCase] = [
        proof("empty", "", "blank line"), proof("wrong header", "c2sp.org/tlog-proof@v2\nindex 0\n\nx\n", "line 1"),
        proof("no index", "c2sp.org/tlog-proof@v1\n\nx\n", "index"),
        proof("index with leading zero", "c2sp.org/tlog-proof@v1\nindex 01\n\nx\n", "index"),
        proof("negative index", "c2sp.org/tlog-proof@v1\nindex -1\n\nx\n", "index"),
        proof("bad hash", "c2sp.org/tlog-proof@v1\nindex 0\nnot-base64\n\nx\n", "not a base64 SHA-256 hash"),
        proof("short hash", "c2sp.org/tlog-proof@v1\nindex 0\nAAAA\n\nx\n", "not a base64 SHA-256 hash"),
        proof("bad extra", "c2sp.org/tlog-proof@v1\nextra @@@\nindex 0\n\nx\n", "extra is not base64"),
        proof("no checkpoint", proofText, "blank line between its text and its signatures"),
        proof("unsigned checkpoint", proofText + "origin\n1\n" + String(repeating: "A", count: 43) + "=\n\n", "note"),
        proof(
            "foreign signature",
            proofText
                + "example.org/test\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— other x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
            "no signature by a trusted key"),
        proof(
            "control character", "c2sp.org/tlog-proof@v1\nindex 0\n\nab\u{07}c\n\n— x AAAAAAAA\n", "control characters"),
    ]

    static func key(_ name: String, _ content: String) -> HostileCase {
        HostileCase(
            name: "verifier key: \(name)", file: "bad.vkey", content: content,
            arguments: ["proof", "verify-inclusion", "--key", "bad.vkey", "--entry", "entry", "p.proof"], status: 1,
            message: "verifier key bad.vkey")
    }

    static let keys: [HostileCase] = [
        key("empty", ""), key("two parts", "name+abcdef01"), key("bad id", "name+XYZ+AQID"),
        key("short id", "name+abc+AQID"),
        key("bad base64", "name+abcdef01+@@@"),
        key("wrong algorithm", "name+abcdef01+AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        key("wrong length", "name+abcdef01+AQID"),
        key("id mismatch", "example.org/test+00000000+AYu2KqW1kB+SSStQh67SmhNzG3rVPiWbxYJ9w5Z/mlEF"),
        key("space in name", "a b+abcdef01+AQID"),
    ]

    static func policy(_ name: String, _ content: String, _ message: String) -> HostileCase {
        HostileCase(
            name: "policy: \(name)", file: "policy.json", content: content,
            arguments: ["snapshot", "--policy", "policy.json"], status: 1, message: message)
    }

    static let policies: [HostileCase] = [
        policy("not JSON", "{", "not valid JSON"), policy("array", "[]", "expected a JSON object"),
        policy("unknown field", #"{"purpos":"ai-training"}"#, "unknown field \"purpos\""),
        policy("bad purpose", #"{"purpose":"spam"}"#, "field purpose"),
        policy("bad class", #"{"allowed_classes":["free"]}"#, "field allowed_classes"),
        policy("bad id", #"{"allow":["Foo-1"]}"#, "field allow"),
        policy("bad rule", #"{"unknown_license":"maybe"}"#, "field unknown_license"),
        policy("bad opt-out", #"{"opt_out":{"reserved":"sometimes"}}"#, "opt_out.reserved"),
        policy("bad version", #"{"policy":"assent.policy/v9"}"#, "field policy"),
        policy("float", #"{"x":0.5}"#, "floating-point"),
    ]

    static func trust(_ name: String, _ content: String) -> HostileCase {
        HostileCase(
            name: "trust: \(name)", file: "trust.json", content: content,
            arguments: ["verify", "proofdir", "--model", "modeldir", "--trust", "trust.json"], status: 1,
            message: "trust")
    }

    static let trustFiles: [HostileCase] = [
        trust("empty", ""), trust("not JSON", "{"), trust("missing keys", #"{"origin":"x"}"#),
        trust("wrong types", #"{"origin":1,"log_key":2,"signing_key":3}"#),
        trust("array", "[]"),
    ]

    static let all = manifests + expressions + proofs + keys + policies + trustFiles
}

@Suite struct HostileInputTests {
    @Test func theCorpusHasAtLeastOneHundredCases() {
        #expect(HostileCorpus.all.count >= 100)
    }

    @Test(arguments: HostileCorpus.all) func eachIsRefusedClearlyAndChangesNothing(_ hostile: HostileCase) throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.run("init", "--origin", "example.org/test").status == 0)
        try cli.write("log.vkey", try cli.run("log", "key").stdout)
        try cli.write("entry", "{}")
        try cli.write("p.proof", HostileCorpus.proofText)
        if hostile.file != "none" { try cli.write(hostile.file, hostile.content) }
        let before = try cli.run("log", "checkpoint").stdout
        let result = try cli.run(hostile.arguments)
        #expect(result.status == hostile.status, "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains(hostile.message), "stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count <= 2, "a short message, not a dump: \(result.stderr)")
        #expect(try cli.run("log", "checkpoint").stdout == before, "the ledger is unchanged")
    }
}

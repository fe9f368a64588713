import AssentCrypto
import AssentLog
import AssentStorage
import Foundation
import Testing

@testable import AssentRecords

@Suite struct IngestTests {
    @Test func ingestsIdempotentlyAndRecordsFurtherSources() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let lines = [
            #"{"text":"alpha","license":"CC-BY-4.0","source":"set-a","attribution":"Ann Author","collected_at":"2024-05-01T12:00:00Z"}"#,
            #"{"text":"beta","license":"mit","source":"set-a"}"#,
            #"{"text":"alpha","license":"CC-BY-SA-4.0","source":"set-b"}"#,
        ]
        let first = try fixture.ingest(try fixture.manifest("m.jsonl", lines))
        #expect(first.added == 2 && first.addedSources == 1 && first.unchanged == 0)
        let sizeAfterFirst = try fixture.ledger.size()
        let second = try fixture.ingest(try fixture.manifest("m.jsonl", lines))
        #expect(second.added == 0 && second.addedSources == 0 && second.unchanged == 3)
        #expect(try fixture.ledger.size() == sizeAfterFirst, "an idempotent re-run logs nothing")
        let samples = try fixture.entries(ofType: "sample")
        #expect(samples.map { $0["license_concluded"]?.stringValue } == ["CC-BY-4.0", "MIT"])
        let further = try fixture.entries(ofType: "sample.source")
        #expect(
            further.count == 1 && further[0]["commitment"] == samples[0]["commitment"]
                && further[0]["source"]?.stringValue == "set-b")
        #expect(try fixture.ledger.verify().entries == sizeAfterFirst)
    }

    @Test func aRunKilledAfterSomeChunksCompletesWhenRunAgain() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let lines = (0..<25).map { #"{"text":"item \#($0)","license":"MIT","source":"s"}"# }
        var options = IngestOptions()
        options.chunkSize = 4
        let partial = try fixture.ingest(try fixture.manifest("m.jsonl", Array(lines.prefix(12))), options: options)
        #expect(partial.chunks == 3)
        let rest = try fixture.ingest(try fixture.manifest("m.jsonl", lines), options: options)
        #expect(rest.added == 13 && rest.unchanged == 12)
        #expect(try fixture.store.status()["samples"]?.integerValue == 25)
    }

    /// Lines are validated in parallel parts and batches, but errors, skips and entries keep manifest order.
    @Test func parallelValidationKeepsManifestOrder() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let bad: Set<Int> = [7, 1_300, 2_049, 4_999]
        let lines = (1...5_000).map { number in
            bad.contains(number)
                ? #"{"text":"item \#(number)","license":"Not-A-Licence","source":"s"}"#
                : #"{"text":"item \#(number)","license":"MIT","source":"s"}"#
        }
        let manifest = try fixture.manifest("m.jsonl", lines)
        #expect(throws: RecordsError.self) { try fixture.ingest(manifest) }
        do { _ = try fixture.ingest(manifest) } catch let error as RecordsError {
            #expect(error.message.hasPrefix("line 7: field license"), "the first bad line is named: \(error.message)")
        }
        #expect(try fixture.ledger.size() == 0, "nothing was written")
        var options = IngestOptions()
        options.skipInvalid = true
        options.chunkSize = 1_000
        let report = try fixture.ingest(manifest, options: options)
        #expect(report.skipped.map(\.line) == bad.sorted())
        #expect(report.added == 5_000 - bad.count)
        let seqs = try fixture.entries(ofType: "sample").map { $0["seq"]?.integerValue }
        #expect(seqs == (0..<Int64(5_000 - bad.count)).map { $0 })
        let contents = try [0, 5, 6, 1_297, 1_298, 4_995].map { seq in
            try fixture.store.database.withStatement("SELECT content FROM vault_content WHERE sample = ?") {
                try $0.bind([.integer(Int64(seq))])
                _ = try $0.step()
                return String(decoding: $0.blob(0), as: UTF8.self)
            }
        }
        #expect(contents == ["item 1", "item 6", "item 8", "item 1299", "item 1301", "item 5000"])
    }

    @Test func theLogNeverHoldsContentAttributionIdentityOrURLs() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let consent = try fixture.registry.grant(
            subject: "carol@example.org", purposes: ["ai-training"], legalBasis: "consent", expiresAt: nil,
            evidence: Array("signed form".utf8))
        let lines = [
            #"{"text":"SECRET-CONTENT-123","license":"MIT","source":"s","attribution":"ATTRIBUTION-XYZ","source_uri":"https://social.example/carol/post/9","subject":"carol@example.org","consent":"\#(consent.id)"}"#
        ]
        _ = try fixture.ingest(try fixture.manifest("m.jsonl", lines))
        let log = try fixture.allEntryBytes()
        for secret in ["SECRET-CONTENT-123", "ATTRIBUTION-XYZ", "social.example", "carol@example.org", "signed form"] {
            #expect(!log.contains(secret), "\(secret) reached the log")
        }
        let receipt = try fixture.registry.receipt(subject: "carol@example.org")
        let sample = try #require(receipt["samples"]?.arrayValue?.first?.objectValue)
        let nonce = Hex.decode(sample["nonce"]!.stringValue!)!
        let opened = "sha256:" + Hex.encode(SHA256.hash(nonce + Array("SECRET-CONTENT-123".utf8)))
        #expect(sample["commitment"]?.stringValue == opened, "the receipt's nonce opens the commitment")
        #expect(receipt["pseudonym"]?.stringValue == consent.subject)
    }

    static let badLines: [(line: String, expected: String)] = [
        (#"{"text":"x","license":"MIT AND Foo-9","source":"s"}"#, "line 2: field license: unknown licence id"),
        (#"{"text":"x","license":"MIT and Apache-2.0 Or ISC","source":"s"}"#, "'Or' at column 20"),
        (#"{"txt":"x","license":"MIT","source":"s"}"#, #"line 2: unknown field "txt" (did you mean "text"?)"#),
        (#"{"text":"x","license":"MIT""#, "line 2: not valid JSON"),
        (#"{"path":"missing.bin","license":"MIT","source":"s"}"#, "line 2: field path: cannot read"),
        (
            #"{"text":"x","license":"MIT","source":"s","consent":"cons-none"}"#,
            "line 2: field consent: no consent cons-none exists"
        ),
        (#"{"text":"x","license":"MIT","source":"s","collected_at":"2024-05-01"}"#, "line 2: field collected_at"),
        (#"{"text":"x","source":"s"}"#, "line 2: field license: missing"),
        (#"{"text":"x","license":"MIT"}"#, "line 2: field source: missing"),
        (
            #"{"text":"x","content_base64":"AA==","license":"MIT","source":"s"}"#,
            "exactly one of path, text, content_base64 or json"
        ),
        (#"{"text":"ok","license":"MIT","source":"s","opt_out":"maybe"}"#, "line 2: field opt_out"),
        (
            #"{"text":"first","license":"Apache-2.0","source":"s"}"#,
            "line 2: the same content from source \"s\" as line 1"
        ),
    ]

    @Test(arguments: badLines) func badInputNamesLineAndFieldAndChangesNothing(vector: (line: String, expected: String))
        throws
    {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let before = try fixture.ledger.size()
        let source = try fixture.manifest("m.jsonl", [#"{"text":"first","license":"MIT","source":"s"}"#, vector.line])
        do {
            _ = try fixture.ingest(source)
            Issue.record("accepted \(vector.line)")
        } catch let error as RecordsError {
            #expect(error.message.contains(vector.expected), "\(error.message)")
        }
        #expect(try fixture.ledger.size() == before, "nothing was logged")
        #expect(try fixture.store.status()["samples"]?.integerValue == 0)
        var options = IngestOptions()
        options.skipInvalid = true
        let report = try fixture.ingest(source, options: options)
        #expect(report.skipped.map(\.line) == [2] && report.added == 1)
    }

    @Test func conflictsWithTheLedgerNameTheEntryAndField() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        _ = try fixture.ingest(
            try fixture.manifest("a.jsonl", [#"{"text":"same","license":"MIT","source":"s","attribution":"A"}"#]))
        let size = try fixture.ledger.size()
        do {
            _ = try fixture.ingest(
                try fixture.manifest("b.jsonl", [#"{"text":"same","license":"MIT","source":"s","attribution":"B"}"#]))
            Issue.record("a metadata conflict was accepted")
        } catch let error as RecordsError {
            #expect(
                error.message.contains("already recorded by entry 0") && error.message.contains("field attribution"),
                "\(error.message)")
        }
        let consent = try fixture.registry.grant(
            subject: "dan", purposes: ["ai-training"], legalBasis: "consent", expiresAt: nil, evidence: nil)
        #expect(throws: RecordsError.self) {
            _ = try fixture.ingest(
                try fixture.manifest(
                    "c.jsonl", [#"{"text":"same","license":"MIT","source":"t","consent":"\#(consent.id)"}"#]))
        }
        #expect(try fixture.ledger.size() == size + 1, "only the consent grant was logged")
    }

    @Test func invalidUTF8IsRejectedWithItsLine() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let url = fixture.folder.appendingPathComponent("bad.jsonl")
        try Data(Array(#"{"text":"ok","license":"MIT","source":"s"}"#.utf8) + [0x0A, 0x7B, 0xFF, 0xFE, 0x7D, 0x0A])
            .write(to: url)
        #expect(throws: RecordsError(.invalidInput, "")) { try fixture.ingest(.jsonl(url)) }
        do { _ = try fixture.ingest(.jsonl(url)) } catch let error as RecordsError {
            #expect(error.message.hasPrefix("line 2: invalid UTF-8"))
        }
    }

    @Test func pathsOutsideTheManifestFolderNeedAllowOutside() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let inner = fixture.folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
        try Data("outside".utf8).write(to: fixture.folder.appendingPathComponent("outside.txt"))
        try Data("inside".utf8).write(to: inner.appendingPathComponent("inside.txt"))
        let url = inner.appendingPathComponent("m.jsonl")
        try Data(
            (#"{"path":"inside.txt","license":"MIT","source":"s"}"# + "\n"
                + #"{"path":"../outside.txt","license":"MIT","source":"s"}"# + "\n").utf8
        ).write(to: url)
        do {
            _ = try fixture.ingest(.jsonl(url))
            Issue.record("a path outside the folder was accepted")
        } catch let error as RecordsError {
            #expect(error.message.hasPrefix("line 2: field path") && error.message.contains("--allow-outside"))
        }
        var options = IngestOptions()
        options.allowOutside = true
        #expect(try fixture.ingest(.jsonl(url), options: options).added == 2, "--allow-outside admits it")
    }

    @Test func csvAndFolderManifests() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let csv = try fixture.manifest(
            "rows.csv",
            [
                "text,license,source,opt_out", "\"a, \"\"quoted\"\"\ncell\",MIT,csv-set,reserved",
                "plain,Apache-2.0 OR MIT,csv-set,",
            ])
        #expect(try fixture.ingest(csv).added == 2)
        let samples = try fixture.entries(ofType: "sample")
        #expect(samples[0]["opt_out"]?.objectValue?["status"]?.stringValue == "reserved")
        #expect(samples[1]["license_declared"]?.stringValue == "Apache-2.0 OR MIT")
        let images = fixture.folder.appendingPathComponent("images")
        try FileManager.default.createDirectory(
            at: images.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: images.appendingPathComponent("a.png"))
        try Data([4, 5]).write(to: images.appendingPathComponent("sub/b.png"))
        let report = try fixture.ingest(
            .folder(images), defaults: JSONObject([("license", .string("CC0-1.0")), ("source", .string("photos"))]))
        #expect(report.added == 2)
        #expect(try fixture.entries(ofType: "sample").last?["media_type"]?.stringValue == "image/png")
    }

    @Test func optOutSignalsFoldAsAIPREF() throws {
        let fail: (String) -> RecordsError = { RecordsError(.invalidInput, $0) }
        let folded = try ValidatedSample.parseOptOut(
            try JSONParser.parse(
                #"{"signals":[{"mechanism":"aipref-header","value":"train-ai=y"},{"mechanism":"tdm-header","value":"1"}]}"#
            ), fail: fail)
        #expect(folded["status"]?.stringValue == "reserved")
        let open = try ValidatedSample.parseOptOut(
            try JSONParser.parse(#"{"signals":[{"mechanism":"cawg","value":"allowed"}]}"#), fail: fail)
        #expect(open["status"]?.stringValue == "notReserved")
        #expect(throws: RecordsError.self) {
            try ValidatedSample.parseOptOut(
                try JSONParser.parse(
                    #"{"status":"notReserved","signals":[{"mechanism":"robots","value":"disallow"}]}"#), fail: fail)
        }
        #expect(throws: RecordsError.self) {
            try ValidatedSample.parseOptOut(
                try JSONParser.parse(#"{"signals":[{"mechanism":"carrier-pigeon","value":"1"}]}"#), fail: fail)
        }
    }
}

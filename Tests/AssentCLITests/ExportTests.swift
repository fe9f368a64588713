import AssentTestSupport
import Foundation
import Testing

/// `assent source` and `assent export`: regulator and ecosystem documents computed from the log.
@Suite struct ExportTests {
    /// A ledger with public, crawled (two registrable domains) and synthetic samples, one subject's
    /// samples under consent, and a naive-Bayes model trained on them.
    static func prepared() throws -> (cli: CLI, model: String, snapshot: String) {
        let cli = try CLI()
        #expect(try cli.run("init", "--origin", "example.org/exports").status == 0)
        #expect(try cli.run("consent", "grant", "--subject", "ann@example.org", "--purpose", "ai-training").status == 0)
        let lines = (0..<36).map { index -> String in
            let features = ([index] + (0..<63).map { ($0 * 5 + index) % 13 }).map(String.init).joined(separator: ",")
            let text = #"{\"features\":[\#(features)],\"label\":\#(index % 3)}"#
            let origin: String
            switch index % 4 {
            case 0: origin = #""source":"pub""#
            case 1: origin = #""source":"crawl","source_uri":"https://www.big.example.co.uk/\#(index)""#
            case 2 where index % 8 == 2:
                origin = #""source":"crawl","source_uri":"https://small.example.com/\#(index)""#
            case 2: origin = #""source":"crawl","source_uri":"https://news.big.example.co.uk/\#(index)""#
            default: origin = #""source":"synth""#
            }
            let subject = index % 9 == 0 ? #","subject":"ann@example.org""# : ""
            return
                #"{"text":"\#(text)","license":"MIT",\#(origin),"language":"en","size_value":\#(index % 4 == 1 ? 300 : 10),"size_unit":"tokens","collected_at":"2025-0\#(1 + index % 6)-01T00:00:00Z"\#(subject)}"#
        }
        try cli.write("m.jsonl", lines.joined(separator: "\n") + "\n")
        let ingested = try cli.run("ingest", "m.jsonl")
        #expect(ingested.status == 0, "\(ingested.stderr)")
        let trained = try cli.run("train", "--trainer", "naive-bayes", "--shards", "2", "--json")
        #expect(trained.status == 0, "\(trained.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(trained.stdout.utf8)) as? [String: Any]
        try cli.write(
            "provider.json",
            #"{"name":"Example AI","contact":"ai@example.org","placement_date":"2026-11-01","code_of_practice_signatory":false,"narratives":{"3.2":"Filtered <script> & co."}}"#
        )
        return (cli, try #require(report?["model"] as? String), try #require(report?["snapshot"] as? String))
    }

    static func classify(_ cli: CLI) throws {
        for (name, extra) in [
            ("pub", ["public"]), ("crawl", ["crawled", "--crawler", "ExampleBot/2.1"]),
            ("synth", ["synthetic", "--generator", "gen-7b"]),
        ] {
            #expect(try cli.run(["source", "set", name, "--category"] + extra).status == 0)
        }
    }

    func files(_ cli: CLI, _ folder: String) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: cli.path(folder)) {
            files[name] = Array(try Data(contentsOf: URL(fileURLWithPath: cli.path("\(folder)/\(name)"))))
        }
        return files
    }

    @Test func anExportOverUnclassifiedSourcesNamesThemAndWritesNothing() throws {
        let (cli, model, snapshot) = try Self.prepared()
        defer { cli.cleanUp() }
        for arguments in [
            ["export", "ai-act-summary", model, "--provider", "provider.json", "--out", "summary"],
            ["export", "spdx", model, "--out", "summary/x.json"],
            ["export", "croissant", snapshot, "--out", "summary/x.json"],
        ] {
            let refused = try cli.run(arguments)
            #expect(refused.status == 1)
            #expect(
                refused.stderr.contains("crawl, pub, synth")
                    && refused.stderr.contains("assent source set NAME --category"))
            #expect(!FileManager.default.fileExists(atPath: cli.path("summary")))
        }
        let unknown = try cli.run("source", "set", "pub", "--category", "scraped")
        #expect(unknown.status == 1 && unknown.stderr.contains("unknown category \"scraped\""))
        let list = try cli.run("source", "list")
        #expect(list.stdout.contains("pub") && list.stdout.contains("no category"))
    }

    @Test func theSummaryIsComputedOverTheSnapshotAndTheSameBytesEachTime() throws {
        let (cli, model, _) = try Self.prepared()
        defer { cli.cleanUp() }
        try Self.classify(cli)
        let first = try cli.run(
            "export", "ai-act-summary", model, "--provider", "provider.json", "--out", "a", "--json")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("summary.md") && first.stderr.contains("narrative 1.3 not provided"))
        #expect(try cli.run("export", "ai-act-summary", model, "--provider", "provider.json", "--out", "b").status == 0)
        let (a, b) = (try files(cli, "a"), try files(cli, "b"))
        #expect(Set(a.keys) == ["summary.md", "summary.html", "summary.json", "domains.csv"])
        #expect(a == b, "the same ledger state gives the same bytes")
        let csv = String(decoding: a["domains.csv"]!, as: UTF8.self)
        #expect(csv.hasPrefix("domain,bytes,share,top\nexample.co.uk,"), "the domain with more content first")
        #expect(csv.split(separator: "\n").count == 3 && csv.contains("\nexample.com,"))
        let markdown = String(decoding: a["summary.md"]!, as: UTF8.self)
        for expected in [
            "**Were crawlers used by the provider or on behalf of?** ☒ Yes ☐ No", "ExampleBot/2.1", "gen-7b",
            "Less than 1 billion tokens", "**Authorised representative name and contact details:** N/A",
            "Filtered \\<script\\> \\& co.", "**Period of data collection:** From 01/2025 to 06/2025",
            "**Summary of the most relevant domain names crawled:** example.co.uk (0.",
        ] {
            #expect(markdown.contains(expected), "summary.md lacks \(expected)")
        }
        let html = String(decoding: a["summary.html"]!, as: UTF8.self)
        #expect(html.contains("Filtered &lt;script&gt; &amp; co.") && !html.contains("<script>"))
    }

    @Test func aProviderFileMissingFieldsIsRefusedListingThemAll() throws {
        let (cli, model, _) = try Self.prepared()
        defer { cli.cleanUp() }
        try Self.classify(cli)
        try cli.write("bad.json", #"{"name":"Example AI","placement_date":"1 Nov 2026"}"#)
        let refused = try cli.run("export", "ai-act-summary", model, "--provider", "bad.json", "--out", "out")
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains("missing mandatory fields contact, code_of_practice_signatory"), "\(refused.stderr)"
        )
        try cli.write(
            "bad2.json", #"{"name":"A","contact":"c","placement_date":"2026-13-01","code_of_practice_signatory":true}"#)
        let wrongDate = try cli.run("export", "ai-act-summary", model, "--provider", "bad2.json", "--out", "out")
        #expect(wrongDate.status == 1 && wrongDate.stderr.contains("field placement_date: expected a date YYYY-MM-DD"))
        let unknown = try cli.run(
            "export", "ai-act-summary", "sha256:" + String(repeating: "0", count: 64), "--provider", "provider.json",
            "--out", "out")
        #expect(unknown.status == 1)
        #expect(!FileManager.default.fileExists(atPath: cli.path("out")))
    }

    @Test func theArt30RecordCountsSubjectsWithoutNamingThem() throws {
        let (cli, _, _) = try Self.prepared()
        defer { cli.cleanUp() }
        try cli.write("controller.json", #"{"name":"Example AI","contact":"privacy@example.org","transfers":["none"]}"#)
        let made = try cli.run("export", "gdpr-art30", "--controller", "controller.json", "--out", "art30")
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stderr.contains("controller field recipients not provided"))
        let record = try files(cli, "art30")
        let text = String(decoding: record["art30.md"]! + record["art30.json"]!, as: UTF8.self)
        #expect(!text.contains("ann@example.org"), "never a subject's real id")
        #expect(
            text.contains(
                "(f) where possible, the envisaged time limits for erasure of the different categories of data;"))
        #expect(
            text.contains("1 pseudonymous data subjects") && text.contains("Training under policy default-ai-training"))
        try cli.write("controller2.json", #"{"dpo":"x"}"#)
        let refused = try cli.run("export", "gdpr-art30", "--controller", "controller2.json", "--out", "art30b")
        #expect(refused.status == 1 && refused.stderr.contains("missing mandatory fields name, contact"))
    }

    @Test func supplyChainDocumentsAreDeterministicAndFollowTheProfileRules() throws {
        let (cli, model, snapshot) = try Self.prepared()
        defer { cli.cleanUp() }
        try Self.classify(cli)
        for run in ["1", "2"] {
            #expect(
                try cli.run("export", "spdx", model, "--license", "Apache-2.0", "--out", "spdx\(run).json").status == 0)
            #expect(try cli.run("export", "cyclonedx", model, "--spec", "1.7", "--out", "cdx\(run).json").status == 0)
            #expect(try cli.run("export", "croissant", snapshot, "--out", "cr\(run).json").status == 0)
        }
        for name in ["spdx", "cdx", "cr"] {
            let one = try Data(contentsOf: URL(fileURLWithPath: cli.path("\(name)1.json")))
            #expect(
                one == (try Data(contentsOf: URL(fileURLWithPath: cli.path("\(name)2.json")))),
                "\(name) differs between runs")
        }
        let spdx =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cli.path("spdx1.json"))))
            as? [String: Any]
        let graph = try #require(spdx?["@graph"] as? [[String: Any]])
        for type in ["ai_AIPackage", "dataset_DatasetPackage"] {
            let package = try #require(graph.first { $0["type"] as? String == type })
            for kind in ["hasConcludedLicense", "hasDeclaredLicense"] {
                let relations = graph.filter {
                    $0["relationshipType"] as? String == kind && $0["from"] as? String == package["spdxId"] as? String
                }
                #expect(relations.count == 1, "\(type) has exactly one \(kind)")
            }
        }
        #expect(graph.contains { $0["relationshipType"] as? String == "trainedOn" })
        #expect(graph.contains { $0["simplelicensing_licenseExpression"] as? String == "Apache-2.0" })
        #expect(graph.filter { $0["type"] as? String == "software_File" }.count == 2, "one file per shard")
        let badSpec = try cli.run("export", "cyclonedx", model, "--spec", "1.5", "--out", "x.json")
        #expect(badSpec.status == 1 && badSpec.stderr.contains("1.6, 1.7"))
        let badLicense = try cli.run("export", "spdx", model, "--license", "MIT AND", "--out", "x.json")
        #expect(badLicense.status == 1 && badLicense.stderr.contains("--license"))
        #expect(try cli.run("export", "croissant", "snap-nope", "--out", "x.json").status == 1)
        #expect(!FileManager.default.fileExists(atPath: cli.path("x.json")))
    }

    @Test func aReproducedModelGetsANewSummaryVersionSayingWhatChanged() throws {
        let (cli, model, _) = try Self.prepared()
        defer { cli.cleanUp() }
        try Self.classify(cli)
        let revoked = try cli.run("revoke", "--subject", "ann@example.org", "--reproduce", "--json")
        #expect(revoked.status == 0, "\(revoked.stderr)")
        let models = try cli.run("models", "--json").stdout
        let parsed = try JSONSerialization.jsonObject(with: Data(models.utf8)) as? [String: Any]
        let successor = try #require(
            (parsed?["models"] as? [[String: Any]])?.first { $0["supersedes"] as? String == model }?["model"] as? String
        )
        #expect(
            try cli.run("export", "ai-act-summary", successor, "--provider", "provider.json", "--out", "v2").status == 0
        )
        let markdown = String(decoding: try files(cli, "v2")["summary.md"]!, as: UTF8.self)
        #expect(markdown.contains("**Version of the Summary:** 2"))
        #expect(markdown.contains("Reproduces \(model) (version 1) after revocation"))
        #expect(markdown.contains("4 samples removed, 0 added"))
    }
}

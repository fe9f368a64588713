import AssentLog
import Foundation
import Testing

@testable import AssentRecords

/// What the regulator exports need recorded per sample (language, size, domain) and per source
/// (its category), validated and on the log.
@Suite struct DescriptorTests {
    @Test func languageTagsAreCheckedAndWrittenInTheirConventionalCase() {
        #expect(LanguageTag.canonical("EN") == "en")
        #expect(LanguageTag.canonical("pt-br") == "pt-BR")
        #expect(LanguageTag.canonical("zh-hant-tw") == "zh-Hant-TW")
        #expect(LanguageTag.canonical("es-419") == "es-419")
        #expect(LanguageTag.canonical("sr-latn") == "sr-Latn")
        #expect(LanguageTag.canonical("x-klingon") == "x-klingon")
        for bad in ["", "e", "englishes", "en-GB-x", "en_GB", "en--GB", "123", "en-GB-", "ünglish"] {
            #expect(LanguageTag.canonical(bad) == nil, "\(bad) is not a language tag")
        }
    }

    @Test func theRegistrableDomainFollowsPlainWildcardAndExceptionRules() {
        let list = PublicSuffixList(
            text: """
                // a tiny list in the published format
                com
                uk
                co.uk
                *.ck
                !www.ck
                """)
        #expect(list.registrableDomain(of: "news.example.co.uk") == "example.co.uk")
        #expect(list.registrableDomain(of: "Example.COM.") == "example.com")
        #expect(list.registrableDomain(of: "a.b.foo.ck") == "b.foo.ck", "*.ck makes foo.ck a public suffix")
        #expect(list.registrableDomain(of: "www.ck") == "www.ck", "!www.ck is an exception to *.ck")
        #expect(list.registrableDomain(of: "co.uk") == nil, "a public suffix has no registrable domain")
        #expect(list.registrableDomain(of: "192.168.0.1") == nil)
        #expect(list.registrableDomain(ofURI: "https://user@blog.example.com:8443/a?b") == "example.com")
        #expect(list.registrableDomain(ofURI: "not a uri") == nil)
    }

    @Test(.enabled(if: PublicSuffixList.installed != nil, "needs Debian's publicsuffix package"))
    func theInstalledListKnowsRealSuffixes() throws {
        let list = try #require(PublicSuffixList.installed)
        #expect(list.registrableDomain(of: "www.bbc.co.uk") == "bbc.co.uk")
        #expect(list.registrableDomain(of: "foo.github.io") == "foo.github.io", "github.io is a private suffix")
    }

    @Test func languageSizeAndDomainGoOnTheLogAndTheURIStaysInTheVault() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let report = try fixture.ingest(
            try fixture.manifest(
                "m.jsonl",
                [
                    #"{"text":"hello","license":"MIT","source":"web","language":"EN-gb","size_value":2,"size_unit":"tokens","source_uri":"https://news.example.co.uk/x"}"#,
                    #"{"text":"plain","license":"MIT","source":"s"}"#,
                ]))
        #expect(report.added == 2)
        let entries = try fixture.entries(ofType: "sample")
        let described = try #require(entries.first { $0["language"] != nil })
        #expect(described["language"]?.stringValue == "en-GB")
        #expect(described["size_value"]?.integerValue == 2 && described["size_unit"]?.stringValue == "tokens")
        if PublicSuffixList.installed != nil {
            #expect(described["domain"]?.stringValue == "example.co.uk")
        }
        #expect(
            !String(decoding: try fixture.allEntryBytes(), as: UTF8.self).contains("news.example"),
            "the URI is not on the log")
        let plain = try #require(entries.first { $0["language"] == nil })
        #expect(
            plain["size_value"] == nil && plain["domain"] == nil, "a sample without them logs the same fields as before"
        )
    }

    @Test func badDescriptorsNameTheLineAndFieldAndWriteNothing() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let cases: [(String, String)] = [
            (#""language":"en_GB""#, "field language"),
            (#""size_value":5,"size_unit":"pages""#, "field size_unit"),
            (#""size_value":-1,"size_unit":"tokens""#, "field size_value"),
            (#""size_value":5"#, "size_unit"),
            (#""size_unit":"images""#, "size_value"),
        ]
        for (number, (fields, expected)) in cases.enumerated() {
            let before = try fixture.allEntryBytes()
            do {
                _ = try fixture.ingest(
                    try fixture.manifest(
                        "bad\(number).jsonl",
                        [
                            #"{"text":"ok \#(number)","license":"MIT","source":"s"}"#,
                            #"{"text":"x","license":"MIT","source":"s",\#(fields)}"#,
                        ]))
                Issue.record("\(fields) was accepted")
            } catch let error as RecordsError {
                #expect(error.message.contains("line 2") && error.message.contains(expected), "\(error.message)")
            }
            #expect(try fixture.allEntryBytes() == before, "nothing was written for \(fields)")
        }
    }

    @Test func aSourceClassificationIsLoggedAndTheLatestWins() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let sources = SourceRegistry(store: fixture.store)
        let first = try sources.set("web", category: "crawled", crawler: "ExampleBot/1.0")
        try sources.set("web", category: "licensed", uri: "https://example.org/licence")
        #expect(try sources.all()["web"]?.category == "licensed")
        #expect(
            try sources.all(before: first.seq + 1)["web"]?.crawler == "ExampleBot/1.0",
            "exports read it as of a checkpoint")
        #expect(try fixture.entries(ofType: "source").count == 2)
        let before = try fixture.allEntryBytes()
        for (call, field) in [
            ({ try sources.set("web", category: "scraped") }, "category: unknown category \"scraped\""),
            ({ try sources.set("web", category: "public", uri: "example.org") }, "uri:"),
            ({ try sources.set("", category: "public") }, "name:"),
        ] as [(() throws -> SourceRecord, String)] {
            do {
                _ = try call()
                Issue.record("accepted: \(field)")
            } catch let error as RecordsError {
                #expect(error.message.hasPrefix(field), "\(error.message)")
            }
        }
        #expect(try fixture.allEntryBytes() == before)
    }
}

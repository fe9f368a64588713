import AssentTestSupport
import Foundation
import Testing

/// A manifest of `count` samples the naive-Bayes trainer reads, a third of them a subject's.
func featureManifest(_ count: Int, offset: Int = 0) -> String {
    (offset..<offset + count).map { index in
        let features = ([index] + (0..<63).map { ($0 * 7 + index) % 17 }).map(String.init).joined(separator: ",")
        let subject = index % 3 == 0 ? #","subject":"person-\#(index % 5)@example.org""# : ""
        return
            #"{"text":"{\"features\":[\#(features)],\"label\":\#(index % 3)}","license":"MIT","source":"s\#(index % 2)"\#(subject)}"#
    }.joined(separator: "\n") + "\n"
}

/// `assent migrate --to`: an SQLite ledger moved to PostgreSQL reads the same and goes on working.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["ASSENT_TEST_POSTGRES"] != nil && !TestBackend.isPostgres,
        "needs ASSENT_TEST_POSTGRES (Tools/test.sh starts a server) and SQLite as the ledgers' backend"))
struct PostgresMigrateTests {
    @Test func aMigratedLedgerReadsTheSameVerifiesAndTakesNewWrites() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.run("init", "--origin", "example.org/migrate").status == 0)
        #expect(
            try cli.run("consent", "grant", "--subject", "person-0@example.org", "--purpose", "ai-training").status == 0
        )
        try cli.write("m.jsonl", featureManifest(60))
        #expect(try cli.run("ingest", "m.jsonl").status == 0)
        let trained = try cli.run("train", "--trainer", "naive-bayes", "--shards", "2", "--json")
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(try cli.run("revoke", "--subject", "person-1@example.org").status == 0)
        let before = try cli.run("status", "--json").stdout
        let modelsBefore = try cli.run("models", "--json").stdout
        let checkpointBefore = try cli.run("log", "checkpoint").stdout

        let url = try #require(try TestBackend.freshPostgresDatabase(force: true))
        let migrated = try cli.run("migrate", "--to", url)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(migrated.stdout.contains("ok: log verified on PostgreSQL"))
        let password = URLComponents(string: url)?.password ?? "no password"
        #expect(!migrated.stdout.contains(password) && !migrated.stderr.contains(password))
        #expect(FileManager.default.fileExists(atPath: cli.path("ledger/database.url")))
        #expect(!FileManager.default.fileExists(atPath: cli.path("ledger/ledger.sqlite")))
        #expect(FileManager.default.fileExists(atPath: cli.path("ledger/ledger.sqlite.migrated")))
        #expect(try cli.run("status", "--json").stdout == before)
        #expect(try cli.run("models", "--json").stdout == modelsBefore)
        #expect(try cli.run("log", "checkpoint").stdout == checkpointBefore, "the same signed checkpoint")

        try cli.write("more.jsonl", featureManifest(10, offset: 60))
        #expect(try cli.run("ingest", "more.jsonl").status == 0)
        #expect(try cli.run("log", "verify").status == 0)
        let again = try cli.run("migrate", "--to", url)
        #expect(again.status == 1 && again.stderr.contains("already on PostgreSQL"), "\(again.stderr)")
    }

    @Test func aDatabaseThatHoldsALedgerIsRefusedAndTheFolderStaysAsItWas() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.run("init").status == 0)
        try cli.write("m.jsonl", featureManifest(5))
        #expect(try cli.run("ingest", "m.jsonl").status == 0)
        let url = try #require(try TestBackend.freshPostgresDatabase(force: true))
        #expect(try cli.run("init", "--ledger", cli.path("other"), "--database", url).status == 0)
        let refused = try cli.run("migrate", "--to", url)
        #expect(refused.status == 1 && refused.stderr.contains("already holds a ledger"), "\(refused.stderr)")
        #expect(FileManager.default.fileExists(atPath: cli.path("ledger/ledger.sqlite")))
        #expect(!FileManager.default.fileExists(atPath: cli.path("ledger/database.url")))
        #expect(try cli.run("log", "verify").status == 0)
    }
}

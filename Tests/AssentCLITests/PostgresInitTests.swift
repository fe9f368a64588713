import AssentTestSupport
import Foundation
import Testing

/// `assent init --database`: a ledger on PostgreSQL, refused cleanly when the database cannot hold one.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["ASSENT_TEST_POSTGRES"] != nil,
        "needs ASSENT_TEST_POSTGRES (Tools/test.sh starts a server)"))
struct PostgresInitTests {
    @Test func initOnPostgresThenASecondInitAndAWrongPasswordAreRefusedLeavingNothing() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let url = try #require(try TestBackend.freshPostgresDatabase(force: true))
        let created = try cli.run("init", "--origin", "example.org/pg-cli", "--database", url, "--json")
        #expect(created.status == 0, "\(created.stderr)")
        let password = URLComponents(string: url)?.password ?? "no password"
        #expect(!created.stdout.contains(password) && created.stdout.contains("\"database\":\"postgresql://"))
        try cli.write("m.jsonl", #"{"text":"on postgres","license":"MIT","source":"s"}"# + "\n")
        #expect(try cli.run("ingest", "m.jsonl").status == 0)
        #expect(try cli.run("log", "verify").status == 0)

        let second = try cli.run("init", "--ledger", cli.path("second"), "--database", url)
        #expect(second.status == 1 && second.stderr.contains("already holds a ledger"))
        #expect(!FileManager.default.fileExists(atPath: cli.path("second")), "a refused init leaves no folder")
        var wrong = URLComponents(string: url)!
        wrong.password = "not-the-password-42"
        let refused = try cli.run("init", "--ledger", cli.path("third"), "--database", wrong.string!)
        #expect(refused.status == 1 && refused.stderr.contains("password authentication failed"))
        #expect(!refused.stderr.contains("not-the-password-42"))
        #expect(!FileManager.default.fileExists(atPath: cli.path("third")))
    }

    @Test func withoutLibPQAPostgresLedgerIsAClearErrorAndSQLiteLedgersStillWork() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let url = try #require(try TestBackend.freshPostgresDatabase(force: true))
        let missing = ["ASSENT_LIBPQ": cli.path("no-such-libpq.so.5")]
        let refused = try cli.run(["init", "--database", url], environment: missing)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(
            refused.stderr.contains("PostgreSQL ledgers need libpq")
                && refused.stderr.contains("apt-get install libpq5"))
        let password = URLComponents(string: url)?.password ?? "no password"
        #expect(refused.stderr.contains("cannot connect to postgresql://"), "names the database: \(refused.stderr)")
        #expect(!refused.stderr.contains(password))
        #expect(!FileManager.default.fileExists(atPath: cli.ledger), "nothing is written")
        #expect(try cli.run(["init", "--database", url]).status == 0)
        let opened = try cli.run(["status"], environment: missing)
        #expect(opened.status == 1 && opened.stderr.contains("PostgreSQL ledgers need libpq"), "\(opened.stderr)")
        let sqlite = try cli.run(["init", "--ledger", cli.path("sqlite")], environment: missing)
        #expect(sqlite.status == 0 || TestBackend.isPostgres, "SQLite needs no libpq: \(sqlite.stderr)")
    }
}

import AssentStorage
import Foundation
import Testing
import AssentTestSupport

/// The attacks of the security review against the CLI, scripted through the built binary.
@Suite struct ReviewAttackTests {
    /// A ledger with 60 digits samples and a 2-shard logistic model; returns the model id and folder.
    func ledgerWithModel(_ cli: CLI) throws -> (id: String, folder: String) {
        #expect(try cli.run("init", "--origin", "example.org/review").status == 0)
        let digits = try String(
            contentsOf: CLI.binary.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Tools/datasets/digits/digits-train.jsonl"), encoding: .utf8)
        let lines = digits.split(separator: "\n").prefix(60).map { line in
            let escaped = line.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return #"{"text":"\#(escaped)","license":"CC-BY-4.0","source":"digits"}"#
        }
        try cli.write("digits.jsonl", lines.joined(separator: "\n") + "\n")
        #expect(try cli.run("ingest", "digits.jsonl").status == 0)
        let trained = try cli.run("train", "--trainer", "logistic", "--shards", "2", "--json")
        #expect(trained.status == 0, "\(trained.stderr)")
        let id = try #require(trained.stdout.split(separator: "\"").drop { $0 != "model" }.dropFirst(2).first)
        let path = try #require(trained.stdout.split(separator: "\"").drop { $0 != "path" }.dropFirst(2).first)
        return (String(id), String(path))
    }

    func database(_ cli: CLI) throws -> Database {
        try Database(path: URL(fileURLWithPath: cli.ledger).appendingPathComponent("ledger.sqlite").path)
    }

    @Test func verifyWithoutTrustSaysItOnlyCheckedConsistency() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let model = try ledgerWithModel(cli)
        #expect(try cli.run("prove", model.id, "--out-dir", "proof").status == 0)
        let untrusted = try cli.run("verify", "proof", "--model", model.folder)
        #expect(
            untrusted.status == 3 && untrusted.stdout.contains("UNANCHORED") && !untrusted.stdout.contains("verified"))
        #expect(try cli.run("keys", "export", "--out", "trust.json").status == 0)
        let trusted = try cli.run("verify", "proof", "--model", model.folder, "--trust", "trust.json")
        #expect(trusted.status == 0 && trusted.stdout.contains("verified") && trusted.stdout.contains(" ago"))
        // A second ledger's trust file: the proof is consistent, but not this operator's.
        let other = try CLI()
        defer { other.cleanUp() }
        #expect(try other.run("init").status == 0)
        #expect(try other.run("keys", "export", "--out", cli.path("other-trust.json")).status == 0)
        #expect(try cli.run("verify", "proof", "--model", model.folder, "--trust", "other-trust.json").status == 2)
    }

    @Test func proveRefusesAUsedFolderAndBadValidities() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let model = try ledgerWithModel(cli)
        try FileManager.default.createDirectory(atPath: cli.path("used"), withIntermediateDirectories: true)
        try cli.write("used/stale-part.json", "{}")
        let used = try cli.run("prove", model.id, "--out-dir", "used")
        #expect(used.status == 1 && used.stderr.contains("not empty") && used.stderr.contains("--force"))
        #expect(try cli.run("prove", model.id, "--out-dir", "used", "--force").status == 0)
        #expect(!FileManager.default.fileExists(atPath: cli.path("used/stale-part.json")))
        for bad in ["-5", "0", "99999999999999"] {
            #expect(try cli.run("prove", model.id, "--bundle", "b.json", "--valid-for", bad).status == 64, "\(bad)")
        }
        for bad in ["yesterday", "99999999999999999d", "-1h", "+5"] {
            #expect(try cli.run("verify", "used", "--model", model.folder, "--max-age", bad).status == 64, "\(bad)")
        }
    }

    @Test func hugeNumbersAreUsageErrorsNotCrashes() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.run("init").status == 0)
        let huge = "9223372036854775808"
        for arguments in [
            ["log", "entry", huge], ["log", "checkpoint", "--size", huge], ["log", "prove", "0", "--size", huge],
            ["log", "prove", huge], ["log", "consistency", "0", huge], ["log", "entries", "--from", huge],
            ["snapshot", "--at", huge], ["train", "--trainer", "logistic", "--seed", huge],
        ] {
            let result = try cli.run(arguments)
            #expect(result.status == 64 && result.stderr.contains("9223372036854775807"), "\(arguments)")
        }
        #expect(try cli.run("snapshot", "verify-proof", "p.json", "--root", "sha256:00", "--size", huge).status == 64)
    }

    @Test(.disabled(if: TestBackend.isPostgres, "tampers with the SQLite file itself"))
    func verifyReproduceWritesNothing() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let model = try ledgerWithModel(cli)
        #expect(try cli.run("prove", model.id, "--out-dir", "proof").status == 0)
        #expect(try cli.run("keys", "export", "--out", "trust.json").status == 0)
        let before = try cli.run("log", "info", "--json").stdout
        let verify = try cli.run(
            "verify", "proof", "--model", model.folder, "--trust", "trust.json", "--reproduce", "--ledger", cli.ledger)
        #expect(verify.status == 0 && verify.stdout.contains("the same bytes"), "\(verify.stdout)\(verify.stderr)")
        #expect(try cli.run("log", "info", "--json").stdout == before, "verification logged nothing")
        // A reproduction that fails (the vault's copy of one sample replaced by another's) logs nothing either.
        try database(cli).run(
            "UPDATE vault_content SET content = (SELECT content FROM vault_content ORDER BY sample DESC LIMIT 1) WHERE sample = 0"
        )
        let failed = try cli.run(
            "verify", "proof", "--model", model.folder, "--trust", "trust.json", "--reproduce", "--ledger", cli.ledger)
        #expect(failed.status == 2 && failed.stdout.contains("FAIL  reproduce"), "\(failed.stdout)")
        #expect(try cli.run("log", "info", "--json").stdout == before, "a failed reproduction logged nothing")
    }

    @Test(.disabled(if: TestBackend.isPostgres, "tampers with the SQLite file itself"))
    func deletedStaleRowsAreCaughtByVerifyTrainAndProve() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let model = try ledgerWithModel(cli)
        let sample = try #require(
            try cli.run("snapshot", "members", "snap-60").stdout.split(separator: "\"").dropFirst(3).first)
        #expect(try cli.run("revoke", "--sample", String(sample)).status == 0)
        #expect(try cli.run("model", "show", model.id).stdout.contains("staled by"))
        let database = try database(cli)
        try database.run("DELETE FROM model_stale")
        try database.run("DELETE FROM sample_revocations")
        let verify = try cli.run("log", "verify")
        #expect(verify.status == 2 && verify.stderr.contains("table "), "\(verify.stderr)")
        let prove = try cli.run("prove", model.id, "--out-dir", "proof")
        #expect(prove.status == 2 && !FileManager.default.fileExists(atPath: cli.path("proof/status.dsse.json")))
        #expect(try cli.run("train", "--trainer", "logistic").status == 2)
        #expect(try cli.run("snapshot").status == 2)
    }

    @Test(.disabled(if: TestBackend.isPostgres, "tampers with the SQLite file itself")) func aRolledBackLogIsRefused()
        throws
    {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.run("init").status == 0)
        for index in 0..<5 {
            #expect(try cli.run("log", "append", "--type", "note", "--json", #"{"i":\#(index)}"#).status == 0)
        }
        let database = try database(cli)
        try database.execute(
            """
            DROP TRIGGER entries_no_delete; DROP TRIGGER checkpoints_no_delete;
            DELETE FROM entries WHERE seq >= 3; DELETE FROM checkpoints WHERE size > 3;
            """)
        let info = try cli.run("log", "verify")
        #expect(info.status == 2 && info.stderr.contains("rolled back"), "\(info.stderr)")
        #expect(try cli.run("log", "append", "--type", "note", "--json", #"{"i":9}"#).status == 2)
    }

    @Test func stdinManifestsAndSymlinkedFoldersAreIngested() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.run("init").status == 0)
        try FileManager.default.createDirectory(atPath: cli.path("real"), withIntermediateDirectories: true)
        try cli.write("real/a.txt", "alpha")
        try FileManager.default.createSymbolicLink(atPath: cli.path("linked"), withDestinationPath: cli.path("real"))
        let folder = try cli.run("ingest", "--folder", "linked", "--license", "MIT", "--source", "s", "--json")
        #expect(folder.status == 0 && folder.stdout.contains(#""added":1"#), "\(folder.stdout)\(folder.stderr)")
        try cli.write("m.jsonl", #"{"text":"from a pipe","license":"MIT","source":"s"}"# + "\n")
        let piped = try cli.run("ingest", "/dev/stdin", "--json", stdin: cli.path("m.jsonl"))
        #expect(piped.status == 0 && piped.stdout.contains(#""added":1"#), "\(piped.stdout)\(piped.stderr)")
    }
}

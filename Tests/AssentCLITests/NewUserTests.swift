import Foundation
import Testing
import AssentTestSupport

@testable import assent

/// What a new user trips on in the first ten minutes, through the built binary.
@Suite struct NewUserTests {
    @Test(.disabled(if: TestBackend.isPostgres, "PostgreSQL ingest, a round trip per row, takes over the five seconds"))
    func progressEndsBeforeTheSummaryAndQuietSilencesIt() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.run("init").status == 0)
        let lines = (0..<2500).map { #"{"text":"item \#($0)","license":"MIT","source":"s"}"# }
        try cli.write("m.jsonl", lines.joined(separator: "\n") + "\n")
        let ingest = try cli.run("ingest", "m.jsonl", "--chunk-size", "1000")
        #expect(ingest.status == 0 && ingest.stdout.hasPrefix("ingested 2500 items"))
        #expect(ingest.stderr.isEmpty, "off a terminal, a run under five seconds prints no progress: \(ingest.stderr)")
        #expect(
            ProgressLine.describe("committing", done: 1000, total: 2500, seconds: 0.5)
                == "committing: 1,000 of 2,500 (2,000/s, 1 s left)")
        #expect(
            ProgressLine.describe("validating", done: 1_234_567, total: nil, seconds: 2)
                == "validating: 1,234,567 (617,283/s)")
        #expect(ProgressLine.describe("cutting a snapshot", done: 0, total: nil, seconds: 0) == "cutting a snapshot…")
        try cli.write("n.jsonl", #"{"text":"one more","license":"MIT","source":"s"}"# + "\n")
        let quiet = try cli.run("ingest", "n.jsonl", "--quiet")
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
    }

    @Test func modelPathsAreAbsoluteAndAFailedTrainingSaysItsSnapshotWasKept() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.run("init", "--ledger", "rel").status == 0)
        try cli.write("plain.jsonl", #"{"text":"just words","license":"MIT","source":"s"}"# + "\n")
        #expect(try cli.run("ingest", "plain.jsonl", "--ledger", "rel").status == 0)
        let failed = try cli.run("train", "--trainer", "logistic", "--ledger", "rel")
        #expect(failed.status == 1 && failed.stderr.contains("is kept") && failed.stderr.contains("--snapshot snap-1"))
        let features = (0..<64).map { String($0 % 17) }.joined(separator: ",")
        try cli.write(
            "json.jsonl", #"{"json":{"features":[\#(features)],"label":1},"license":"MIT","source":"s"}"# + "\n")
        #expect(try cli.run("init", "--ledger", "rel2").status == 0)
        #expect(try cli.run("ingest", "json.jsonl", "--ledger", "rel2").status == 0)
        let trained = try cli.run("train", "--trainer", "logistic", "--ledger", "rel2", "--json")
        #expect(trained.status == 0, "\(trained.stderr)")
        let id = try #require(trained.stdout.split(separator: "\"").drop { $0 != "model" }.dropFirst(2).first)
        let shown = try cli.run("model", "show", String(id), "--ledger", "rel2", "--json").stdout
        let path = try #require(shown.split(separator: "\"").drop { $0 != "path" }.dropFirst(2).first)
        #expect(path.hasPrefix("/") && FileManager.default.fileExists(atPath: String(path)), "\(path)")
        #expect(shown.contains(#""folder":"models/"#), "the relative folder is still there under its own name")
    }

    @Test func perShardOptionsAreCheckedBeforeAnythingIsLogged() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.run("init").status == 0)
        for (arguments, message) in [
            (
                ["--trainer", "exec", "--exec", "true", "--aggregate-exec", "true"],
                "--aggregate-exec goes with --per-shard"
            ),
            (["--trainer", "logistic", "--per-shard"], "--per-shard needs --trainer exec"),
            (
                ["--trainer", "exec", "--exec", "true", "--jobs", "2"],
                "--jobs, --runner and --ray-address go with --per-shard"
            ),
            (
                ["--trainer", "exec", "--exec", "true", "--per-shard", "--runner", "spark"],
                "--runner must be local or ray, not 'spark'"
            ),
            (
                ["--trainer", "exec", "--exec", "true", "--per-shard", "--ray-address", "127.0.0.1:6379"],
                "--ray-address goes with --runner ray"
            ),
            (
                ["--trainer", "exec", "--exec", "true", "--per-shard", "--jobs", "0"],
                "--jobs must be between 1 and 256"
            ),
        ] {
            let result = try cli.run(["train"] + arguments)
            #expect(result.status == 64 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        let noPython = try cli.run(
            ["train", "--trainer", "exec", "--exec", "true", "--per-shard", "--runner", "ray"],
            environment: ["ASSENT_PYTHON": cli.path("no-such-python")])
        #expect(noPython.status == 1 && noPython.stderr.contains("no-such-python was not found"), "\(noPython.stderr)")
        #expect(try cli.run("log", "info", "--json").stdout.contains(#""size":0"#), "nothing logged")
    }
}

import Foundation
import Testing
import AssentTestSupport

/// Runs the built `assent` binary (`.build/debug/assent`, or `$ASSENT_BINARY`) and captures its output.
struct CLI {
    static let binary: URL = {
        if let override = ProcessInfo.processInfo.environment["ASSENT_BINARY"] { return URL(fileURLWithPath: override) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/assent")
    }()

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        let stdoutBytes: [UInt8]
    }

    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("assent-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    var ledger: String { folder.appendingPathComponent("ledger").path }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path(name)))
    }

    func write(_ name: String, bytes: [UInt8]) throws { try Data(bytes).write(to: URL(fileURLWithPath: path(name))) }

    @discardableResult
    func run(_ arguments: String...) throws -> Result { try run(arguments) }

    /// Runs the binary with `stdin` (a file path) as its standard input.
    @discardableResult
    func run(_ arguments: String..., stdin: String) throws -> Result { try run(arguments, stdin: stdin) }

    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:]) throws -> Result {
        let process = Process()
        if let stdin { process.standardInput = FileHandle(forReadingAtPath: stdin) }
        process.executableURL = Self.binary
        // With ASSENT_TEST_BACKEND=postgresql every ledger the tests create lives on the test server.
        let database =
            arguments.first == "init" && !arguments.contains("--database")
            ? try TestBackend.freshPostgresDatabase() : nil
        process.arguments = arguments + (database.map { ["--database", $0] } ?? [])
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["ASSENT_LEDGER"] = ledger
        environment.merge(extra) { $1 }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self), stdoutBytes: [UInt8](outData))
    }

    func cleanUp() { try? FileManager.default.removeItem(at: folder) }
}

@Suite struct CLITests {
    @Test func initAppendProveAndVerifyEndToEnd() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.run("init", "--origin", "example.org/cli").status == 0)
        let again = try cli.run("init")
        #expect(again.status == 1 && again.stderr.contains("already holds a ledger"))
        #expect(try cli.run("log", "append", "--type", "note", "--json", #"{"text":"first"}"#).status == 0)
        try cli.write("batch.jsonl", "{\"type\":\"note\",\"i\":1}\n{\"type\":\"note.audit\",\"i\":2}\n")
        let appended = try cli.run("log", "append", "--jsonl", cli.path("batch.jsonl"), "--print-json")
        #expect(appended.stdout == #"{"appended":2,"seqs":[1,2],"size":3}"# + "\n")
        let info = try cli.run("log", "info", "--json")
        #expect(info.stdout.contains(#""size":3"#))

        try cli.write("entry", bytes: try cli.run("log", "entry", "2", "--raw").stdoutBytes)
        try cli.write("proof", try cli.run("log", "prove", "2").stdout)
        try cli.write("vkey", try cli.run("log", "key").stdout)
        let valid = try cli.run(
            "proof", "verify-inclusion", "--key", cli.path("vkey"), "--entry", cli.path("entry"), cli.path("proof"))
        #expect(valid.status == 0, "\(valid.stderr)")
        try cli.write("other", bytes: try cli.run("log", "entry", "1", "--raw").stdoutBytes)
        let invalid = try cli.run(
            "proof", "verify-inclusion", "--key", cli.path("vkey"), "--entry", cli.path("other"), cli.path("proof"))
        #expect(invalid.status == 2 && invalid.stderr.contains("does not lead to the checkpoint"))

        try cli.write("old", try cli.run("log", "checkpoint", "--size", "1").stdout)
        try cli.write("new", try cli.run("log", "checkpoint").stdout)
        try cli.write("consistency", try cli.run("log", "consistency", "1", "3").stdout)
        #expect(
            try cli.run(
                "proof", "verify-consistency", "--key", cli.path("vkey"), cli.path("old"), cli.path("new"),
                cli.path("consistency")
            ).status == 0)
        #expect(
            try cli.run(
                "proof", "verify-consistency", "--key", cli.path("vkey"), cli.path("new"), cli.path("old"),
                cli.path("consistency")
            ).status == 2)

        let verify = try cli.run("log", "verify", "--trusted-checkpoint", cli.path("old"), "--key", cli.path("vkey"))
        #expect(verify.status == 0 && verify.stdout.contains("consistent with the trusted checkpoint at size 1"))
        let entries = try cli.run("log", "entries", "--from", "1")
        #expect(entries.stdout.split(separator: "\n").count == 2)
    }

    @Test func badInputNamesTheLineAndChangesNothing() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.run("init")
        try cli.write("bad.jsonl", "{\"type\":\"note\",\"i\":1}\n{\"type\":\"note\",\"i\":1.5}\n")
        let float = try cli.run("log", "append", "--jsonl", cli.path("bad.jsonl"))
        #expect(float.status == 1 && float.stderr.contains("line 2") && float.stderr.contains("floating-point"))
        try cli.write("record.jsonl", "{\"type\":\"sample\"}\n")
        let record = try cli.run("log", "append", "--jsonl", cli.path("record.jsonl"))
        #expect(record.status == 1 && record.stderr.contains("line 1") && record.stderr.contains("not a note type"))
        let reserved = try cli.run("log", "append", "--type", "note", "--json", #"{"seq":4}"#)
        #expect(reserved.status == 1 && reserved.stderr.contains("\"seq\""))
        let notJSON = try cli.run("log", "append", "--type", "note", "--json", "{oops")
        #expect(notJSON.status == 1 && notJSON.stderr.contains("--json"))
        #expect(try cli.run("log", "info", "--json").stdout.contains(#""size":0"#))
        let missing = try cli.run("log", "info", "--ledger", cli.path("nowhere"))
        #expect(missing.status == 1 && missing.stderr.contains("no Assent ledger"))
        let usage = try cli.run("log", "append")
        #expect(usage.status == 64)
        let noEntry = try cli.run("log", "entry", "5")
        #expect(noEntry.status == 1 && noEntry.stderr.contains("no entry 5"))
        let noCheckpoint = try cli.run("log", "prove", "0", "--size", "7")
        #expect(noCheckpoint.status == 1)
    }

    @Test(.disabled(if: TestBackend.isPostgres, "tampers with the SQLite file itself"))
    func verifyExitsTwoNamingTheTamperedEntry() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.run("init")
        var lines = ""
        for index in 0..<40 { lines += "{\"type\":\"note\",\"text\":\"ENTRY-\(index)-END\"}\n" }
        try cli.write("batch.jsonl", lines)
        #expect(try cli.run("log", "append", "--jsonl", cli.path("batch.jsonl")).status == 0)
        #expect(try cli.run("log", "verify").status == 0)
        let database = URL(fileURLWithPath: cli.ledger).appendingPathComponent("ledger.sqlite")
        var bytes = [UInt8](try Data(contentsOf: database))
        let needle = Array("ENTRY-23-END".utf8)
        let start = try #require(
            (0...(bytes.count - needle.count)).first { bytes[$0..<$0 + needle.count].elementsEqual(needle) })
        bytes[start + 9] ^= 0x01
        try Data(bytes).write(to: database)
        let verify = try cli.run("log", "verify")
        #expect(verify.status == 2)
        #expect(verify.stderr.contains("entry 23:"), "\(verify.stderr)")
    }
}

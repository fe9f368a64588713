import Foundation
import Testing

/// `assent init --models DIR`: model folders in a shared folder that every copy of the ledger folder finds.
@Suite struct SharedModelsTests {
    @Test func aCopyOfTheLedgerFolderFindsModelsInTheSharedFolderAndAMissingOneIsNamed() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let created = try cli.run("init", "--models", "shared-models", "--json")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains(#""models":"\#(cli.path("shared-models"))""#), "\(created.stdout)")
        try cli.write("m.jsonl", featureManifest(40))
        #expect(try cli.run("ingest", "m.jsonl").status == 0)
        let trained = try cli.run("train", "--trainer", "naive-bayes", "--shards", "2", "--json")
        #expect(trained.status == 0, "\(trained.stderr)")
        let model = try #require(
            (try JSONSerialization.jsonObject(with: Data(trained.stdout.utf8)) as? [String: Any])?["model"] as? String)
        let folders = try FileManager.default.contentsOfDirectory(atPath: cli.path("shared-models"))
        #expect(folders.count == 1 && !FileManager.default.fileExists(atPath: cli.path("ledger/models")))

        try FileManager.default.copyItem(atPath: cli.ledger, toPath: cli.path("copy"))
        let proved = try cli.run("prove", model, "--out-dir", cli.path("proof"), "--ledger", cli.path("copy"))
        #expect(proved.status == 0, "the copy finds the shared model folder: \(proved.stderr)")

        try FileManager.default.moveItem(atPath: cli.path("shared-models"), toPath: cli.path("elsewhere"))
        let missing = try cli.run("prove", model, "--out-dir", cli.path("proof-2"), "--ledger", cli.path("copy"))
        #expect(missing.status == 1, "\(missing.stderr)")
        #expect(missing.stderr.contains("the folder of model \(model) is not on this machine"), "\(missing.stderr)")
        #expect(missing.stderr.contains("looked for \(cli.path("shared-models"))/"), "\(missing.stderr)")
    }
}

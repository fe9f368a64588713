import AssentLog
import AssentOperations
import AssentRecords
import Foundation
import Testing

/// Group commit: small manifests validated one by one, committed in one transaction, each with its own
/// report or error.
@Suite struct GroupCommitTests {
    /// The bodies as the server passes them: manifests in memory that read no files.
    func manifests(_ bodies: [String]) -> [(source: ManifestSource, defaults: IngestDefaults, options: IngestOptions)] {
        bodies.enumerated().map { index, body in
            var options = IngestOptions()
            options.readsFiles = false
            return (.memory(name: "request \(index)", jsonl: Array(body.utf8)), IngestDefaults(), options)
        }
    }

    func line(_ text: String, license: String = "MIT") -> String {
        #"{"text":"\#(text)","license":"\#(license)","source":"s"}"# + "\n"
    }

    @Test func validManifestsCommitTogetherAndABadOneFailsAlone() throws {
        let fixture = try ServerFixture()
        defer { fixture.cleanUp() }
        let ledger = fixture.operations.ledger
        let checkpoints = try ledger.checkpointCount()
        let (results, _) = fixture.operations.ingestTogether(
            manifests(
                [
                    line("a") + line("b"), line("c") + line("d", license: "Not-A-Licence"), line("e"),
                    line("a") + line("f"),
                ]))
        let added = results.map { (try? $0.get())?.added }
        #expect(added == [2, nil, 1, 1], "the repeated sample a is unchanged in the fourth")
        let error = try #require(results[1].failureMessage)
        #expect(error.hasPrefix("line 2: "), "\(error)")
        #expect(try ledger.size() == 4)
        #expect(try ledger.checkpointCount() == checkpoints + 1, "one transaction for the three valid manifests")
    }

    @Test func aConflictBetweenManifestsFallsBackToOneByOne() throws {
        let fixture = try ServerFixture()
        defer { fixture.cleanUp() }
        let (results, _) = fixture.operations.ingestTogether(
            manifests([line("x") + line("y"), line("x", license: "Apache-2.0")]))
        #expect((try? results[0].get())?.added == 2)
        #expect(results[1].failureMessage?.contains("already recorded") == true, "\(String(describing: results[1]))")
        #expect(try fixture.operations.ledger.size() == 2)
        let verify = try fixture.operations.ledger.verify()
        #expect(verify.entries == 2)
    }

    @Test func aManifestInMemoryReadsNoFilesAndLeavesNothingOnDisk() throws {
        let fixture = try ServerFixture()
        defer { fixture.cleanUp() }
        let secret = fixture.folder.appendingPathComponent("secret.txt")
        try Data("not to be read".utf8).write(to: secret)
        let scratch = fixture.operations.ledger.paths.scratch
        try? FileManager.default.removeItem(at: scratch)
        let (results, _) = fixture.operations.ingestTogether(
            manifests([
                line("g") + #"{"path":"\#(secret.path)","license":"MIT","source":"s"}"# + "\n", line("h"),
            ]))
        let error = try #require(results[0].failureMessage)
        #expect(error.hasPrefix("line 2: field path: files are not read here"), "\(error)")
        #expect((try? results[1].get())?.added == 1)
        #expect(try fixture.operations.ledger.size() == 1, "the failing request wrote nothing")
        #expect(!FileManager.default.fileExists(atPath: scratch.path), "no work folder was made for requests in memory")
    }
}

extension Result where Failure == any Error {
    /// The error's message, or nil on success.
    var failureMessage: String? {
        guard case .failure(let error) = self else { return nil }
        return "\(error)"
    }
}

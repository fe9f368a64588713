import AssentLog
import AssentOperations
import AssentRecords
import Foundation
import Testing

/// Group commit: small manifests validated one by one, committed in one transaction, each with its own
/// report or error.
@Suite struct GroupCommitTests {
    func manifests(_ fixture: ServerFixture, _ bodies: [String]) throws -> [(
        source: ManifestSource, defaults: IngestDefaults, options: IngestOptions
    )] {
        try bodies.enumerated().map { index, body in
            let url = fixture.folder.appendingPathComponent("m\(index).jsonl")
            try Data(body.utf8).write(to: url)
            return (.jsonl(url), IngestDefaults(), IngestOptions())
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
            try manifests(
                fixture,
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
            try manifests(fixture, [line("x") + line("y"), line("x", license: "Apache-2.0")]))
        #expect((try? results[0].get())?.added == 2)
        #expect(results[1].failureMessage?.contains("already recorded") == true, "\(String(describing: results[1]))")
        #expect(try fixture.operations.ledger.size() == 2)
        let verify = try fixture.operations.ledger.verify()
        #expect(verify.entries == 2)
    }
}

extension Result where Failure == any Error {
    /// The error's message, or nil on success.
    var failureMessage: String? {
        guard case .failure(let error) = self else { return nil }
        return "\(error)"
    }
}

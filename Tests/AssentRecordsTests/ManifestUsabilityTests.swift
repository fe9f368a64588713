import AssentLog
import Foundation
import Testing

@testable import AssentRecords

/// What a new user tripped on: JSON content, personal samples without a consent, and what the
/// standard policy will refuse.
@Suite struct ManifestUsabilityTests {
    @Test func aJSONFieldIsTheContentInItsCanonicalEncoding() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let report = try fixture.ingest(
            try fixture.manifest(
                "m.jsonl",
                [
                    #"{"json":{"label":2,"features":[0,3,16]},"license":"MIT","source":"s"}"#,
                    #"{"json":{"features":[0,3,16],"label":2},"license":"MIT","source":"s"}"#,
                ]))
        #expect(report.added == 1 && report.unchanged == 1, "the same object in any key order is the same content")
        let commitment = try #require(
            try fixture.entries(ofType: "sample").first?["commitment"]?.stringValue.flatMap(
                RevocationRegistry.parseCommitment))
        #expect(try fixture.store.content(of: commitment) == Array(#"{"features":[0,3,16],"label":2}"#.utf8))
        #expect(try fixture.entries(ofType: "sample").first?["media_type"]?.stringValue == "application/json")
        do {
            _ = try fixture.ingest(try fixture.manifest("bad.jsonl", [#"{"json":[1,2],"license":"MIT","source":"s"}"#]))
            Issue.record("a JSON array was accepted as json content")
        } catch let error as RecordsError {
            #expect(error.message.contains("line 1: field json: expected a JSON object"))
        }
    }

    @Test func personalSamplesAreTiedToTheOneCurrentConsentOrCountedAsNotAdmitted() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let consent = try fixture.registry.grant(
            subject: "ann@example.org", purposes: ["ai-training"], legalBasis: "consent", expiresAt: nil, evidence: nil)
        let report = try fixture.ingest(
            try fixture.manifest(
                "m.jsonl",
                [
                    #"{"text":"ann's","license":"MIT","source":"s","subject":"ann@example.org"}"#,
                    #"{"text":"bob's","license":"MIT","source":"s","subject":"bob@example.org"}"#,
                    #"{"text":"non-commercial","license":"CC-BY-NC-4.0","source":"s"}"#,
                    #"{"text":"reserved","license":"MIT","source":"s","opt_out":"reserved"}"#,
                    #"{"text":"fine","license":"MIT","source":"s"}"#,
                ]))
        #expect(report.added == 5 && report.tiedToConsent == 1 && report.notAdmitted == 3)
        #expect(report.notAdmittedLines.map(\.line) == [2, 3, 4])
        #expect(report.notAdmittedLines[0].reason.contains("personal data without a consent"))
        #expect(report.json["not_admitted"]?.objectValue?["count"]?.integerValue == 3)
        let ann = try #require(try fixture.entries(ofType: "sample").first)
        #expect(ann["consent"]?.stringValue == consent.id, "the sample relies on Ann's consent")
        let snapshot = try SnapshotStore(store: fixture.store).create(policy: .standard)
        #expect(snapshot.count == 2, "Ann's sample and the fine one: exactly what ingest forecast")
    }
}

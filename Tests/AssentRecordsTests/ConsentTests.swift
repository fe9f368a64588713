import AssentLog
import AssentRecords
import Foundation
import Testing

@Suite struct ConsentTests {
    @Test func grantRenewListAndShow() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let registry = fixture.registry
        let first = try registry.grant(
            subject: "erin@example.org", purposes: ["commercial", "ai-training"], legalBasis: "consent",
            grantedAt: "2025-01-01T00:00:00Z", expiresAt: "2026-01-01T00:00:00Z", evidence: Array("form".utf8),
            id: "c-erin-1")
        #expect(first.purposes == ["ai-training", "commercial"])
        let grant = try #require(try fixture.entries(ofType: "consent.grant").first)
        #expect(grant["evidence"]?.stringValue?.hasPrefix("hmac-sha256:") == true)
        #expect(grant["subject"]?.stringValue == first.subject && first.subject.hasPrefix("subj-"))
        let renewed = try registry.renew("c-erin-1", expiresAt: "2099-01-01T00:00:00Z", evidence: nil)
        #expect(renewed.expiresAt == "2099-01-01T00:00:00Z" && renewed.grantedAt == "2025-01-01T00:00:00Z")
        _ = try registry.grant(
            subject: "frank", purposes: ["research"], legalBasis: "legitimate-interest", expiresAt: nil, evidence: nil)
        #expect(try registry.list().count == 2)
        #expect(try registry.list(subject: "erin@example.org").map(\.id) == ["c-erin-1"])
        #expect(try registry.list(subject: "nobody").isEmpty)
        #expect(try registry.lookup("c-erin-1")?.expiresAt == "2099-01-01T00:00:00Z")
        #expect(try fixture.store.status()["consent_renewals"]?.integerValue == 1)
    }

    @Test func badConsentInputIsRefusedAndNothingLogged() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let registry = fixture.registry
        #expect(throws: RecordsError.self) {
            try registry.grant(
                subject: "a", purposes: ["mind-reading"], legalBasis: "consent", expiresAt: nil, evidence: nil)
        }
        #expect(throws: RecordsError.self) {
            try registry.grant(subject: "a", purposes: [], legalBasis: "consent", expiresAt: nil, evidence: nil)
        }
        #expect(throws: RecordsError.self) {
            try registry.grant(
                subject: "a", purposes: ["ai-training"], legalBasis: "vibes", expiresAt: nil, evidence: nil)
        }
        #expect(throws: RecordsError.self) {
            try registry.grant(
                subject: "a", purposes: ["ai-training"], legalBasis: "consent", expiresAt: "tomorrow", evidence: nil)
        }
        #expect(throws: RecordsError.self) {
            try registry.grant(
                subject: "a", purposes: ["ai-training"], legalBasis: "consent", grantedAt: "2025-01-01T00:00:00Z",
                expiresAt: "2024-01-01T00:00:00Z", evidence: nil)
        }
        #expect(throws: RecordsError.self) { try registry.renew("missing", expiresAt: nil, evidence: nil) }
        _ = try registry.grant(
            subject: "a", purposes: ["ai-training"], legalBasis: "consent", expiresAt: nil, evidence: nil, id: "dup")
        #expect(throws: RecordsError.self) {
            try registry.grant(
                subject: "b", purposes: ["ai-training"], legalBasis: "consent", expiresAt: nil, evidence: nil, id: "dup"
            )
        }
        #expect(try fixture.ledger.size() == 1)
        #expect(throws: RecordsError.self) { try registry.receipt(subject: "nobody") }
    }
}

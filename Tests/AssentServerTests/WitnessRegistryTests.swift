import AssentCrypto
import AssentLog
import AssentOperations
import AssentRecords
import Foundation
import Testing

/// The witness configuration: bad input refused by field, the policy it prints parses, the quorum
/// decides what is published. Pushing to a real peer is Tools/checks/witness.py.
@Suite struct WitnessRegistryTests {
    @Test func configurationIsCheckedAndThePolicyParses() throws {
        let fixture = try ServerFixture()
        defer { fixture.cleanUp() }
        let registry = try WitnessRegistry(store: fixture.operations.store)
        let key = WitnessKey(name: "w.example", publicKey: Ed25519PrivateKey.generate().publicKey)
        #expect(try registry.publishable()?.size == 0, "no witness: the latest checkpoint is published")
        for (vkey, url, field) in [
            ("nonsense", "https://w.example", "vkey"),
            (fixture.operations.ledger.verifier.keyString, "https://w.example", "vkey"),
            (key.keyString, "ftp://w.example", "url"),
        ] {
            #expect {
                try registry.add(vkey: vkey, url: url)
            } throws: { error in
                "\(error)".hasPrefix(field + ":")
            }
        }
        try registry.add(vkey: key.keyString, url: "https://w.example/")
        #expect(throws: RecordsError.self) { try registry.add(vkey: key.keyString, url: "https://other.example") }
        #expect(try registry.list().map(\.url) == ["https://w.example"])
        #expect(try registry.quorum() == 1)
        #expect(try registry.publishable() == nil, "nothing is cosigned yet")
        #expect(throws: RecordsError.self) { try registry.setQuorum(2) }
        let policy = try WitnessPolicy(text: try registry.policy())
        #expect(try policy.evaluate(try fixture.operations.ledger.latestCheckpoint().note).satisfied == false)
        try registry.setQuorum(0)
        #expect(try registry.publishable()?.size == 0)
        try registry.remove("w.example")
        #expect(try registry.list().isEmpty)
        #expect(throws: RecordsError.self) { try registry.remove("w.example") }
    }
}

import AssentCrypto
import AssentLog
import AssentStorage
import Foundation
import Testing

@testable import AssentRecords

/// Snapshots built from an earlier snapshot's members agree with cutting from scratch: re-cuts through
/// revocations, withdrawals, expiries and renewals, at many evaluation times, a re-cut of a re-cut,
/// later snapshots over new samples, sources and consents, and never on stored members that do not
/// lead to the earlier snapshot's roots.
@Suite struct IncrementalRecutTests {
    /// Six consenting subjects (three with expiring consents) with eight samples each, a subject whose
    /// consent was granted on 2025-06-15 with two, and twelve samples without a subject.
    func ledger() throws -> RecordsFixture {
        let fixture = try RecordsFixture()
        var lines: [String] = []
        for person in 0..<6 {
            _ = try fixture.registry.grant(
                subject: "p\(person)@example.org", purposes: ["ai-training"], legalBasis: "consent",
                grantedAt: "2025-01-01T00:00:00Z", expiresAt: person < 3 ? "2025-0\(person + 7)-01T00:00:00Z" : nil,
                evidence: nil, id: "c-\(person)")
            for index in 0..<8 {
                lines.append(
                    #"{"text":"p\#(person) \#(index)","license":"CC-BY-4.0","source":"s","subject":"p\#(person)@example.org","consent":"c-\#(person)"}"#
                )
            }
        }
        // A consent granted after the first snapshots' as-of time, with samples logged before them.
        _ = try fixture.registry.grant(
            subject: "late@example.org", purposes: ["ai-training"], legalBasis: "consent",
            grantedAt: "2025-06-15T00:00:00Z", expiresAt: nil, evidence: nil, id: "c-late")
        for index in 0..<2 {
            lines.append(
                #"{"text":"late \#(index)","license":"MIT","source":"s","subject":"late@example.org","consent":"c-late"}"#
            )
        }
        for index in 0..<12 { lines.append(#"{"text":"open \#(index)","license":"MIT","source":"s"}"#) }
        _ = try fixture.ingest(try fixture.manifest("m.jsonl", lines))
        return fixture
    }

    func commitment(_ fixture: RecordsFixture, _ text: String) throws -> String {
        Hex.encode(try #require(try fixture.store.existingSample(digest: SHA256.hash(Array(text.utf8)))).commitment)
    }

    /// Checks the incremental re-cut of `snapshot` against the one from scratch at each time.
    func expectAgreement(_ fixture: RecordsFixture, _ snapshot: Snapshot, at times: [String]) throws {
        let store = SnapshotStore(store: fixture.store)
        for time in times {
            let parameters = SnapshotParameters(
                baseHeight: snapshot.parameters.baseHeight, revocationHeight: try fixture.ledger.size(),
                asOf: snapshot.parameters.asOf, evaluatedAt: time, shards: snapshot.parameters.shards)
            let incremental = try store.contents(from: snapshot, parameters: parameters)
            let scratch = try store.contents(parameters: parameters, policy: snapshot.policy)
            #expect(incremental.members == scratch.members, "members at \(time)")
            #expect(
                incremental.root == scratch.root && incremental.shardRoots == scratch.shardRoots, "roots at \(time)")
        }
    }

    @Test func recutsFromMembersEqualRecutsFromScratch() throws {
        let fixture = try ledger()
        defer { fixture.cleanUp() }
        let store = SnapshotStore(store: fixture.store)
        let snapshot = try store.create(policy: .standard, asOf: "2025-06-01T00:00:00Z", shards: 4)
        #expect(snapshot.count == 60)
        let times = [
            "2025-06-01T00:00:00Z", "2025-07-01T00:00:00Z", "2025-08-15T00:00:00Z", "2025-10-01T00:00:00Z",
            "2027-06-01T00:00:00Z", "2029-01-01T00:00:00Z",
        ]
        try expectAgreement(fixture, snapshot, at: times)

        let revocations = RevocationRegistry(store: fixture.store)
        try revocations.revoke(.samples([try commitment(fixture, "open 3")]), effective: "2025-09-01T00:00:00Z")
        try revocations.revoke(.samples([try commitment(fixture, "p4 2")]))
        try revocations.revoke(.consent("c-5"), effective: "2025-08-01T00:00:00Z")
        try expectAgreement(fixture, snapshot, at: times)

        // A renewal re-admits the samples of a consent that had expired; another shortens a consent.
        _ = try fixture.registry.renew("c-0", expiresAt: "2028-06-01T00:00:00Z", evidence: nil)
        _ = try fixture.registry.renew("c-3", expiresAt: "2027-03-01T00:00:00Z", evidence: nil)
        try expectAgreement(fixture, snapshot, at: times)

        // Re-cutting a re-cut: the logged re-cut is the previous snapshot for the next one.
        let recut = try fixture.ledger.write { writer in try store.recut(snapshot, writer: writer) }
        try revocations.revoke(.subject("p1@example.org"))
        try revocations.revoke(.samples([try commitment(fixture, "open 7")]), effective: "2026-01-01T00:00:00Z")
        try expectAgreement(
            fixture, recut, at: [recut.parameters.evaluatedAt, "2027-06-01T00:00:00Z", "2029-01-01T00:00:00Z"])
        let again = try fixture.ledger.write { writer in try store.recut(recut, writer: writer) }
        let scratch = try store.contents(parameters: again.parameters, policy: again.policy)
        // Read back (through any links to earlier rows), the members are the ones cut from scratch.
        #expect(try linksToEmptyBlobs(fixture) == 0)
        #expect(try store.members(again) == scratch.members)
        for shard in 0..<4 {
            #expect(try store.members(again, shards: [shard]) == scratch.members.filter { $0.shard == shard })
        }
        #expect(
            again.root == scratch.root && again.shardRoots == scratch.shardRoots && again.count == scratch.members.count
        )
    }

    /// Links from a shard's row to rows that hold no members although their shard has some.
    func linksToEmptyBlobs(_ fixture: RecordsFixture) throws -> Int64? {
        try fixture.store.database.scalarInteger(
            """
            SELECT COUNT(*) FROM snapshot_shard_links l JOIN snapshot_shards s ON s.snapshot = l.stored_in
            AND s.shard = l.shard WHERE length(s.members) = 0 AND s.count > 0
            """)
    }

    @Test func aRecutStoresOnlyTheShardsItChangedAndLinksTheRest() throws {
        let fixture = try ledger()
        defer { fixture.cleanUp() }
        let store = SnapshotStore(store: fixture.store)
        let snapshot = try store.create(policy: .standard, shards: 8)
        let revocations = RevocationRegistry(store: fixture.store)
        // One sample without a subject: exactly its shard changes (the consents expired long before).
        try revocations.revoke(.samples([try commitment(fixture, "open 3")]))
        let recut = try fixture.ledger.write { writer in try store.recut(snapshot, writer: writer) }
        try revocations.revoke(.samples([try commitment(fixture, "open 5")]))
        let again = try fixture.ledger.write { writer in try store.recut(recut, writer: writer) }
        let database = fixture.store.database
        func links(_ snapshot: Snapshot) throws -> Int64? {
            try database.scalarInteger(
                "SELECT COUNT(*) FROM snapshot_shard_links WHERE snapshot = ?", [.integer(Int64(snapshot.seq))])
        }
        #expect(try links(recut) == 7)
        #expect(try links(again) ?? 0 >= 6, "a shard linked by the first re-cut is linked on, to the row with its blob")
        #expect(try linksToEmptyBlobs(fixture) == 0)
        for cut in [recut, again] {
            let scratch = try store.contents(parameters: cut.parameters, policy: cut.policy)
            #expect(try store.members(cut) == scratch.members)
            for shard in 0..<8 {
                #expect(try store.members(cut, shards: [shard]) == scratch.members.filter { $0.shard == shard })
            }
            #expect(cut.root == scratch.root && cut.shardRoots == scratch.shardRoots)
        }
    }

    @Test func mergingShardListsGivesOneSortedList() {
        // Commitments that differ only in their first byte, or only in their last (the fourth word).
        func member(_ byte: UInt8, last: UInt8 = 0, shard: Int) -> MemberRecord {
            MemberRecord(
                commitment: CommitmentKey([byte] + [UInt8](repeating: 0, count: 30) + [last]), pair: 0,
                shard: UInt32(shard))
        }
        let lists = [
            [member(1, shard: 0), member(7, shard: 0)], [],
            [member(2, shard: 2), member(3, shard: 2), member(9, shard: 2)], [member(0, shard: 3)],
            [member(2, last: 1, shard: 4)],
        ]
        #expect(
            SnapshotStore.merge(lists).map { $0.commitment.bytes[0] * 10 + $0.commitment.bytes[31] }
                == [0, 10, 20, 21, 30, 70, 90])
        #expect(SnapshotStore.merge([[], []]).isEmpty)
    }

    @Test func bothLeafWritersWriteTheSameBytes() {
        // Roots hash the leaves the member table writes; proofs show the leaves members write.
        var table = MemberTable()
        let commitment = (0..<32).map { UInt8($0 * 7 + 3) }
        for (consent, license) in [
            (nil, "MIT"), ("c-1", "Apache-2.0 OR MIT"), ("quote\"and\\back", "LicenseRef-caf\u{e9}"),
            ("tab\tcontrol\u{1}", "CC-BY-4.0 AND MIT"),
        ] as [(String?, String)] {
            let record = MemberRecord(
                commitment: CommitmentKey(commitment), pair: table.pair(consent: consent, license: license), shard: 0)
            var buffer = [UInt8](repeating: 0, count: table.maximumLeafSize)
            let count = buffer.withUnsafeMutableBufferPointer { table.writeLeaf(record, into: $0.baseAddress!) }
            let member = SnapshotMember(commitment: commitment, consent: consent, license: license, shard: 0)
            #expect(Array(buffer[0..<count]) == member.leaf, "leaf of \(consent ?? "null"), \(license)")
        }
    }

    /// Checks the snapshot built from `earlier` at the current height against cutting from scratch.
    func expectLaterAgreement(_ fixture: RecordsFixture, from earlier: Snapshot, asOf times: [String]) throws {
        let store = SnapshotStore(store: fixture.store)
        let height = try fixture.ledger.size()
        for time in times {
            let parameters = SnapshotParameters(
                baseHeight: height, revocationHeight: height, asOf: time, evaluatedAt: time,
                shards: earlier.parameters.shards)
            let built = try store.contents(from: earlier, parameters: parameters)
            let scratch = try store.contents(parameters: parameters, policy: earlier.policy)
            #expect(built.members == scratch.members, "members as of \(time)")
            #expect(built.root == scratch.root && built.shardRoots == scratch.shardRoots, "roots as of \(time)")
        }
    }

    @Test func laterSnapshotsFromAnEarlierOneEqualSnapshotsFromScratch() throws {
        let fixture = try ledger()
        defer { fixture.cleanUp() }
        let store = SnapshotStore(store: fixture.store)
        let earlier = try store.create(policy: .standard, asOf: "2025-06-01T00:00:00Z", shards: 4)
        _ = try fixture.registry.grant(
            subject: "new@example.org", purposes: ["ai-training"], legalBasis: "consent",
            grantedAt: "2025-07-01T00:00:00Z", expiresAt: nil, evidence: nil, id: "c-new")
        _ = try fixture.ingest(
            try fixture.manifest(
                "more.jsonl",
                [
                    #"{"text":"new 1","license":"MIT","source":"s","subject":"new@example.org","consent":"c-new"}"#,
                    #"{"text":"new 2","license":"Apache-2.0","source":"s"}"#,
                    #"{"text":"open 2","license":"CC-BY-NC-4.0","source":"second"}"#,
                    #"{"text":"open 5","license":"Apache-2.0","source":"second"}"#,
                ]))
        try RevocationRegistry(store: fixture.store).revoke(.consent("c-4"))
        _ = try fixture.registry.renew("c-1", expiresAt: "2028-01-01T00:00:00Z", evidence: nil)
        let times = ["2025-06-01T00:00:00Z", "2025-07-15T00:00:00Z", "2025-08-15T00:00:00Z", "2028-06-01T00:00:00Z"]
        try expectLaterAgreement(fixture, from: earlier, asOf: times)
        // `create` picks the newest snapshot of the same policy and K to build from.
        let later = try store.create(policy: .standard, asOf: "2025-08-15T00:00:00Z", shards: 4)
        let height = later.parameters.baseHeight
        let scratch = try store.contents(parameters: later.parameters, policy: later.policy)
        #expect(
            later.root == scratch.root && later.shardRoots == scratch.shardRoots
                && height > earlier.parameters.baseHeight)
    }

    @Test func storedMembersThatDoNotLeadToTheRootsAreNotBuiltOn() throws {
        let fixture = try ledger()
        defer { fixture.cleanUp() }
        let store = SnapshotStore(store: fixture.store)
        let earlier = try store.create(policy: .standard, asOf: "2025-06-01T00:00:00Z", shards: 2)
        try RevocationRegistry(store: fixture.store).revoke(.samples([try commitment(fixture, "open 1")]))
        // Drop one member from each stored shard, as an edit of the database would.
        try fixture.store.database.run(
            "UPDATE snapshot_shards SET members = substr(members, 37) WHERE snapshot = ?",
            [.integer(Int64(earlier.seq))])
        try expectLaterAgreement(fixture, from: earlier, asOf: ["2025-06-01T00:00:00Z", "2027-01-01T00:00:00Z"])
    }
}

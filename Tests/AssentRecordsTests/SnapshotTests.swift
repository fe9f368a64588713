import AssentCrypto
import AssentLog
import Foundation
import Testing

@testable import AssentRecords

@Suite struct SnapshotTests {
    /// A ledger with a consenting subject (3 samples), an opted-out sample, licences of every kind.
    func populated() throws -> (RecordsFixture, ConsentRecord) {
        let fixture = try RecordsFixture()
        let consent = try fixture.registry.grant(
            subject: "gina@example.org", purposes: ["ai-training"], legalBasis: "consent",
            grantedAt: "2025-01-01T00:00:00Z",
            expiresAt: "2026-01-01T00:00:00Z", evidence: nil, id: "c-gina")
        _ = try fixture.ingest(
            try fixture.manifest(
                "m.jsonl",
                [
                    #"{"text":"g1","license":"CC-BY-4.0","source":"s","subject":"gina@example.org","consent":"c-gina"}"#,
                    #"{"text":"g2","license":"CC-BY-4.0","source":"s","subject":"gina@example.org","consent":"c-gina"}"#,
                    #"{"text":"g3","license":"CC-BY-4.0","source":"s","subject":"gina@example.org","consent":"c-gina"}"#,
                    #"{"text":"or-nc-first","license":"CC-BY-NC-4.0 OR MIT","source":"s"}"#,
                    #"{"text":"or-mit-first","license":"MIT OR Apache-2.0","source":"s"}"#,
                    #"{"text":"nc-only","license":"CC-BY-NC-4.0","source":"s"}"#,
                    #"{"text":"unknown","license":"NOASSERTION","source":"s"}"#,
                    #"{"text":"opted-out","license":"MIT","source":"s","opt_out":"reserved"}"#,
                    #"{"text":"no-consent","license":"MIT","source":"s","subject":"hal@example.org"}"#,
                    #"{"text":"plain","license":"Apache-2.0","source":"s"}"#,
                ]))
        return (fixture, consent)
    }

    func commitment(_ fixture: RecordsFixture, text: String) throws -> [UInt8] {
        try #require(try fixture.store.existingSample(digest: SHA256.hash(Array(text.utf8)))).commitment
    }

    func leaves(_ store: SnapshotStore, _ snapshot: Snapshot) throws -> [String] {
        try store.members(snapshot).map { String(decoding: $0.leaf, as: UTF8.self) }
    }

    @Test func policyDecidesLicencesOptOutsAndConsent() throws {
        let (fixture, _) = try populated()
        defer { fixture.cleanUp() }
        let store = SnapshotStore(store: fixture.store)
        let snapshot = try store.create(policy: .standard, asOf: "2025-06-01T00:00:00Z")
        #expect(snapshot.count == 6, "3 consented + 2 OR + plain")
        let members = try store.members(snapshot)
        let byCommitment = Dictionary(uniqueKeysWithValues: members.map { ($0.commitment, $0) })
        #expect(
            byCommitment[try commitment(fixture, text: "or-nc-first")]?.license == "MIT",
            "A OR B elects the first allowed branch")
        #expect(byCommitment[try commitment(fixture, text: "or-mit-first")]?.license == "MIT")
        #expect(byCommitment[try commitment(fixture, text: "opted-out")] == nil, "reserved opt-out excluded")
        #expect(byCommitment[try commitment(fixture, text: "unknown")] == nil, "unknown licence denied by default")
        #expect(byCommitment[try commitment(fixture, text: "no-consent")] == nil, "personal data needs consent")
        #expect(members.map(\.commitment) == members.map(\.commitment).sorted { $0.lexicographicallyPrecedes($1) })
        let explained = try store.explain(snapshot, commitment: try commitment(fixture, text: "nc-only"))
        #expect(
            explained["member"]?.boolValue == false
                && explained["reason"]?.stringValue?.contains("CC-BY-NC-4.0 is not allowed") == true)

        let lenient = try Policy(
            json: Array(
                #"{"unknown_license":"allow","allowed_classes":["commercial","non-commercial"],"opt_out":{"reserved":"include"}}"#
                    .utf8))
        let wide = try store.create(policy: lenient, asOf: "2025-06-01T00:00:00Z")
        let wideMembers = Dictionary(uniqueKeysWithValues: try store.members(wide).map { ($0.commitment, $0) })
        #expect(wide.count == 9)
        #expect(wideMembers[try commitment(fixture, text: "or-nc-first")]?.license == "CC-BY-NC-4.0")
        #expect(wideMembers[try commitment(fixture, text: "unknown")]?.license == "NOASSERTION")
        #expect(wide.policy.digest != snapshot.policy.digest)
    }

    @Test func consentExpiryIsJudgedAtTheAsOfTime() throws {
        let (fixture, _) = try populated()
        defer { fixture.cleanUp() }
        let store = SnapshotStore(store: fixture.store)
        let before = try store.create(policy: .standard, asOf: "2025-12-31T23:59:59Z")
        let after = try store.create(policy: .standard, asOf: "2026-01-01T00:00:00Z")
        #expect(before.count - after.count == 3)
        let early = try store.create(policy: .standard, asOf: "2024-12-31T00:00:00Z")
        #expect(early.count == 3, "consent granted after the as-of time does not count")
    }

    // The sweep's shortcut: "may differ" is false only when a re-cut really gives the same roots.
    @Test func aRecutIsSkippedOnlyWhenNothingCanHaveChanged() throws {
        let (fixture, _) = try populated()
        defer { fixture.cleanUp() }
        let store = SnapshotStore(store: fixture.store)
        let snapshot = try store.create(policy: .standard, asOf: "2025-06-01T00:00:00Z", shards: 4)
        func recut(at time: String) throws -> (mayDiffer: Bool, same: Bool) {
            let height = try fixture.ledger.size()
            let parameters = SnapshotParameters(
                baseHeight: snapshot.parameters.baseHeight, revocationHeight: height, asOf: snapshot.parameters.asOf,
                evaluatedAt: time, shards: 4)
            let contents = try store.contents(parameters: parameters, policy: snapshot.policy)
            return (
                try store.mayDiffer(snapshot, revocationHeight: height, evaluatedAt: time),
                contents.root == snapshot.root && contents.shardRoots == snapshot.shardRoots
            )
        }
        #expect(try recut(at: "2025-06-01T00:00:00Z") == (false, true))
        #expect(try recut(at: "2025-12-31T23:59:59Z") == (false, true), "no expiry or revocation in between")
        #expect(try recut(at: "2026-01-01T00:00:00Z") == (true, false), "gina's consent expires at this instant")
        #expect(try recut(at: "2025-05-31T00:00:00Z").mayDiffer, "an earlier clock is never taken on trust")

        try RevocationRegistry(store: fixture.store).revoke(
            .samples([Hex.encode(try commitment(fixture, text: "plain"))]), effective: "2025-09-01T00:00:00Z")
        #expect(try recut(at: "2025-08-01T00:00:00Z") == (false, true), "a revocation not yet in effect")
        #expect(try recut(at: "2025-09-01T00:00:00Z") == (true, false), "in effect, on a member")

        let nonMember = Hex.encode(try commitment(fixture, text: "nc-only"))
        try RevocationRegistry(store: fixture.store).revoke(.samples([nonMember]), effective: "2025-07-01T00:00:00Z")
        #expect(try recut(at: "2025-08-01T00:00:00Z") == (false, true), "a revoked non-member changes nothing")
        try RevocationRegistry(store: fixture.store).revoke(.consent("c-gina"), effective: "2025-07-15T00:00:00Z")
        #expect(try recut(at: "2025-07-14T00:00:00Z") == (false, true))
        #expect(try recut(at: "2025-08-01T00:00:00Z") == (true, false), "a member's consent withdrawn")
    }

    @Test func revocationsAlreadyDealtWithAreSkipped() throws {
        let (fixture, _) = try populated()
        defer { fixture.cleanUp() }
        let store = SnapshotStore(store: fixture.store)
        let snapshot = try store.create(policy: .standard, asOf: "2025-06-01T00:00:00Z")
        let model = try fixture.ledger.size() - 1  // the snapshot entry stands in for a model entry
        let registry = RevocationRegistry(store: fixture.store)
        let plain = Hex.encode(try commitment(fixture, text: "plain"))
        try registry.revoke(.samples([plain]), effective: "2025-06-01T00:00:00Z")
        let time = "2025-06-02T00:00:00Z"
        var size = try fixture.ledger.size()
        #expect(try store.mayDiffer(snapshot, revocationHeight: size, evaluatedAt: time), "a member was revoked")
        #expect(
            try store.mayDiffer(snapshot, revocationHeight: size, evaluatedAt: time, handledFrom: model),
            "a revocation that checked no model is always looked at")

        let fresh = try populated().0
        defer { fresh.cleanUp() }
        let freshStore = SnapshotStore(store: fresh.store)
        let freshSnapshot = try freshStore.create(policy: .standard, asOf: "2025-06-01T00:00:00Z")
        let freshModel = try fresh.ledger.size() - 1
        try RevocationRegistry(store: fresh.store).revoke(
            .samples([Hex.encode(try commitment(fresh, text: "plain"))]), effective: "2025-06-01T00:00:00Z"
        ) { writer, _, id in
            try RevocationRegistry(store: fresh.store).noteModelsChecked(revocation: id, writer: writer)
        }
        size = try fresh.ledger.size()
        #expect(try freshStore.mayDiffer(freshSnapshot, revocationHeight: size, evaluatedAt: time))
        #expect(
            try !freshStore.mayDiffer(
                freshSnapshot, revocationHeight: size, evaluatedAt: time, handledFrom: freshModel),
            "its own transaction checked the models registered before it")
    }

    @Test func aRenewalAlwaysCallsForARecut() throws {
        let (fixture, _) = try populated()
        defer { fixture.cleanUp() }
        let store = SnapshotStore(store: fixture.store)
        let snapshot = try store.create(policy: .standard, asOf: "2025-06-01T00:00:00Z")
        let later = try fixture.ledger.size()
        #expect(try !store.mayDiffer(snapshot, revocationHeight: later, evaluatedAt: "2025-06-02T00:00:00Z"))
        _ = try fixture.registry.renew("c-gina", expiresAt: "2099-01-01T00:00:00Z", evidence: nil)
        let renewed = try fixture.ledger.size()
        #expect(
            try store.mayDiffer(snapshot, revocationHeight: renewed, evaluatedAt: "2025-06-02T00:00:00Z"),
            "a renewal can re-admit samples whose consent had expired")
    }

    @Test func revocationLeavesOldSnapshotsAloneAndProvesAbsence() throws {
        let (fixture, _) = try populated()
        defer { fixture.cleanUp() }
        let store = SnapshotStore(store: fixture.store)
        let before = try store.create(policy: .standard, asOf: "2025-06-01T00:00:00Z", shards: 4)
        let leavesBefore = try leaves(store, before)
        let g1 = try commitment(fixture, text: "g1")
        let revocations = RevocationRegistry(store: fixture.store)
        let result = try revocations.revoke(.subject("gina@example.org"), effective: "2025-03-01T00:00:00Z")
        #expect(result.affected.count == 3)
        let size = try fixture.ledger.size()
        let again = try revocations.revoke(.subject("gina@example.org"))
        let sizeAfter = try fixture.ledger.size()
        #expect(again.id == nil && again.alreadyRevoked == 3 && sizeAfter == size, "revoking twice is idempotent")

        #expect(
            try leaves(store, try store.load(before.id)) == leavesBefore,
            "a withdrawal does not change an earlier snapshot")
        #expect(try store.recomputeFromLog(before).matches)
        let after = try store.create(policy: .standard, asOf: "2025-06-01T00:00:00Z", shards: 4)
        #expect(after.count == before.count - 3)
        let changedShards = (0..<4).filter { before.shardRoots[$0] != after.shardRoots[$0] }
        #expect(changedShards.count == 1, "one subject's withdrawal touches one shard")

        let absent = try SnapshotProof.make(snapshot: after, members: try store.members(after), commitment: g1)
        #expect(try SnapshotProof.verify(absent, root: after.root, size: UInt64(after.count)) == false)
        let present = try SnapshotProof.make(snapshot: before, members: try store.members(before), commitment: g1)
        #expect(try SnapshotProof.verify(present, root: before.root, size: UInt64(before.count)) == true)
        #expect(throws: RecordsError.self, "a membership proof does not hold against the post-revocation root") {
            try SnapshotProof.verify(present, root: after.root, size: UInt64(after.count))
        }
        #expect(
            try store.snapshots(containing: g1, subject: try fixture.store.pseudonym(ofSubject: "gina@example.org"))
                == [before.id])
        #expect(throws: RecordsError.self) {
            try fixture.ingest(
                try fixture.manifest("late.jsonl", [#"{"text":"g4","license":"MIT","source":"s","consent":"c-gina"}"#]))
        }
    }

    @Test func nonMembershipProofsCoverTheEdgesAndRejectTampering() throws {
        let (fixture, _) = try populated()
        defer { fixture.cleanUp() }
        let store = SnapshotStore(store: fixture.store)
        let snapshot = try store.create(policy: .standard, asOf: "2025-06-01T00:00:00Z")
        let members = try store.members(snapshot)
        let size = UInt64(members.count)
        let below = [UInt8](repeating: 0, count: 32)
        let above = [UInt8](repeating: 0xff, count: 32)
        let low = try SnapshotProof.make(snapshot: snapshot, members: members, commitment: below)
        #expect(low["left"] == nil && low["right"]?.objectValue?["index"]?.integerValue == 0)
        #expect(try SnapshotProof.verify(low, root: snapshot.root, size: size) == false)
        let high = try SnapshotProof.make(snapshot: snapshot, members: members, commitment: above)
        #expect(high["right"] == nil && high["left"]?.objectValue?["index"]?.integerValue == Int64(size - 1))
        #expect(try SnapshotProof.verify(high, root: snapshot.root, size: size) == false)
        let empty = try store.create(policy: .standard, asOf: "2000-01-01T00:00:00Z")
        let none = try SnapshotProof.make(snapshot: empty, members: [], commitment: below)
        #expect(try SnapshotProof.verify(none, root: empty.root, size: 0) == false)
        #expect(throws: RecordsError.self) { try SnapshotProof.verify(none, root: snapshot.root, size: size) }

        var middle = below
        middle[0] = members[members.count / 2].commitment[0]
        let between = try SnapshotProof.make(snapshot: snapshot, members: members, commitment: middle)
        #expect(try SnapshotProof.verify(between, root: snapshot.root, size: size) == false)
        var tampered = between
        tampered["commitment"] = .string("sha256:" + Hex.encode(members[0].commitment))
        #expect(throws: RecordsError.self, "a member's commitment cannot be proven absent") {
            try SnapshotProof.verify(tampered, root: snapshot.root, size: size)
        }
        var skipped = between
        if var right = between["right"]?.objectValue, let index = right["index"]?.integerValue {
            right["index"] = .integer(index + 1)
            skipped["right"] = .object(right)
            #expect(throws: RecordsError.self) { try SnapshotProof.verify(skipped, root: snapshot.root, size: size) }
        }
    }

    @Test func recomputingFromTheLogGivesTheSameRoot() throws {
        let (fixture, _) = try populated()
        defer { fixture.cleanUp() }
        _ = try fixture.ingest(
            try fixture.manifest("more.jsonl", [#"{"text":"plain","license":"CC0-1.0","source":"mirror"}"#]))
        _ = try fixture.registry.renew("c-gina", expiresAt: "2099-01-01T00:00:00Z", evidence: nil)
        try RevocationRegistry(store: fixture.store).revoke(
            .samples(["sha256:" + Hex.encode(try commitment(fixture, text: "g2"))]))
        let store = SnapshotStore(store: fixture.store)
        for shards in [1, 3, 16] {
            let snapshot = try store.create(policy: .standard, shards: shards)
            let (root, matches) = try store.recomputeFromLog(snapshot)
            #expect(matches && root == snapshot.root, "K = \(shards)")
        }
    }

    @Test func unknownTargetsAreErrorsAndLogNothing() throws {
        let (fixture, _) = try populated()
        defer { fixture.cleanUp() }
        let size = try fixture.ledger.size()
        let registry = RevocationRegistry(store: fixture.store)
        #expect(throws: RecordsError(.notFound, "")) { try registry.revoke(.consent("nope")) }
        #expect(throws: RecordsError(.notFound, "")) { try registry.revoke(.subject("nobody@example.org")) }
        #expect(throws: RecordsError(.notFound, "")) { try registry.revoke(.source("no-such-source")) }
        #expect(throws: RecordsError(.notFound, "")) {
            try registry.revoke(.samples([String(repeating: "ab", count: 32)]))
        }
        #expect(throws: RecordsError(.invalidInput, "")) { try registry.revoke(.samples(["not-a-hash"])) }
        #expect(throws: RecordsError(.invalidInput, "")) { try registry.revoke(.source("s"), reason: "bored") }
        #expect(try fixture.ledger.size() == size)
        let bySource = try registry.revoke(.source("s"))
        #expect(bySource.affected.count == 10)
    }

    @Test func policyFilesAreCheckedAndTheDefaultFileIsTheStandardPolicy() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let file = try Policy(
            json: [UInt8](try Data(contentsOf: root.appendingPathComponent("Schemas/policy-default.json"))))
        #expect(file == .standard && file.digest == Policy.standard.digest)
        #expect(
            try Policy(json: Policy.standard.canonicalJSON).digest == Policy.standard.digest,
            "a resolved policy reads back to the same digest")
        let bad: [(String, String)] = [
            (#"{"purpos":"ai-training"}"#, "unknown field \"purpos\""), (#"{"purpose":"spam"}"#, "field purpose"),
            (#"{"allow":["Foo-1"]}"#, "field allow"), (#"{"allowed_classes":["free"]}"#, "field allowed_classes"),
            (#"{"opt_out":{"reserved":"maybe"}}"#, "opt_out.reserved"),
            (#"{"classes":{"MIT":"cheap"}}"#, "classes.MIT"), ("[", "not valid JSON"),
        ]
        for (text, expected) in bad {
            do {
                _ = try Policy(json: Array(text.utf8))
                Issue.record("accepted \(text)")
            } catch let error as RecordsError {
                #expect(error.message.contains(expected), "\(error.message)")
            }
        }
    }

    @Test func erasureRemovesTheBytesAndKeepsTheLogVerifiable() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        _ = try fixture.registry.grant(
            subject: "ivy@example.org", purposes: ["ai-training"], legalBasis: "consent", expiresAt: nil, evidence: nil,
            id: "c-ivy")
        let secret = "IVY-PRIVATE-CONTENT-" + String(repeating: "z", count: 40)
        _ = try fixture.ingest(
            try fixture.manifest(
                "m.jsonl",
                [
                    #"{"text":"\#(secret)","license":"MIT","source":"s","subject":"ivy@example.org","consent":"c-ivy","attribution":"IVY-ATTRIBUTION","source_uri":"https://ivy.example/me"}"#,
                    #"{"text":"other","license":"MIT","source":"s"}"#,
                ]))
        let eraser = EraseRegistry(store: fixture.store)
        #expect(throws: RecordsError.self, "only revoked samples can be erased") {
            try eraser.erase(.subject("ivy@example.org"))
        }
        try RevocationRegistry(store: fixture.store).revoke(.subject("ivy@example.org"))
        let result = try eraser.erase(.subject("ivy@example.org"))
        #expect(result.samples.count == 1 && result.identityErased)
        for file in ["ledger.sqlite", "ledger.sqlite-wal"] {
            let url = fixture.ledger.paths.folder.appendingPathComponent(file)
            let bytes = [UInt8]((try? Data(contentsOf: url)) ?? Data())
            for needle in [secret, "IVY-ATTRIBUTION", "ivy.example", "ivy@example.org"] {
                #expect(!bytes.contains(needle), "\(needle) is still in \(file)")
            }
        }
        let logSize = try fixture.ledger.size()
        #expect(try fixture.ledger.verify().entries == logSize)
        #expect(try SnapshotStore(store: fixture.store).create(policy: .standard).count == 1)
        do {
            _ = try fixture.ingest(
                try fixture.manifest("again.jsonl", [#"{"text":"\#(secret)","license":"MIT","source":"s"}"#]))
            Issue.record("erased content came back without a new consent")
        } catch let error as RecordsError { #expect(error.message.contains("was erased")) }
        _ = try fixture.registry.grant(
            subject: "ivy@example.org", purposes: ["ai-training"], legalBasis: "consent", expiresAt: nil, evidence: nil,
            id: "c-ivy-2")
        #expect(
            try fixture.ingest(
                try fixture.manifest(
                    "new.jsonl", [#"{"text":"\#(secret)","license":"MIT","source":"s","consent":"c-ivy-2"}"#])
            ).added == 1)
    }
}
